package scheduler

import "github.com/vidur-go/vidur-go/sim/cluster"

// sarathi is chunked prefill (spec §6.5): decodes first (one token each,
// preempting from the end of the running list when memory is short), then
// the running partial prefills, then new requests, all sharing a token
// budget of ChunkSize per iteration.
type sarathi struct {
	paged
}

func (s *sarathi) nextTokens(q *cluster.Request, batchTokens int) int {
	if q.PrefillComplete {
		return 1
	}
	return max(0, min(q.P-q.Processed, s.p.ChunkSize-batchTokens))
}

func (s *sarathi) NextBatch(c *cluster.Cluster, r *cluster.Replica) (int32, error) {
	h := c.NewBatch(r.ID)
	b := c.Batch(h)
	tokens := 0
	prefills := r.Scratch[:0]

	// Loop A: running requests in list order; decodes join the batch.
	run := r.Running
	head, tail := 0, len(run)
	for head < tail {
		if b.Size() == s.maxMicro {
			break
		}
		ri := run[head]
		head++
		if !c.Requests[ri].PrefillComplete {
			prefills = append(prefills, ri)
			continue
		}
		ok, err := s.admitRunning(c, r, ri, run, head, &tail)
		if err != nil {
			return -1, err
		}
		if ok {
			c.Add(b, ri, 1)
			tokens++
		}
	}

	// Loop B: running prefills continue with what is left of the budget
	// (no batch-size check, as in Vidur).
	skipped := r.Scratch2[:0]
	for _, ri := range prefills {
		n := s.nextTokens(&c.Requests[ri], tokens)
		if n == 0 {
			skipped = append(skipped, ri)
			continue
		}
		c.Add(b, ri, n)
		tokens += n
	}

	// The running list becomes sorted(skipped + unvisited).
	next := append(r.Spare[:0], skipped...)
	next = append(next, run[head:tail]...)
	sortByArrival(c, next)
	r.Spare = run[:0]
	r.Running = next
	r.Scratch, r.Scratch2 = prefills[:0], skipped[:0]

	// Loop C: admit new requests from the queue head.
	for r.Queue.Len() > 0 {
		if r.NumAllocated == s.p.BatchSizeCap || b.Size() == s.maxMicro {
			break
		}
		ri := r.Queue.Front()
		q := &c.Requests[ri]
		if !s.canAlloc(r, q) {
			break
		}
		n := s.nextTokens(q, tokens)
		if n == 0 {
			break
		}
		r.Queue.PopFront()
		if err := s.alloc(c, r, ri); err != nil {
			return -1, err
		}
		c.Add(b, ri, n)
		tokens += n
	}
	return finish(c, h), nil
}
