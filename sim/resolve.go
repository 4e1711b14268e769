package sim

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"

	"github.com/vidur-go/vidur-go/hardware"
	"github.com/vidur-go/vidur-go/models"
	"github.com/vidur-go/vidur-go/predictor"
	"github.com/vidur-go/vidur-go/sim/metrics"
	"github.com/vidur-go/vidur-go/sim/rng"
	"github.com/vidur-go/vidur-go/sim/workload"
)

// Setup is a configuration resolved against the catalogs: the deployment
// parameters, the generated requests, the batch timer and the random stream
// the random router continues. Run it any number of times; each run starts
// from the same random state.
type Setup struct {
	Config   Config
	Params   Params
	Device   hardware.Device
	Node     hardware.Node
	Requests []workload.Request
	Timer    predictor.BatchTimer
	// TimerSource describes where batch times come from (artifact name and
	// provenance); Analytical is true when they are not measured.
	TimerSource string
	Analytical  bool
	rng         rng.Python
}

// Prepare validates cfg, looks up the model and hardware, generates the
// workload, and loads (or builds) the batch timer. timer, if non-nil, is
// used instead of the configured predictor.
func Prepare(cfg Config, timer predictor.BatchTimer) (*Setup, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cl := cfg.Cluster
	var model models.Config
	var err error
	if cl.ModelConfig != "" {
		model, err = models.LoadHFConfig(cl.ModelConfig)
	} else {
		model, err = models.Lookup(cl.Model)
	}
	if err != nil {
		return nil, err
	}
	if err := model.Validate(cl.TensorParallelSize, cl.PipelineStages); err != nil {
		return nil, err
	}
	dev, err := hardware.LookupDevice(cl.Device)
	if err != nil {
		return nil, err
	}
	node, err := hardware.LookupNode(cl.Node)
	if err != nil {
		return nil, err
	}
	if node.Device != "" && node.Device != dev.Name {
		return nil, fmt.Errorf("node %s holds %s devices, not %s (choose a %s node, e.g. %s_dgx)", node.Name, node.Device, dev.Name, dev.Name, dev.Name)
	}
	if cl.TensorParallelSize > node.DevicesPerNode {
		return nil, fmt.Errorf("tensor parallel size %d exceeds the %d devices of one %s node (tensor parallelism stays within a node; use --pp for more devices)",
			cl.TensorParallelSize, node.DevicesPerNode, node.Name)
	}
	if err := node.ValidateWorld(cl.TensorParallelSize, cl.PipelineStages); err != nil {
		return nil, err
	}

	s := &Setup{Config: cfg, Device: dev, Node: node}
	py := rng.NewPython(cfg.Seed)
	s.Requests, err = workload.Generate(cfg.Workload, py)
	if err != nil {
		return nil, err
	}
	if len(s.Requests) == 0 {
		return nil, errors.New("workload: no requests generated")
	}
	s.rng = *py

	s.Params = Params{
		Model: model, DeviceMemoryGB: dev.MemoryGB, DeviceFP16TFLOPS: dev.FP16TFLOPS,
		TP: cl.TensorParallelSize, PP: cl.PipelineStages, Replicas: cl.Replicas,
		MemoryMarginFraction: cl.MemoryMarginFraction, Router: cl.Router,
		Scheduler: cfg.schedulerParams(), MaxTokens: cfg.Workload.MaxTokens, TimeLimitS: cfg.TimeLimitS,
		Record: metrics.Options{Batches: cfg.Output.BatchMetrics || cfg.Output.Plots, Stages: cfg.Output.ChromeTrace,
			Series: cfg.Output.Plots, TokenGaps: cfg.Output.TokenTBT},
	}
	s.Params.Scheduler.NumBlocks = cfg.Scheduler.NumBlocks
	if _, err := s.Params.Plan(); err != nil {
		return nil, err
	}
	if timer != nil {
		s.Timer, s.TimerSource = timer, "caller-supplied batch timer"
		return s, nil
	}
	if err := s.loadTimer(model); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Setup) loadTimer(model models.Config) error {
	cfg, cl := s.Config, s.Config.Cluster
	var art *predictor.Artifact
	path := cfg.Predictor.Artifact
	if path == "" {
		p, err := predictor.Find(cfg.Predictor.ArtifactDir, model.Name, cl.Device, cl.Node, cl.TensorParallelSize)
		switch {
		case err == nil:
			path = p
		case cfg.Predictor.RequireArtifact && cl.ModelConfig != "":
			return fmt.Errorf("%w\n(the model comes from %s: give vidur-train --model-config %s instead of --model %s)", err, cl.ModelConfig, cl.ModelConfig, model.Name)
		case cfg.Predictor.RequireArtifact:
			return err
		}
	} else if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		modelFlag := "--model " + model.Name
		if cl.ModelConfig != "" {
			modelFlag = "--model-config " + cl.ModelConfig
		}
		return fmt.Errorf("predictor artifact %s does not exist; build it with\n  vidur-train fit %s --device %s --node %s --tp %d -o %s\n(or import Vidur's data first: vidur-profile import)",
			path, modelFlag, cl.Device, cl.Node, cl.TensorParallelSize, path)
	}
	var err error
	effSource := ""
	if path != "" {
		art, err = predictor.Load(path)
		if err != nil {
			return err
		}
	} else {
		eff, src, err := predictor.DefaultEfficiency(s.Device.Name)
		if err != nil {
			return fmt.Errorf("analytical batch-time model: %w", err)
		}
		effSource = src
		art, err = predictor.AnalyticalOnGrid(model, s.Device, s.Node, cl.TensorParallelSize, eff, s.analyticalGrid())
		if err != nil {
			return fmt.Errorf("build analytical batch-time model: %w", err)
		}
	}
	tc := predictor.DefaultTimerConfig(model, cl.TensorParallelSize, cl.PipelineStages)
	p := cfg.Predictor
	tc.DecodeOverheadFraction = p.AttentionDecodeBatchingOverheadFraction
	tc.PrefillOverheadFraction = p.AttentionPrefillBatchingOverheadFraction
	tc.NCCLLaunchOverheadMs = p.NCCLCPULaunchOverheadMs
	tc.NCCLSkewPerDeviceMs = p.NCCLCPUSkewOverheadPerDeviceMs
	tc.KVGranularity = p.KVCachePredictionGranularity
	tc.SkipCPUOverhead = p.SkipCPUOverheadModeling
	t, err := predictor.NewTimer(art, tc)
	if err != nil {
		return fmt.Errorf("predictor artifact %s: %w", art.Name(), err)
	}
	s.Timer = t
	prov := art.Header.Provenance
	s.Analytical = prov == predictor.ProvenanceAnalytical
	switch {
	case path == "":
		s.TimerSource = fmt.Sprintf("analytical, not measured: roofline model of %s on %s built in process, efficiency factors from %s (no artifact for this combination; build one with vidur-train)", model.Name, s.Device.Name, effSource)
	case s.Analytical:
		s.TimerSource = fmt.Sprintf("analytical, not measured: artifact %s (%s on %s/%s, TP %d)", path, art.Header.Model, art.Header.Device, art.Header.Node, art.Header.TP)
	default:
		h := &art.Header
		s.TimerSource = fmt.Sprintf("artifact %s (%s on %s/%s, TP %d; provenance %s)", path, h.Model, h.Device, h.Node, h.TP, prov)
	}
	return nil
}

// analyticalGrid is Vidur's default grid, enlarged for the schedulers
// without a token budget (orca, faster_transformer), whose batches hold up
// to max_batch_size whole prompts: tokens up to max_tokens × batch size and
// prefill chunks up to √(batch size) × max_tokens (the §8.2 key).
func (s *Setup) analyticalGrid() predictor.Grid {
	g := predictor.DefaultGrid()
	g.MaxTokens = max(g.MaxTokens, s.Params.MaxTokens)
	g.MaxKVTokens = max(g.MaxKVTokens, s.Params.MaxTokens)
	g.MaxPrefillChunk = max(g.MaxPrefillChunk, s.Params.MaxTokens)
	g.MaxBatchSize = max(g.MaxBatchSize, s.Params.Scheduler.BatchSizeCap)
	if k := s.Params.Scheduler.Kind; k == "orca" || k == "faster_transformer" {
		plan, _ := s.Params.Plan()
		b := min(plan.MaxBatchSize, s.Params.Scheduler.BatchSizeCap)
		g.MaxTokens = s.Params.MaxTokens * b
		g.MaxPrefillChunk = int(math.Ceil(math.Sqrt(float64(b)) * float64(s.Params.MaxTokens)))
	}
	return g
}

// Run simulates the setup. Progress, if non-nil, receives (completed,
// total) request counts as the run advances.
func (s *Setup) Run(progress func(done, total int)) (*Result, error) {
	return s.RunContext(context.Background(), progress)
}

// RunContext is Run that stops with an error wrapping ctx.Err() when ctx is
// cancelled (a Ctrl-C in the CLI).
func (s *Setup) RunContext(ctx context.Context, progress func(done, total int)) (*Result, error) {
	r := s.rng // each run continues the stream from the same point
	p := s.Params
	p.Progress = progress
	p.ProgressStep = max(1, len(s.Requests)/200)
	p.Done, p.Err = ctx.Done(), ctx.Err
	return Simulate(p, s.Requests, s.Timer, &r)
}

// Run resolves cfg and simulates it once: the cheap in-process path (no
// files written). timer may be nil to use the configured predictor.
func Run(cfg Config, timer predictor.BatchTimer) (*Result, error) {
	s, err := Prepare(cfg, timer)
	if err != nil {
		return nil, err
	}
	return s.Run(nil)
}
