package simcmd

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

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
	qps                                          float64
	numRequests, maxTokens                       int
	traceFile                                    string
	seed                                         uint64
	artifact, artifactDir, outputDir             string
	timeLimit                                    float64
	noChromeTrace, noPlots, noTokenTBT           bool
	printConfig, progress                        bool
	requireArtifact                              bool
}

func (f *runFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.configFile, "config", "", "YAML configuration file (keys in docs/configuration.md)")
	fl.StringVar(&f.model, "model", "", "model catalog name, e.g. meta-llama/Meta-Llama-3-8B")
	fl.StringVar(&f.modelConfig, "model-config", "", "Hugging Face config.json defining the model")
	fl.StringVar(&f.device, "device", "", "device SKU, e.g. h100, a100")
	fl.StringVar(&f.node, "node", "", "node SKU, e.g. h100_dgx, a100_pairwise_nvlink")
	fl.IntVar(&f.tp, "tp", 0, "tensor-parallel degree per replica")
	fl.IntVar(&f.pp, "pp", 0, "pipeline stages per replica")
	fl.IntVar(&f.replicas, "replicas", 0, "number of replicas")
	fl.StringVar(&f.scheduler, "scheduler", "", "replica scheduler: sarathi, vllm, orca, lightllm, faster_transformer")
	fl.StringVar(&f.router, "router", "", "global scheduler: round_robin, random, lor")
	fl.IntVar(&f.batchSizeCap, "batch-size-cap", 0, "maximum concurrent requests per replica")
	fl.IntVar(&f.chunkSize, "chunk-size", 0, "sarathi token budget per iteration")
	fl.IntVar(&f.blockSize, "block-size", 0, "KV-cache block size in tokens (lightllm needs 1)")
	fl.IntVar(&f.numBlocks, "num-blocks", 0, "KV blocks per replica (default: memory planner)")
	fl.Float64Var(&f.watermark, "watermark", 0, "watermark_blocks_fraction of vllm and sarathi")
	fl.Float64Var(&f.memoryMargin, "memory-margin", 0, "fraction of device memory kept free")
	fl.Float64Var(&f.qps, "qps", 0, "request arrival rate (synthetic poisson/gamma workloads)")
	fl.IntVar(&f.numRequests, "num-requests", 0, "number of synthetic requests")
	fl.IntVar(&f.maxTokens, "max-tokens", 0, "maximum prompt + output tokens of one request")
	fl.StringVar(&f.traceFile, "trace", "", "replay a request trace CSV (arrived_at,num_prefill_tokens,num_decode_tokens)")
	fl.Uint64Var(&f.seed, "seed", 0, "random seed (workload and random router)")
	fl.StringVar(&f.artifact, "artifact", "", "predictor artifact file (default: look up by model/device/node/TP)")
	fl.StringVar(&f.artifactDir, "artifact-dir", "", "directory searched for artifacts (default $VIDUR_ARTIFACTS or the user cache)")
	fl.BoolVar(&f.requireArtifact, "require-artifact", false, "fail instead of using the analytical model when no artifact exists")
	fl.StringVar(&f.outputDir, "output-dir", "", "output directory (default simulator_output/<run name>)")
	fl.Float64Var(&f.timeLimit, "time-limit", 0, "stop after this many simulated seconds (0 = none)")
	fl.BoolVar(&f.noChromeTrace, "no-chrome-trace", false, "do not write trace.json")
	fl.BoolVar(&f.noPlots, "no-plots", false, "do not write plots")
	fl.BoolVar(&f.noTokenTBT, "no-token-tbt", false, "do not record every inter-token gap (saves memory on huge runs)")
	fl.BoolVar(&f.printConfig, "print-config", false, "print the effective configuration as YAML and exit")
	fl.BoolVar(&f.progress, "progress", false, "show a progress bar even when stderr is not a terminal")
}

// config builds the effective configuration: defaults, then --config, then
// the flags that were set.
func (f *runFlags) config(cmd *cobra.Command) (sim.Config, error) {
	cfg := sim.DefaultConfig()
	if f.configFile != "" {
		data, err := os.ReadFile(f.configFile)
		if err != nil {
			return sim.Config{}, fmt.Errorf("read config: %w", err)
		}
		cfg, err = sim.ParseConfig(f.configFile, data)
		if err != nil {
			return sim.Config{}, err
		}
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
	if set("trace") {
		wl.Type = workload.TypeTraceReplay
		wl.TraceFile = f.traceFile
	}
	if set("qps") {
		wl.Interval.QPS = f.qps
	}
	if set("num-requests") {
		wl.NumRequests = f.numRequests
	}
	if set("max-tokens") {
		wl.MaxTokens = f.maxTokens
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
