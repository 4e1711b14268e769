package simcmd

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vidur-go/vidur-go/hardware"
	"github.com/vidur-go/vidur-go/internal/cli"
	"github.com/vidur-go/vidur-go/sim"
	"github.com/vidur-go/vidur-go/sim/workload"
)

// runFlags are the flags of `vidur-sim run`; each overrides the matching
// configuration key only when given.
type runFlags struct {
	configFile, model, modelConfig, device, node string
	tp, pp, replicas                             int
	scheduler, router                            string
	batchSizeCap, chunkSize, blockSize           int
	numBlocks                                    int
	watermark, memoryMargin                      float64
	qps, cv                                      float64
	numRequests, maxTokens                       int
	prefillTokens, decodeTokens                  int
	arrival, lengthTrace, traceFile              string
	seed                                         uint64
	artifact, artifactDir, outputDir             string
	timeLimit                                    float64
	noChromeTrace, noPlots, noTokenTBT           bool
	printConfig, progress                        bool
	requireArtifact                              bool
}

func (f *runFlags) register(cmd *cobra.Command) {
	d := sim.DefaultConfig()
	fl := cmd.Flags()
	fl.SortFlags = false // grouped: input, deployment, scheduler, workload, predictor, output
	fl.StringVar(&f.configFile, "config", "", "YAML configuration file (keys in docs/configuration.md); flags override it")
	fl.BoolVar(&f.printConfig, "print-config", false, "print the effective configuration as YAML and exit")

	fl.StringVar(&f.model, "model", "", fmt.Sprintf("model catalog name (default %s)", d.Cluster.Model))
	fl.StringVar(&f.modelConfig, "model-config", "", "Hugging Face config.json defining the model, instead of --model")
	fl.StringVar(&f.device, "device", "", fmt.Sprintf("device SKU: %s (default %s)", strings.Join(deviceNames(), ", "), d.Cluster.Device))
	fl.StringVar(&f.node, "node", "", fmt.Sprintf("node SKU holding the device, e.g. a100_pairwise_nvlink (default %s; with only --device, <device>_dgx)", d.Cluster.Node))
	fl.IntVar(&f.tp, "tp", 0, fmt.Sprintf("tensor-parallel degree per replica (default %d)", d.Cluster.TensorParallelSize))
	fl.IntVar(&f.pp, "pp", 0, fmt.Sprintf("pipeline stages per replica (default %d)", d.Cluster.PipelineStages))
	fl.IntVar(&f.replicas, "replicas", 0, fmt.Sprintf("number of identical replicas (default %d)", d.Cluster.Replicas))
	fl.StringVar(&f.router, "router", "", fmt.Sprintf("global scheduler across replicas: round_robin, random, lor (default %s)", d.Cluster.Router))
	fl.Float64Var(&f.memoryMargin, "memory-margin", 0, fmt.Sprintf("fraction of device memory kept free (default %g)", d.Cluster.MemoryMarginFraction))

	fl.StringVar(&f.scheduler, "scheduler", "", fmt.Sprintf("replica scheduler: sarathi, vllm, orca, lightllm, faster_transformer (default %s)", d.Scheduler.Type))
	fl.IntVar(&f.batchSizeCap, "batch-size-cap", 0, fmt.Sprintf("maximum concurrent requests per replica (default %d)", d.Scheduler.BatchSizeCap))
	fl.IntVar(&f.chunkSize, "chunk-size", 0, fmt.Sprintf("sarathi token budget per iteration (default %d)", d.Scheduler.ChunkSize))
	fl.IntVar(&f.blockSize, "block-size", 0, fmt.Sprintf("KV-cache block size in tokens (default %d; lightllm: 1)", d.Scheduler.BlockSize))
	fl.IntVar(&f.numBlocks, "num-blocks", 0, "KV blocks per replica (default: as many as fit in memory)")
	fl.Float64Var(&f.watermark, "watermark", 0, fmt.Sprintf("fraction of KV blocks vllm and sarathi keep free when admitting (default %g)", d.Scheduler.WatermarkBlocksFraction))

	w := d.Workload
	fl.IntVar(&f.numRequests, "num-requests", 0, fmt.Sprintf("number of requests (default %d); with --trace, replay only the first N rows (default: all)", w.NumRequests))
	fl.Float64Var(&f.qps, "qps", 0, fmt.Sprintf("mean arrival rate of poisson and gamma arrivals, requests/s (default %g)", w.Interval.QPS))
	fl.StringVar(&f.arrival, "arrival", "", fmt.Sprintf("arrival process: poisson, gamma (burstiness set by --cv) or static (all at t=0) (default %s)", w.Interval.Type))
	fl.Float64Var(&f.cv, "cv", 0, fmt.Sprintf("coefficient of variation of gamma inter-arrival times; 1 is as bursty as poisson (default %g)", w.Interval.CV))
	fl.IntVar(&f.prefillTokens, "prefill-tokens", 0, fmt.Sprintf("prompt tokens of every request (default %d)", w.Length.PrefillTokens))
	fl.IntVar(&f.decodeTokens, "decode-tokens", 0, fmt.Sprintf("output tokens of every request (default %d)", w.Length.DecodeTokens))
	fl.StringVar(&f.lengthTrace, "length-trace", "", "draw prompt/output lengths from a CSV with columns num_prefill_tokens,num_decode_tokens (shuffled; prompts clipped to --max-tokens)")
	fl.IntVar(&f.maxTokens, "max-tokens", 0, fmt.Sprintf("longest request, prompt + output tokens; the memory planner reserves KV cache for it (default %d, raised to fit --prefill-tokens + --decode-tokens)", w.MaxTokens))
	fl.StringVar(&f.traceFile, "trace", "", "replay a request trace CSV (arrived_at,num_prefill_tokens,num_decode_tokens) instead of synthetic requests")
	fl.Uint64Var(&f.seed, "seed", 0, fmt.Sprintf("random seed of the workload and the random router (default %d)", d.Seed))

	fl.StringVar(&f.artifact, "artifact", "", "predictor artifact file from vidur-train (default: look it up by model, device, node and TP)")
	fl.StringVar(&f.artifactDir, "artifact-dir", "", "directory searched for artifacts (default $VIDUR_ARTIFACTS or the user cache)")
	fl.BoolVar(&f.requireArtifact, "require-artifact", false, "fail instead of using the analytical model when no artifact exists")

	fl.StringVar(&f.outputDir, "output-dir", "", "output directory (default simulator_output/<run name>)")
	fl.Float64Var(&f.timeLimit, "time-limit", 0, "stop after this many simulated seconds (default 0: run until every request completes)")
	fl.BoolVar(&f.noChromeTrace, "no-chrome-trace", false, "do not write trace.json")
	fl.BoolVar(&f.noPlots, "no-plots", false, "do not write plots")
	fl.BoolVar(&f.noTokenTBT, "no-token-tbt", false, "do not record every inter-token gap (saves memory on huge runs)")
	fl.BoolVar(&f.progress, "progress", false, "show a progress bar even when stderr is not a terminal")
}

// deviceNames lists the hardware catalog's devices.
func deviceNames() []string {
	var names []string
	for _, d := range hardware.Devices() {
		names = append(names, d.Name)
	}
	return names
}

// nodeFor returns the node a device runs on when no node is named:
// <device>_dgx if the catalog has it, else the first node holding the
// device, else "" (Prepare then reports the mismatch).
func nodeFor(device string) string {
	first := ""
	for _, n := range hardware.Nodes() {
		if n.Device != device {
			continue
		}
		if n.Name == device+"_dgx" {
			return n.Name
		}
		if first == "" {
			first = n.Name
		}
	}
	return first
}

// config builds the effective configuration: defaults, then --config, then
// the flags that were set.
func (f *runFlags) config(cmd *cobra.Command) (sim.Config, error) {
	cfg := sim.DefaultConfig()
	fileSetsCount := false // the --config file gives workload.num_requests
	if f.configFile != "" {
		data, err := os.ReadFile(f.configFile)
		if err != nil {
			return sim.Config{}, fmt.Errorf("read config: %w", err)
		}
		cfg, err = sim.ParseConfig(f.configFile, data)
		if err != nil {
			return sim.Config{}, err
		}
		fileSetsCount = sim.SetsNumRequests(data)
	}
	set := func(name string) bool { return cmd.Flags().Changed(name) }
	cl, sc, wl := &cfg.Cluster, &cfg.Scheduler, &cfg.Workload
	if set("model") {
		cl.Model = f.model
	}
	if set("model-config") {
		cl.ModelConfig = f.modelConfig
	}
	if set("device") {
		cl.Device = f.device
		// A node holds one kind of device: with only --device, move to a
		// node of that device instead of failing on the default node.
		if n, err := hardware.LookupNode(cl.Node); !set("node") && err == nil && n.Device != "" && n.Device != f.device {
			if alt := nodeFor(f.device); alt != "" {
				cl.Node = alt
			}
		}
	}
	if set("node") {
		cl.Node = f.node
	}
	if set("tp") {
		cl.TensorParallelSize = f.tp
	}
	if set("pp") {
		cl.PipelineStages = f.pp
	}
	if set("replicas") {
		cl.Replicas = f.replicas
	}
	if set("router") {
		cl.Router = f.router
	}
	if set("memory-margin") {
		cl.MemoryMarginFraction = f.memoryMargin
	}
	if set("scheduler") {
		sc.Type = f.scheduler
		if f.scheduler == "lightllm" && !set("block-size") {
			sc.BlockSize = 1
		}
	}
	if set("batch-size-cap") {
		sc.BatchSizeCap = f.batchSizeCap
	}
	if set("chunk-size") {
		sc.ChunkSize = f.chunkSize
	}
	if set("block-size") {
		sc.BlockSize = f.blockSize
	}
	if set("num-blocks") {
		sc.NumBlocks = f.numBlocks
	}
	if set("watermark") {
		sc.WatermarkBlocksFraction = f.watermark
	}
	if err := f.applyWorkload(set, wl, fileSetsCount); err != nil {
		return sim.Config{}, err
	}
	if set("seed") {
		cfg.Seed = f.seed
		wl.Seed = f.seed
	}
	if set("artifact") {
		cfg.Predictor.Artifact = f.artifact
	}
	if set("artifact-dir") {
		cfg.Predictor.ArtifactDir = f.artifactDir
	}
	if set("require-artifact") {
		cfg.Predictor.RequireArtifact = f.requireArtifact
	}
	if set("output-dir") {
		cfg.Output.Dir = f.outputDir
	}
	if set("time-limit") {
		cfg.TimeLimitS = f.timeLimit
	}
	if f.noChromeTrace {
		cfg.Output.ChromeTrace = false
	}
	if f.noPlots {
		cfg.Output.Plots = false
	}
	if f.noTokenTBT {
		cfg.Output.TokenTBT = false
	}
	if err := cfg.Validate(); err != nil {
		return sim.Config{}, cli.Usagef("invalid configuration:\n%v", err)
	}
	return cfg, nil
}

// syntheticOnlyFlags shape synthetic requests; a replayed trace has its
// own arrival times and lengths.
var syntheticOnlyFlags = []string{"qps", "arrival", "cv", "prefill-tokens", "decode-tokens", "length-trace"}

// applyWorkload applies the workload flags to wl. fileSetsCount says
// whether the --config file gave num_requests: an explicit count caps a
// trace replay, the default synthetic count does not.
func (f *runFlags) applyWorkload(set func(string) bool, wl *workload.Config, fileSetsCount bool) error {
	if set("trace") {
		wl.Type = workload.TypeTraceReplay
		wl.TraceFile = f.traceFile
		if !fileSetsCount {
			wl.NumRequests = 0 // the whole trace, as in Vidur
		}
	}
	if wl.Type == workload.TypeTraceReplay {
		for _, name := range syntheticOnlyFlags {
			if set(name) {
				return cli.Usagef("--%s applies to synthetic requests; a replayed trace (%s) brings its own arrival times and lengths (scale them with workload.time_scale_factor, prefill_scale_factor, decode_scale_factor in --config)", name, wl.TraceFile)
			}
		}
	}
	if set("num-requests") {
		wl.NumRequests = f.numRequests
	}
	if set("max-tokens") {
		wl.MaxTokens = f.maxTokens
	}
	if set("arrival") {
		switch f.arrival {
		case workload.IntervalPoisson, workload.IntervalGamma, workload.IntervalStatic:
			wl.Interval.Type = f.arrival
		default:
			return cli.Usagef("--arrival %q: want poisson, gamma or static (an arrival-time trace needs workload.interval in --config)", f.arrival)
		}
	}
	if set("qps") {
		wl.Interval.QPS = f.qps
	}
	if set("cv") {
		if wl.Interval.Type != workload.IntervalGamma {
			return cli.Usagef("--cv sets the burstiness of gamma arrivals; add --arrival gamma (arrivals are %s)", wl.Interval.Type)
		}
		wl.Interval.CV = f.cv
	}
	fixed := set("prefill-tokens") || set("decode-tokens")
	if fixed && set("length-trace") {
		return cli.Usagef("give either --length-trace or --prefill-tokens/--decode-tokens, not both")
	}
	if fixed {
		wl.Length.Type = workload.LengthFixed
		if set("prefill-tokens") {
			wl.Length.PrefillTokens = f.prefillTokens
		}
		if set("decode-tokens") {
			wl.Length.DecodeTokens = f.decodeTokens
		}
		// Requests longer than max_tokens are what the user asked for:
		// make room unless --max-tokens says otherwise.
		if total := wl.Length.PrefillTokens + wl.Length.DecodeTokens; !set("max-tokens") && total > wl.MaxTokens {
			wl.MaxTokens = total
		}
	}
	if set("length-trace") {
		wl.Length.Type = workload.LengthTrace
		wl.Length.TraceFile = f.lengthTrace
	}
	return nil
}
