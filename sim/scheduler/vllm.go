package scheduler

import "github.com/vidur-go/vidur-go/sim/cluster"

// vllm never mixes prefills and decodes: it admits whole prompts while a
// padded token budget, the watermark and the concurrency cap allow, and
// only when it admits nothing does it run one decode iteration of the
// running requests, preempting (restarting) the latest-listed ones when
// memory runs out (spec §6.4).
type vllm struct {
	paged
}

func (s *vllm) NextBatch(c *cluster.Cluster, r *cluster.Replica) (int32, error) {
	h := c.NewBatch(r.ID)
	{
		b := c.Batch(h)
		maxN := 0
		for r.Queue.Len() > 0 {
			ri := r.Queue.Front()
			q := &c.Requests[ri]
			n := nextTokens(q)
			if !s.canAlloc(r, q) {
				break
			}
			if m := max(maxN, n); (b.Size()+1)*m > s.p.MaxTokensInBatch {
				break
			}
			if r.NumAllocated == s.p.BatchSizeCap || b.Size() == s.maxMicro {
				break
			}
			r.Queue.PopFront()
			if err := s.alloc(c, r, ri); err != nil {
				return -1, err
			}
			c.Add(b, ri, n)
			maxN = max(maxN, n)
		}
		if b.Size() > 0 {
			return finish(c, h), nil
		}

		run := r.Running
		sortByArrival(c, run)
		head, tail := 0, len(run)
		for head < tail && b.Size() < s.maxMicro {
			ri := run[head]
			head++
			ok, err := s.admitRunning(c, r, ri, run, head, &tail)
			if err != nil {
				return -1, err
			}
			if ok {
				c.Add(b, ri, nextTokens(&c.Requests[ri]))
			}
		}
		r.Running = run[:copy(run, run[head:tail])]
		return finish(c, h), nil
	}
}
