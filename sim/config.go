package sim

import (
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"path/filepath"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/vidur-go/vidur-go/models"
	"github.com/vidur-go/vidur-go/sim/scheduler"
	"github.com/vidur-go/vidur-go/sim/workload"
)

// Config is a user's simulation configuration: the YAML file of
// `vidur-sim run --config` (keys below; docs/configuration.md describes each
// with Vidur's flag name). Zero values mean "default" only where a field's
// comment says so; DefaultConfig returns the defaults.
type Config struct {
	// Seed seeds Python's random stream; the random router continues it
	// after workload generation (Vidur's --seed).
	Seed uint64 `json:"seed"`
	// TimeLimitS stops the simulation at the first event later than this
	// many simulated seconds; 0 = no limit (--time_limit).
	TimeLimitS float64         `json:"time_limit_s"`
	Cluster    ClusterConfig   `json:"cluster"`
	Scheduler  SchedulerConfig `json:"scheduler"`
	Workload   workload.Config `json:"workload"`
	Predictor  PredictorConfig `json:"predictor"`
	Output     OutputConfig    `json:"output"`
}

// ClusterConfig is the deployment (Vidur's cluster_config and replica_config).
type ClusterConfig struct {
	// Model is a catalog name (e.g. meta-llama/Meta-Llama-3-8B).
	Model string `json:"model"`
	// ModelConfig, if set, is a Hugging Face config.json that defines the
	// model instead of the catalog (Model is then only a label).
	ModelConfig string `json:"model_config,omitempty"`
	// Device and Node are hardware catalog SKUs (e.g. h100, h100_dgx).
	Device string `json:"device"`
	Node   string `json:"node"`
	// TensorParallelSize and PipelineStages split each replica.
	TensorParallelSize int `json:"tensor_parallel_size"`
	PipelineStages     int `json:"num_pipeline_stages"`
	Replicas           int `json:"num_replicas"`
	// MemoryMarginFraction of device memory is kept free.
	MemoryMarginFraction float64 `json:"memory_margin_fraction"`
	// Router is the global scheduler: round_robin, random or lor.
	Router string `json:"router"`
}

// SchedulerConfig is the replica scheduler (Vidur's replica_scheduler_config).
type SchedulerConfig struct {
	// Type is sarathi, vllm, orca, lightllm or faster_transformer.
	Type                    string  `json:"type"`
	BatchSizeCap            int     `json:"batch_size_cap"`
	BlockSize               int     `json:"block_size"`
	WatermarkBlocksFraction float64 `json:"watermark_blocks_fraction"`
	// NumBlocks overrides the memory planner's KV-block count; 0 = planner.
	NumBlocks int `json:"num_blocks"`
	// ChunkSize is sarathi's per-iteration token budget.
	ChunkSize int `json:"chunk_size"`
	// MaxTokensInBatch is the prefill token budget of vllm and lightllm.
	MaxTokensInBatch int `json:"max_tokens_in_batch"`
	// MaxWaitingIters is lightllm's decode iterations between admissions.
	MaxWaitingIters int `json:"max_waiting_iters"`
}

// PredictorConfig chooses the batch execution-time model.
type PredictorConfig struct {
	// Artifact is a predictor artifact file. Empty: look for the artifact of
	// (model, device, node, TP) in ArtifactDir, and if there is none use an
	// analytical (roofline, not measured) model built in process.
	Artifact string `json:"artifact,omitempty"`
	// ArtifactDir is where artifacts are looked up; empty = the default
	// directory ($VIDUR_ARTIFACTS or the user cache).
	ArtifactDir string `json:"artifact_dir,omitempty"`
	// RequireArtifact turns a missing artifact into an error instead of
	// falling back to the analytical model.
	RequireArtifact bool `json:"require_artifact"`
	// The rest are Vidur's execution-time predictor settings (spec §1.7).
	AttentionDecodeBatchingOverheadFraction  float64 `json:"attention_decode_batching_overhead_fraction"`
	AttentionPrefillBatchingOverheadFraction float64 `json:"attention_prefill_batching_overhead_fraction"`
	NCCLCPULaunchOverheadMs                  float64 `json:"nccl_cpu_launch_overhead_ms"`
	NCCLCPUSkewOverheadPerDeviceMs           float64 `json:"nccl_cpu_skew_overhead_per_device_ms"`
	KVCachePredictionGranularity             int     `json:"kv_cache_prediction_granularity"`
	SkipCPUOverheadModeling                  bool    `json:"skip_cpu_overhead_modeling"`
}

// OutputConfig says what to write.
type OutputConfig struct {
	// Dir is the output directory; empty = simulator_output/<run name>.
	Dir string `json:"dir,omitempty"`
	// ChromeTrace writes trace.json; Plots writes PNGs under plots/;
	// BatchMetrics writes batches.csv; TokenTBT records every gap between
	// consecutive output tokens (memory grows with output tokens).
	ChromeTrace  bool `json:"chrome_trace"`
	Plots        bool `json:"plots"`
	BatchMetrics bool `json:"batch_metrics"`
	TokenTBT     bool `json:"token_tbt"`
}

// DefaultConfig is the default deployment of `vidur-sim run`: one
// Meta-Llama-3-8B replica on one h100 of an h100_dgx node, sarathi with
// chunk 512, round robin, and 300 requests of 2048 + 512 tokens arriving
// Poisson at 2 QPS. Scheduler and predictor settings are Vidur's defaults.
func DefaultConfig() Config {
	wl := workload.DefaultConfig()
	wl.NumRequests = 300
	wl.Interval.QPS = 2
	return Config{
		Seed: 42,
		Cluster: ClusterConfig{
			Model: "meta-llama/Meta-Llama-3-8B", Device: "h100", Node: "h100_dgx",
			TensorParallelSize: 1, PipelineStages: 1, Replicas: 1,
			MemoryMarginFraction: 0.1, Router: scheduler.RoundRobin,
		},
		Scheduler: SchedulerConfig{
			Type: scheduler.Sarathi, BatchSizeCap: 128, BlockSize: 16, WatermarkBlocksFraction: 0.01,
			ChunkSize: 512, MaxTokensInBatch: 4096, MaxWaitingIters: 10,
		},
		Workload: wl,
		Predictor: PredictorConfig{
			AttentionDecodeBatchingOverheadFraction: 0.1, AttentionPrefillBatchingOverheadFraction: 0.1,
			NCCLCPULaunchOverheadMs: 0.02, KVCachePredictionGranularity: 64, SkipCPUOverheadModeling: true,
		},
		Output: OutputConfig{ChromeTrace: true, Plots: true, BatchMetrics: true, TokenTBT: true},
	}
}

// ParseConfig reads a YAML (or JSON) configuration on top of DefaultConfig.
// Unknown keys are errors that name the key. A file that selects
// workload.type trace_replay without giving workload.num_requests replays
// the whole trace (num_requests 0), not the default synthetic count.
func ParseConfig(name string, data []byte) (Config, error) {
	c := DefaultConfig()
	if err := yaml.UnmarshalStrict(data, &c); err != nil {
		return Config{}, fmt.Errorf("config %s: %w", name, err)
	}
	if c.Workload.Type == workload.TypeTraceReplay && !SetsNumRequests(data) {
		c.Workload.NumRequests = 0
	}
	return c, nil
}

// SetsNumRequests reports whether a YAML or JSON configuration gives
// workload.num_requests (any value, including 0): an explicit request
// count, which caps trace replay, rather than the default synthetic one.
// Data that does not parse reports false.
func SetsNumRequests(data []byte) bool {
	var probe struct {
		Workload struct {
			NumRequests *int `json:"num_requests"`
		} `json:"workload"`
	}
	return yaml.Unmarshal(data, &probe) == nil && probe.Workload.NumRequests != nil
}

// YAML returns the configuration as YAML (keys sorted, deterministic).
func (c Config) YAML() ([]byte, error) { return yaml.Marshal(c) }

// RunName is a short deterministic name for the configuration, used as
// the default output directory: model, device, parallelism, scheduler and
// a hash of the configuration (the output section excluded). The model is
// the one simulated: with cluster.model_config, the name LoadHFConfig gives
// the config.json (so RunName reads that file; when it cannot be read or
// parsed, the name of its directory), else cluster.model; only the part
// after the last "/" is kept.
func (c Config) RunName() string {
	c.Output = OutputConfig{} // where results go does not name the run
	y, _ := c.YAML()
	h := fnv.New32a()
	h.Write(y)
	model := c.Cluster.Model
	if path := c.Cluster.ModelConfig; path != "" {
		model = hfModelName(path)
	}
	if i := strings.LastIndex(model, "/"); i >= 0 {
		model = model[i+1:]
	}
	return fmt.Sprintf("%s_%s_tp%d_pp%d_x%d_%s_%08x", model, c.Cluster.Device, c.Cluster.TensorParallelSize,
		c.Cluster.PipelineStages, c.Cluster.Replicas, c.Scheduler.Type, h.Sum32())
}

// hfModelName is the name LoadHFConfig gives the config.json at path, or,
// when the file cannot be loaded, its directory's name (the file name
// without extension for a file not called config.json).
func hfModelName(path string) string {
	if m, err := models.LoadHFConfig(path); err == nil {
		return m.Name
	}
	base := filepath.Base(path)
	if dir := filepath.Base(filepath.Dir(path)); base == "config.json" && dir != "." && dir != string(filepath.Separator) {
		return dir
	}
	return strings.TrimSuffix(base, filepath.Ext(base))
}

// Validate reports every problem of the configuration that can be seen
// without the catalogs, joined into one error.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	cl := c.Cluster
	if cl.Model == "" && cl.ModelConfig == "" {
		bad("cluster.model: empty (name a catalog model or give cluster.model_config)")
	}
	if cl.Device == "" {
		bad("cluster.device: empty")
	}
	if cl.Node == "" {
		bad("cluster.node: empty")
	}
	if cl.TensorParallelSize < 1 {
		bad("cluster.tensor_parallel_size: %d, want ≥ 1", cl.TensorParallelSize)
	}
	if cl.PipelineStages < 1 {
		bad("cluster.num_pipeline_stages: %d, want ≥ 1", cl.PipelineStages)
	}
	if cl.Replicas < 1 {
		bad("cluster.num_replicas: %d, want ≥ 1", cl.Replicas)
	}
	if !(cl.MemoryMarginFraction >= 0 && cl.MemoryMarginFraction < 1) {
		bad("cluster.memory_margin_fraction: %g, want in [0, 1)", cl.MemoryMarginFraction)
	}
	if !scheduler.ValidRouter(cl.Router) {
		bad("cluster.router: %q, want one of %v", cl.Router, scheduler.RouterKinds)
	}
	if math.IsNaN(c.TimeLimitS) || c.TimeLimitS < 0 || math.IsInf(c.TimeLimitS, 0) {
		bad("time_limit_s: %g, want a finite value ≥ 0 (0 = no limit)", c.TimeLimitS)
	}
	if err := c.schedulerParams().Validate(); err != nil {
		bad("scheduler: %w", err)
	}
	if c.Scheduler.NumBlocks < 0 {
		bad("scheduler.num_blocks: %d, want ≥ 0 (0 = memory planner)", c.Scheduler.NumBlocks)
	}
	if g := c.Predictor.KVCachePredictionGranularity; g < 1 {
		bad("predictor.kv_cache_prediction_granularity: %d, want ≥ 1", g)
	}
	if err := c.Workload.Validate(); err != nil {
		bad("workload: %w", err)
	}
	return errors.Join(errs...)
}

// schedulerParams converts the scheduler section; NumBlocks 0 keeps the
// planner's count, and the pipeline fields are filled in by Simulate.
func (c Config) schedulerParams() scheduler.Params {
	s := c.Scheduler
	numBlocks := s.NumBlocks
	if numBlocks == 0 {
		numBlocks = 1 // placeholder for validation; Simulate uses the planner
	}
	return scheduler.Params{
		Kind: s.Type, BatchSizeCap: s.BatchSizeCap, BlockSize: s.BlockSize,
		WatermarkFraction: s.WatermarkBlocksFraction, NumBlocks: numBlocks, ChunkSize: s.ChunkSize,
		MaxTokensInBatch: s.MaxTokensInBatch, MaxWaitingIters: s.MaxWaitingIters,
		NumStages: max(1, c.Cluster.PipelineStages),
	}
}
