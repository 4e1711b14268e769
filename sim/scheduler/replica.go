package scheduler

import (
	"fmt"
	"slices"

	"github.com/vidur-go/vidur-go/sim/cluster"
)

// Replica schedulers, by Vidur's replica_scheduler_config_type name.
const (
	Orca              = "orca"
	VLLM              = "vllm"
	Sarathi           = "sarathi"
	LightLLM          = "lightllm"
	FasterTransformer = "faster_transformer"
)

// ReplicaKinds lists the replica scheduler names in documentation order.
var ReplicaKinds = []string{Sarathi, VLLM, Orca, LightLLM, FasterTransformer}

// Params configures a replica scheduler (spec §1.4 and §6.1).
type Params struct {
	// Kind is one of the constants above.
	Kind string
	// BatchSizeCap caps concurrent requests (Vidur's batch_size_cap).
	BatchSizeCap int
	// BlockSize is the KV block size in tokens.
	BlockSize int
	// WatermarkFraction is watermark_blocks_fraction (vllm, sarathi).
	WatermarkFraction float64
	// NumBlocks is the replica's KV-block capacity.
	NumBlocks int
	// ChunkSize is Sarathi's token budget per iteration.
	ChunkSize int
	// MaxTokensInBatch is the prefill token budget of vllm and lightllm.
	MaxTokensInBatch int
	// MaxWaitingIters is LightLLM's decode iterations between prefill tries.
	MaxWaitingIters int
	// NumStages is the pipeline depth.
	NumStages int
	// PlannerMaxBatchSize is the memory planner's max_batch_size (spec §7).
	PlannerMaxBatchSize int
	// MaxBlocksPerSequence is max_tokens / block_size.
	MaxBlocksPerSequence int
}

// Validate checks the parameters for the chosen kind.
func (p Params) Validate() error {
	if !slices.Contains(ReplicaKinds, p.Kind) {
		return fmt.Errorf("unknown replica scheduler %q (want one of %v)", p.Kind, ReplicaKinds)
	}
	switch {
	case p.BatchSizeCap <= 0:
		return fmt.Errorf("scheduler %s: batch_size_cap %d must be positive", p.Kind, p.BatchSizeCap)
	case p.BlockSize <= 0:
		return fmt.Errorf("scheduler %s: block_size %d must be positive", p.Kind, p.BlockSize)
	case p.NumStages <= 0:
		return fmt.Errorf("scheduler %s: pipeline stages %d must be positive", p.Kind, p.NumStages)
	case p.NumBlocks <= 0:
		return fmt.Errorf("scheduler %s: num_blocks %d must be positive", p.Kind, p.NumBlocks)
	case p.WatermarkFraction < 0 || p.WatermarkFraction >= 1:
		return fmt.Errorf("scheduler %s: watermark_blocks_fraction %g must be in [0, 1)", p.Kind, p.WatermarkFraction)
	}
	switch p.Kind {
	case Sarathi:
		if p.ChunkSize <= 0 {
			return fmt.Errorf("scheduler sarathi: chunk_size %d must be positive", p.ChunkSize)
		}
	case VLLM, LightLLM:
		if p.MaxTokensInBatch <= 0 {
			return fmt.Errorf("scheduler %s: max_tokens_in_batch %d must be positive", p.Kind, p.MaxTokensInBatch)
		}
	}
	if p.Kind == VLLM || p.Kind == Sarathi {
		if p.BatchSizeCap/p.NumStages == 0 {
			return fmt.Errorf("scheduler %s: batch_size_cap %d is smaller than the %d pipeline stages", p.Kind, p.BatchSizeCap, p.NumStages)
		}
	}
	if p.Kind == LightLLM {
		if p.BlockSize != 1 {
			return fmt.Errorf("scheduler lightllm requires block_size 1 (got %d): it accounts KV memory per token", p.BlockSize)
		}
		if p.NumStages != 1 {
			return fmt.Errorf("scheduler lightllm supports only 1 pipeline stage (got %d)", p.NumStages)
		}
	}
	return nil
}

// ReplicaScheduler forms batches for one replica. Implementations keep
// per-replica state, so each replica gets its own instance.
type ReplicaScheduler interface {
	// NextBatch is Vidur's get_next_batch: it returns the handle of a new,
	// committed batch, or -1 when there is nothing to run.
	NextBatch(c *cluster.Cluster, r *cluster.Replica) (int32, error)
	// OnBatchEnd updates the replica after batch b finished (request token
	// counts are already updated).
	OnBatchEnd(c *cluster.Cluster, r *cluster.Replica, b *cluster.Batch) error
}

// NewReplica returns a replica scheduler for p.
func NewReplica(p Params) (ReplicaScheduler, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	maxBatch := min(p.PlannerMaxBatchSize, p.BatchSizeCap)
	switch p.Kind {
	case Orca:
		return &orca{p: p, maxBatch: maxBatch}, nil
	case FasterTransformer:
		return &fasterTransformer{p: p, maxBatch: maxBatch}, nil
	case VLLM:
		return &vllm{paged: newPaged(p)}, nil
	case Sarathi:
		return &sarathi{paged: newPaged(p)}, nil
	case LightLLM:
		return &lightLLM{p: p}, nil
	}
	panic("unreachable")
}

// nextTokens is the base rule: the whole prompt until prefill completes,
// then one token per iteration.
func nextTokens(q *cluster.Request) int {
	if q.PrefillComplete {
		return 1
	}
	return q.P
}

// finish commits batch h if it holds requests, else releases it.
func finish(c *cluster.Cluster, h int32) int32 {
	if c.Batch(h).Size() == 0 {
		c.Release(h)
		return -1
	}
	c.Commit(h)
	return h
}

// baseOnBatchEnd frees completed requests and re-queues the others on the
// running list, in batch order (spec §6.1).
func baseOnBatchEnd(c *cluster.Cluster, r *cluster.Replica, b *cluster.Batch) error {
	r.NumRunningBatches--
	for _, ri := range b.Reqs {
		if c.Requests[ri].Completed {
			if err := c.Free(r, ri); err != nil {
				return err
			}
		} else {
			r.Running = append(r.Running, ri)
		}
	}
	return nil
}

// sortByArrival is a stable insertion sort by arrival time: Python's
// sorted(key=arrived_at) on lists that are nearly sorted already.
func sortByArrival(c *cluster.Cluster, s []int32) {
	for i := 1; i < len(s); i++ {
		v := s[i]
		t := c.Requests[v].ArrivedAt
		j := i
		for j > 0 && c.Requests[s[j-1]].ArrivedAt > t {
			s[j] = s[j-1]
			j--
		}
		s[j] = v
	}
}
