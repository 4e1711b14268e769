package scheduler

import "github.com/vidur-go/vidur-go/sim/cluster"

// orca is iteration-level batching with a full max-length KV reservation
// per request (spec §6.2).
type orca struct {
	p        Params
	maxBatch int
}

func (s *orca) NextBatch(c *cluster.Cluster, r *cluster.Replica) (int32, error) {
	h := c.NewBatch(r.ID)
	b := c.Batch(h)
	n := 0
	for ; n < len(r.Running) && b.Size() < s.maxBatch; n++ {
		ri := r.Running[n]
		c.Add(b, ri, nextTokens(&c.Requests[ri]))
	}
	r.Running = r.Running[:copy(r.Running, r.Running[n:])]
	for r.Queue.Len() > 0 && b.Size() < s.maxBatch && r.CanAllocate(s.p.MaxBlocksPerSequence) {
		ri := r.Queue.PopFront()
		c.Allocate(r, ri, s.p.MaxBlocksPerSequence)
		c.Add(b, ri, nextTokens(&c.Requests[ri]))
	}
	return finish(c, h), nil
}

func (s *orca) OnBatchEnd(c *cluster.Cluster, r *cluster.Replica, b *cluster.Batch) error {
	return baseOnBatchEnd(c, r, b)
}
