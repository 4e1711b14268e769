package sim

import (
	"fmt"
	"math"

	"github.com/vidur-go/vidur-go/models"
	"github.com/vidur-go/vidur-go/sim/memory"
	"github.com/vidur-go/vidur-go/sim/metrics"
	"github.com/vidur-go/vidur-go/sim/scheduler"
)

// Params is one fully resolved deployment: everything Simulate needs
// besides the requests, the batch timer and the router's random source.
// Config.Resolve builds it from a user configuration; callers that run many
// simulations (the deployment search) build it once and vary fields.
type Params struct {
	Model models.Config
	// DeviceMemoryGB (GiB) and DeviceFP16TFLOPS describe one accelerator.
	DeviceMemoryGB   float64
	DeviceFP16TFLOPS float64
	TP, PP, Replicas int
	// MemoryMarginFraction of device memory is kept free (Vidur: 0.1).
	MemoryMarginFraction float64
	// Router is the global scheduler (round_robin, random, lor).
	Router string
	// Scheduler configures the replica scheduler. NumBlocks 0 means "from
	// the memory planner"; NumStages, PlannerMaxBatchSize and
	// MaxBlocksPerSequence are filled in by Simulate.
	Scheduler scheduler.Params
	// MaxTokens is the longest request the workload may produce (prompt +
	// output); the memory planner sizes the KV cache for it.
	MaxTokens int
	// TimeLimitS stops the simulation at the first event later than this
	// many simulated seconds (that event is still handled, as in Vidur);
	// 0 or +Inf means no limit.
	TimeLimitS float64
	// Record selects optional per-item records.
	Record metrics.Options
	// Progress, if set, is called with the number of completed requests
	// each time it grows by at least ProgressStep (and at the end).
	Progress     func(done, total int)
	ProgressStep int
	// Stop, when set, ends the run as soon as one of its quantiles is
	// certain to exceed its limit over the whole run, whatever the rest of
	// the run would do (Result.Stopped says which); a capacity search needs
	// no more than that from a rate that violates an SLO. Certainty counts
	// samples above the limit against the number a full run records: one
	// per request for TTFT, scheduling delay and E2E, OrigD − 1 per request
	// for TBT.
	Stop []StopLimit
	// Done, when non-nil, cancels the run once closed (a context's Done
	// channel): Simulate then returns an error wrapping Err (checked every
	// few thousand events, so within milliseconds).
	Done <-chan struct{}
	// Err reports why Done was closed (a context's Err method).
	Err func() error
}

// Plan runs the memory planner for p.
func (p *Params) Plan() (memory.Plan, error) {
	m := p.Model
	return memory.New(memory.Input{
		Model: memory.Model{Name: m.Name, NumLayers: m.NumLayers, NumQHeads: m.NumQHeads, NumKVHeads: m.NumKVHeads,
			EmbeddingDim: m.EmbeddingDim, MLPHiddenDim: m.MLPHiddenDim, UseGatedMLP: m.UseGatedMLP},
		DeviceMemoryGB: p.DeviceMemoryGB, MemoryMarginFraction: p.MemoryMarginFraction,
		TP: p.TP, PP: p.PP, MaxTokens: p.MaxTokens, BlockSize: p.Scheduler.BlockSize,
	})
}

func (p *Params) validate() error {
	if p.Replicas <= 0 {
		return fmt.Errorf("replicas %d must be positive", p.Replicas)
	}
	if p.TP <= 0 || p.PP <= 0 {
		return fmt.Errorf("tensor parallel size %d and pipeline stages %d must be positive", p.TP, p.PP)
	}
	if p.Model.NumLayers <= 0 || p.Model.NumQHeads <= 0 {
		return fmt.Errorf("model %q has no layers or attention heads", p.Model.Name)
	}
	if p.Model.NumLayers%p.PP != 0 {
		return fmt.Errorf("model %s has %d layers, which %d pipeline stages do not divide", p.Model.Name, p.Model.NumLayers, p.PP)
	}
	if p.MaxTokens <= 0 {
		return fmt.Errorf("max tokens per request %d must be positive", p.MaxTokens)
	}
	if math.IsNaN(p.TimeLimitS) || p.TimeLimitS < 0 {
		return fmt.Errorf("time limit %g s must be ≥ 0", p.TimeLimitS)
	}
	if !scheduler.ValidRouter(p.Router) {
		return fmt.Errorf("unknown router %q (want one of %v)", p.Router, scheduler.RouterKinds)
	}
	return nil
}
