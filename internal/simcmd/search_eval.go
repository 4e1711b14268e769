package simcmd

import (
	"context"
	"fmt"

	"github.com/vidur-go/vidur-go/hardware"
	"github.com/vidur-go/vidur-go/models"
	"github.com/vidur-go/vidur-go/predictor"
	"github.com/vidur-go/vidur-go/search"
	"github.com/vidur-go/vidur-go/sim"
	"github.com/vidur-go/vidur-go/sim/metrics"
	"github.com/vidur-go/vidur-go/sim/workload"
)

// searchCatalog backs search.Catalog with the embedded model and hardware
// catalogs and the predictor artifact directory.
type searchCatalog struct {
	artifactDir     string
	requireArtifact bool
}

func (c searchCatalog) Model(name string) (*models.Config, error) {
	m, err := models.Lookup(name)
	if err != nil {
		return nil, err
	}
	return &m, nil
}

func (searchCatalog) Device(name string) (hardware.Device, error) { return hardware.LookupDevice(name) }
func (searchCatalog) Node(name string) (hardware.Node, error)     { return hardware.LookupNode(name) }

// Predictor accepts every combination unless artifacts are required: the
// simulator builds an analytical batch-time model in process when no
// artifact exists (reported in each run's predictor field).
func (c searchCatalog) Predictor(model, device, node string, tp int) error {
	if !c.requireArtifact {
		return nil
	}
	_, err := predictor.Find(c.artifactDir, model, device, node, tp)
	return err
}

// simEvaluator runs the simulator for the search: one sim.Config per
// probe, the batch timer loaded (or built) once per configuration.
type simEvaluator struct {
	space           *search.Space
	artifactDir     string
	requireArtifact bool
}

// simConfig is the simulator configuration of point p at qps, as Vidur's
// search builds it (spec §11.1): Poisson arrivals, lengths from the trace
// (or fixed), vllm/lightllm max_tokens_in_batch = max_tokens, no plots,
// trace or batch records; token gaps are kept for the TBT quantiles.
func (e *simEvaluator) simConfig(p search.Point, qps float64) sim.Config {
	s := e.space
	cfg := sim.DefaultConfig()
	cfg.Seed = s.Workload.Seed
	cfg.Cluster = sim.ClusterConfig{
		Model: p.Model, Device: p.Device, Node: p.Node,
		TensorParallelSize: p.TP, PipelineStages: p.PP, Replicas: p.Replicas,
		MemoryMarginFraction: *s.MemoryMarginFraction, Router: s.GlobalScheduler,
	}
	cfg.Scheduler.Type = p.Scheduler
	cfg.Scheduler.BatchSizeCap = p.BatchSizeCap
	if p.ChunkSize > 0 {
		cfg.Scheduler.ChunkSize = p.ChunkSize
	}
	cfg.Scheduler.MaxTokensInBatch = s.Workload.MaxTokens
	if p.Scheduler == "lightllm" {
		cfg.Scheduler.BlockSize = 1 // lightllm requires block size 1 (spec §1.11)
	}
	wl := workload.DefaultConfig()
	wl.Type = workload.TypeSynthetic
	wl.Seed = s.Workload.Seed
	wl.NumRequests = s.Workload.Requests
	wl.MaxTokens = s.Workload.MaxTokens
	wl.Interval.Type = workload.IntervalPoisson
	wl.Interval.QPS = qps
	wl.Length.Seed = s.Workload.Seed
	if s.Workload.Trace != "" {
		wl.Length.Type = workload.LengthTrace
		wl.Length.TraceFile = s.Workload.Trace
	} else {
		wl.Length.Type = workload.LengthFixed
		wl.Length.PrefillTokens = s.Workload.PrefillTokens
		wl.Length.DecodeTokens = s.Workload.DecodeTokens
	}
	cfg.Workload = wl
	cfg.Predictor.ArtifactDir = e.artifactDir
	cfg.Predictor.RequireArtifact = e.requireArtifact
	cfg.Output = sim.OutputConfig{TokenTBT: true}
	return cfg
}

// Prepare loads or builds the configuration's batch timer once.
func (e *simEvaluator) Prepare(_ context.Context, p search.Point) (search.Evaluator, func(), error) {
	setup, err := sim.Prepare(e.simConfig(p, e.space.Search.StartQPS), nil)
	if err != nil {
		return nil, nil, err
	}
	return &pointEvaluator{e: e, timer: setup.Timer, source: setup.TimerSource}, nil, nil
}

// Evaluate without Prepare (not used by the search, which prepares).
func (e *simEvaluator) Evaluate(ctx context.Context, pr search.Probe) (search.Outcome, error) {
	ev, _, err := e.Prepare(ctx, pr.Point)
	if err != nil {
		return search.Outcome{}, err
	}
	return ev.Evaluate(ctx, pr)
}

// pointEvaluator simulates the probes of one configuration with its timer;
// used by one goroutine at a time, as the timer requires.
type pointEvaluator struct {
	e      *simEvaluator
	timer  predictor.BatchTimer
	source string
}

func (pe *pointEvaluator) Evaluate(ctx context.Context, pr search.Probe) (search.Outcome, error) {
	setup, err := sim.Prepare(pe.e.simConfig(pr.Point, pr.QPS), pe.timer)
	if err != nil {
		return search.Outcome{}, err
	}
	for _, s := range pr.Stop {
		m, ok := stopMetrics[s.Metric]
		if !ok {
			return search.Outcome{}, fmt.Errorf("SLO metric %q has no simulator stop rule", s.Metric)
		}
		setup.Params.Stop = append(setup.Params.Stop, sim.StopLimit{Metric: m, Quantile: s.Quantile, MaxS: s.MaxS})
	}
	res, err := setup.RunContext(ctx, nil)
	if err != nil {
		return search.Outcome{}, err
	}
	return outcomeOf(res, pr.Quantiles)
}

// stopMetrics maps the search's SLO metrics to the simulator's, and
// searchMetrics back.
var (
	stopMetrics = map[search.Metric]sim.StopMetric{
		search.TTFT: sim.StopTTFT, search.TBT: sim.StopTBT,
		search.SchedulingDelay: sim.StopSchedulingDelay, search.E2E: sim.StopE2E,
	}
	searchMetrics = map[sim.StopMetric]search.Metric{
		sim.StopTTFT: search.TTFT, sim.StopTBT: search.TBT,
		sim.StopSchedulingDelay: search.SchedulingDelay, sim.StopE2E: search.E2E,
	}
)

// outcomeOf reduces a simulation to the requested quantiles: TTFT
// (prefill_e2e_time), scheduling delay, E2E, and TBT over every gap between
// consecutive output tokens (numpy-linear quantiles). A full run must have
// completed every request; a run that stopped early (sim.Params.Stop)
// reports each metric over the samples recorded until then — the same
// samples the stop rule counted.
func outcomeOf(res *sim.Result, qs []search.QuantileSpec) (search.Outcome, error) {
	o := search.Outcome{DurationS: res.EndTimeS}
	if h := res.Stopped; h != nil {
		o.Stopped = &search.Stop{SLO: search.SLO{Metric: searchMetrics[h.Metric], Quantile: h.Quantile, MaxS: h.MaxS},
			SamplesOver: h.Over, Samples: h.Total}
	}
	samples := map[search.Metric][]float64{}
	for i := range res.Requests {
		r := &res.Requests[i]
		if r.PrefillCompletedAt > 0 {
			samples[search.TTFT] = append(samples[search.TTFT], r.PrefillCompletedAt-r.ArrivedAt)
		}
		if r.Scheduled || r.NumRestarts > 0 {
			samples[search.SchedulingDelay] = append(samples[search.SchedulingDelay], r.SchedulingDelay)
		}
		if !r.Completed {
			continue
		}
		o.Requests++
		o.OutputTokens += int64(r.OrigD)
		samples[search.E2E] = append(samples[search.E2E], r.CompletedAt-r.ArrivedAt)
	}
	if o.Requests < len(res.Requests) && res.Stopped == nil {
		return o, fmt.Errorf("only %d of %d requests completed (time limit %v)", o.Requests, len(res.Requests), res.TimeLimited)
	}
	samples[search.TBT] = res.Metrics.TokenGaps // reordered below; the result is not used after
	o.Values = make([]float64, len(qs))
	// One selection pass per metric over all its quantiles (a sort of the
	// ~10⁶ token gaps would cost more than many a simulation).
	for m, v := range samples {
		if len(v) == 0 {
			continue // e.g. no request with a second output token: no TBT
		}
		var idx []int
		var want []float64
		for i, q := range qs {
			if q.Metric == m {
				idx, want = append(idx, i), append(want, q.Quantile)
			}
		}
		for j, x := range metrics.Quantiles(v, want) {
			o.Values[idx[j]] = x
		}
	}
	return o, nil
}

// PredictorSource says where the configuration's batch times come from.
func (pe *pointEvaluator) PredictorSource() string { return pe.source }
