package scheduler

import (
	"fmt"

	"github.com/vidur-go/vidur-go/sim/cluster"
)

// paged is the block accounting shared by vLLM and Sarathi (spec §6.4): a
// new request reserves blocks for its whole prompt and must leave the
// watermark free; a running request needs one free block per iteration.
type paged struct {
	p         Params
	maxMicro  int
	watermark int
}

func newPaged(p Params) paged {
	return paged{
		p:        p,
		maxMicro: p.BatchSizeCap / p.NumStages,
		// int(watermark_fraction * num_blocks), as Python truncates it.
		watermark: int(p.WatermarkFraction * float64(p.NumBlocks)),
	}
}

func (s *paged) blocksFor(tokens int) int { return (tokens + s.p.BlockSize - 1) / s.p.BlockSize }

func (s *paged) canAlloc(r *cluster.Replica, q *cluster.Request) bool {
	if !q.Allocated {
		return r.NumBlocks-r.AllocatedBlocks-s.blocksFor(q.P) >= s.watermark
	}
	return r.NumBlocks-r.AllocatedBlocks >= 1
}

func (s *paged) alloc(c *cluster.Cluster, r *cluster.Replica, ri int32) error {
	q := &c.Requests[ri]
	if !q.Allocated {
		c.Allocate(r, ri, s.blocksFor(q.P))
		return nil
	}
	need := q.Processed - q.Blocks*s.p.BlockSize
	switch {
	case need <= 0:
		return nil
	case need == 1:
		c.Allocate(r, ri, 1)
		return nil
	}
	return fmt.Errorf("replica %d: request %d needs %d tokens beyond its %d blocks (at most 1 expected)", r.ID, ri, need, q.Blocks)
}

// restart preempts request ri by recomputation: it is restarted, its blocks
// freed and it goes back to the front of the queue.
func (s *paged) restart(c *cluster.Cluster, r *cluster.Replica, ri int32) error {
	c.Requests[ri].Restart()
	if err := c.Free(r, ri); err != nil {
		return err
	}
	r.Queue.PushFront(ri)
	return nil
}

// admitRunning tries to give running decode request ri one more iteration,
// restarting victims from the end of run[head:*tail] while memory is short,
// or ri itself when no victim is left. It reports whether ri was allocated.
func (s *paged) admitRunning(c *cluster.Cluster, r *cluster.Replica, ri int32, run []int32, head int, tail *int) (bool, error) {
	q := &c.Requests[ri]
	for !s.canAlloc(r, q) {
		if head < *tail {
			*tail--
			if err := s.restart(c, r, run[*tail]); err != nil {
				return false, err
			}
			continue
		}
		if err := s.restart(c, r, ri); err != nil {
			return false, err
		}
		// Vidur stalls here when the request's context has outgrown the
		// whole KV cache: it can never be admitted again and nothing else
		// will run (spec §6.4). Say so instead.
		if need := s.blocksFor(q.P); need+s.watermark > r.NumBlocks {
			return false, fmt.Errorf("replica %d: request %d needs %d KV blocks for its %d tokens of context, more than the replica's %d blocks less the %d-block watermark, so it can never run again; give the replica more memory (--tp, --pp, a larger device) or lower the workload's max tokens",
				r.ID, ri, need, q.P, r.NumBlocks, s.watermark)
		}
		return false, nil
	}
	return true, s.alloc(c, r, ri)
}

func (s *paged) OnBatchEnd(c *cluster.Cluster, r *cluster.Replica, b *cluster.Batch) error {
	return baseOnBatchEnd(c, r, b)
}
