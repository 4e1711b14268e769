package scheduler

import "github.com/vidur-go/vidur-go/sim/cluster"

// fasterTransformer is static batching: a batch is re-run until all its
// requests finish before new requests are admitted (spec §6.3). Unlike
// Vidur, a request's blocks are freed as soon as it completes (Vidur never
// frees requests that finish before the rest of their batch).
type fasterTransformer struct {
	p        Params
	maxBatch int
	// pending is the FIFO of unfinished batches' request lists.
	pending [][]int32
	spare   [][]int32
}

func (s *fasterTransformer) NextBatch(c *cluster.Cluster, r *cluster.Replica) (int32, error) {
	h := c.NewBatch(r.ID)
	b := c.Batch(h)
	if len(s.pending) > 0 {
		reqs := s.pending[0]
		copy(s.pending, s.pending[1:])
		s.pending = s.pending[:len(s.pending)-1]
		for _, ri := range reqs {
			c.Add(b, ri, nextTokens(&c.Requests[ri]))
		}
		s.spare = append(s.spare, reqs[:0])
		return finish(c, h), nil
	}
	for r.Queue.Len() > 0 && b.Size() < s.maxBatch && r.CanAllocate(s.p.MaxBlocksPerSequence) {
		ri := r.Queue.PopFront()
		c.Allocate(r, ri, s.p.MaxBlocksPerSequence)
		c.Add(b, ri, nextTokens(&c.Requests[ri]))
	}
	return finish(c, h), nil
}

func (s *fasterTransformer) OnBatchEnd(c *cluster.Cluster, r *cluster.Replica, b *cluster.Batch) error {
	r.NumRunningBatches--
	var rest []int32
	if n := len(s.spare); n > 0 {
		rest = s.spare[n-1]
		s.spare = s.spare[:n-1]
	}
	for _, ri := range b.Reqs {
		if c.Requests[ri].Completed {
			if err := c.Free(r, ri); err != nil {
				return err
			}
		} else {
			rest = append(rest, ri)
		}
	}
	if len(rest) == 0 {
		s.spare = append(s.spare, rest)
		return nil
	}
	s.pending = append(s.pending, rest)
	return nil
}
