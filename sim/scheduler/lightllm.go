package scheduler

import (
	"fmt"

	"github.com/vidur-go/vidur-go/sim/cluster"
)

// lightLLM admits prompts while a worst-case token-level forecast of KV use
// stays below capacity, and alternates decode iterations with admission
// every MaxWaitingIters iterations (spec §6.6). Block size is one token.
type lightLLM struct {
	p            Params
	waitingIters int
	// cache is Vidur's cache_len_list of (has_run, left_out) token pairs.
	cache []tokenPair
}

type tokenPair struct{ hasRun, leftOut int }

func (s *lightLLM) pair(q *cluster.Request) tokenPair {
	if q.Scheduled {
		decoded := max(q.Processed-q.P, 0)
		return tokenPair{q.Processed, max(0, q.D-decoded-1)}
	}
	return tokenPair{q.P + 1, max(0, q.D-2)}
}

// canAlloc appends q's pair to the forecast list (kept even when it does not
// fit), stable-sorts the list by left_out descending, and checks
// max_i(left_out_i·(i+1) + Σ_{j≤i} has_run_j) < NumBlocks.
func (s *lightLLM) canAlloc(q *cluster.Request, numBlocks int) bool {
	s.cache = append(s.cache, s.pair(q))
	for i := len(s.cache) - 1; i > 0 && s.cache[i-1].leftOut < s.cache[i].leftOut; i-- {
		s.cache[i-1], s.cache[i] = s.cache[i], s.cache[i-1]
	}
	need, cum := 0, 0
	for i, e := range s.cache {
		cum += e.hasRun
		need = max(need, e.leftOut*(i+1)+cum)
	}
	return need < numBlocks
}

func (s *lightLLM) prefillBatch(c *cluster.Cluster, r *cluster.Replica, h int32) {
	b := c.Batch(h)
	s.cache = s.cache[:0]
	for _, ri := range r.Running {
		s.cache = append(s.cache, s.pair(&c.Requests[ri]))
	}
	// Running requests enter already sorted by Vidur's first sort, which
	// happens on the first canAlloc; sort now so insertion keeps order.
	stableSortPairs(s.cache)
	tokens := 0
	for r.Queue.Len() > 0 {
		ri := r.Queue.Front()
		q := &c.Requests[ri]
		n := nextTokens(q)
		if tokens+n > s.p.MaxTokensInBatch || r.NumAllocated == s.p.BatchSizeCap || b.Size() == s.p.BatchSizeCap {
			break
		}
		if !s.canAlloc(q, r.NumBlocks) {
			break
		}
		r.Queue.PopFront()
		c.Allocate(r, ri, q.P)
		c.Add(b, ri, n)
		tokens += n
	}
}

func stableSortPairs(s []tokenPair) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j-1].leftOut < s[j].leftOut; j-- {
			s[j-1], s[j] = s[j], s[j-1]
		}
	}
}

func (s *lightLLM) NextBatch(c *cluster.Cluster, r *cluster.Replica) (int32, error) {
	h := c.NewBatch(r.ID)
	if len(r.Running) == 0 {
		s.prefillBatch(c, r, h)
		if c.Batch(h).Size() > 0 {
			s.waitingIters = 0
		}
		return finish(c, h), nil
	}
	if s.waitingIters >= s.p.MaxWaitingIters {
		s.waitingIters = 0
		s.prefillBatch(c, r, h)
		if c.Batch(h).Size() > 0 {
			return finish(c, h), nil
		}
	}
	if !r.CanAllocate(len(r.Running)) {
		c.Release(h)
		return -1, fmt.Errorf("replica %d: lightllm cannot allocate one block for each of its %d running requests (%d of %d blocks in use); Vidur raises \"OOM handling not implemented yet\" here too", r.ID, len(r.Running), r.AllocatedBlocks, r.NumBlocks)
	}
	s.waitingIters++
	b := c.Batch(h)
	for _, ri := range r.Running {
		c.Allocate(r, ri, 1)
		c.Add(b, ri, 1)
	}
	r.Running = r.Running[:0]
	return finish(c, h), nil
}

func (s *lightLLM) OnBatchEnd(c *cluster.Cluster, r *cluster.Replica, b *cluster.Batch) error {
	return baseOnBatchEnd(c, r, b)
}
