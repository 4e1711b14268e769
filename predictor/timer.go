package predictor

import (
	"errors"
	"fmt"
	"math"

	"github.com/vidur-go/vidur-go/models"
)

// TimerConfig holds the execution-time settings of Vidur's predictor config
// (spec §1.7) that the batch-time model uses, plus the deployment shape.
type TimerConfig struct {
	// Model is the architecture being simulated. NumLayers, PostAttnNorm and
	// IsGQA() enter the formula; its Name must match the artifact's model.
	Model models.Config
	// TP and PP are the tensor- and pipeline-parallel degrees.
	TP, PP int
	// DecodeOverheadFraction and PrefillOverheadFraction are Vidur's
	// attention_{decode,prefill}_batching_overhead_fraction; they apply only
	// to GQA models (NumQHeads > NumKVHeads) and only when more than one
	// request shares the attention kernel.
	DecodeOverheadFraction  float64
	PrefillOverheadFraction float64
	// NCCLLaunchOverheadMs is added to every all-reduce (nccl_cpu_launch_overhead_ms).
	NCCLLaunchOverheadMs float64
	// NCCLSkewPerDeviceMs × TP^1.25 is added to every all-reduce
	// (nccl_cpu_skew_overhead_per_device_ms).
	NCCLSkewPerDeviceMs float64
	// KVGranularity rounds kv-cache sizes up before attention lookups
	// (kv_cache_prediction_granularity). It must be a positive multiple of
	// the artifact grid's KVGranularity.
	KVGranularity int
	// SkipCPUOverhead leaves the CPU-overhead terms at 0
	// (skip_cpu_overhead_modeling; Vidur's default is true).
	SkipCPUOverhead bool
}

// DefaultTimerConfig returns Vidur's defaults for model at the given
// parallel degrees: overhead fractions 0.1, NCCL launch 0.02 ms, skew 0,
// kv granularity 64, CPU overheads skipped.
func DefaultTimerConfig(model models.Config, tp, pp int) TimerConfig {
	return TimerConfig{
		Model: model, TP: tp, PP: pp,
		DecodeOverheadFraction: 0.1, PrefillOverheadFraction: 0.1,
		NCCLLaunchOverheadMs: 0.02, NCCLSkewPerDeviceMs: 0,
		KVGranularity: 64, SkipCPUOverhead: true,
	}
}

// Timer is the §8.2 batch execution-time model over an artifact's dense
// tables. It implements BatchTimer; StageTime allocates nothing.
type Timer struct {
	grid           Grid
	kvGran         int
	layersPerStage float64
	pp             int
	tp             int
	postAttnNorm   bool
	skipCPU        bool
	fDecode        float64
	fPrefill       float64
	ncclMs         float64 // launch + skew·TP^1.25
	preProj, postProj, rope, kvSave,
	attnNorm, mlpNorm, add, up, down, act []float64
	allReduce, sendRecv []float64
	decode, prefill     []float64
	cpu                 [5][]float64
	numKV               int
	artifactName        string
}

var _ BatchTimer = (*Timer)(nil)

// NewTimer checks that art can serve cfg (same model and TP; all_reduce
// present when TP > 1, send_recv when PP > 1, CPU tables when CPU overheads
// are modelled; layers divisible by PP) and returns the batch-time model.
func NewTimer(art *Artifact, cfg TimerConfig) (*Timer, error) {
	h := &art.Header
	name := art.Name()
	if cfg.Model.Name != h.Model {
		return nil, fmt.Errorf("artifact %s was built for model %q, not %q", name, h.Model, cfg.Model.Name)
	}
	if cfg.TP != h.TP {
		return nil, fmt.Errorf("artifact %s was built for tensor parallelism %d, not %d", name, h.TP, cfg.TP)
	}
	if cfg.PP < 1 || cfg.Model.NumLayers <= 0 || cfg.Model.NumLayers%cfg.PP != 0 {
		return nil, fmt.Errorf("pipeline parallelism %d must be ≥ 1 and divide the model's %d layers", cfg.PP, cfg.Model.NumLayers)
	}
	if cfg.KVGranularity <= 0 || cfg.KVGranularity%h.Grid.KVGranularity != 0 {
		return nil, fmt.Errorf("kv granularity %d must be a positive multiple of artifact %s's grid step %d", cfg.KVGranularity, name, h.Grid.KVGranularity)
	}
	t := &Timer{
		grid: h.Grid, kvGran: cfg.KVGranularity, pp: cfg.PP, tp: cfg.TP,
		layersPerStage: float64(cfg.Model.NumLayers / cfg.PP),
		postAttnNorm:   cfg.Model.PostAttnNorm, skipCPU: cfg.SkipCPUOverhead,
		numKV: h.Grid.NumKV(), artifactName: name,
	}
	if cfg.Model.IsGQA() {
		t.fDecode, t.fPrefill = cfg.DecodeOverheadFraction, cfg.PrefillOverheadFraction
	}
	t.ncclMs = cfg.NCCLLaunchOverheadMs + cfg.NCCLSkewPerDeviceMs*math.Pow(float64(cfg.TP), 1.25)
	var missing []string
	need := func(op string, required bool) []float64 {
		v, ok := art.Table(op)
		if !ok && required {
			missing = append(missing, op)
		}
		return v
	}
	t.preProj = need(OpAttnPreProj, true)
	t.postProj = need(OpAttnPostProj, true)
	t.rope = need(OpAttnRope, true)
	t.kvSave = need(OpAttnKVCacheSave, true)
	t.attnNorm = need(OpInputLayernorm, true)
	t.mlpNorm = need(OpPostAttentionLayernorm, cfg.Model.PostAttnNorm)
	t.add = need(OpAdd, true)
	t.up = need(OpMLPUpProj, true)
	t.down = need(OpMLPDownProj, true)
	t.act = need(OpMLPAct, true)
	t.decode = need(OpAttnDecode, true)
	t.prefill = need(OpAttnPrefill, true)
	t.allReduce = need(OpAllReduce, cfg.TP > 1)
	t.sendRecv = need(OpSendRecv, cfg.PP > 1)
	for i, op := range CPUOps {
		t.cpu[i] = need(op, !cfg.SkipCPUOverhead)
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("artifact %s has no table for %v (needed for TP=%d PP=%d, cpu overheads %v)", name, missing, cfg.TP, cfg.PP, !cfg.SkipCPUOverhead)
	}
	return t, nil
}

// ErrOutOfGrid is wrapped by every error StageTime returns for a lookup
// outside the artifact's prediction grid.
var ErrOutOfGrid = errors.New("outside the prediction grid")

// GridError describes a lookup outside the prediction grid.
type GridError struct {
	Artifact string
	Op       string
	Key      string // e.g. "num_tokens=4104"
	Limit    string // e.g. "num_tokens ≤ 4096"
	Flag     string // the vidur-train flag that enlarges the grid
}

func (e *GridError) Error() string {
	return fmt.Sprintf("predict %s: %s is %v of artifact %s (%s); retrain with a larger grid, e.g. vidur-train fit ... %s",
		e.Op, e.Key, ErrOutOfGrid, e.Artifact, e.Limit, e.Flag)
}

func (e *GridError) Unwrap() error { return ErrOutOfGrid }

func (t *Timer) tokenErr(op string, key, total int, rounded bool) error {
	k := fmt.Sprintf("num_tokens=%d", key)
	if rounded {
		k = fmt.Sprintf("num_tokens=%d (batch total %d rounded up to 8)", key, total)
	}
	return &GridError{Artifact: t.artifactName, Op: op, Key: k,
		Limit: fmt.Sprintf("1 ≤ num_tokens ≤ %d", t.grid.MaxTokens), Flag: fmt.Sprintf("--max-tokens %d", ceilTo(max(key, 1), 4096))}
}

// StageTime returns the duration of pipeline stage `stage` for a batch
// (spec §8.2). All table values are in ms; the result is in seconds:
//
//	attn  = pre_proj + post_proj + rope + kv_save + decode + prefill + tp + attn_norm
//	mlp   = up + down + act + tp + mlp_norm
//	block = attn + mlp + add
//	ModelS = (block·(L/PP) + pp) · 1e-3
//	TotalS = ModelS + (schedule + sampler + prepare + process + ray) · 1e-3
//
// evaluated left to right as Vidur does. Token-indexed tables are looked up
// at T8 = ceil_to(Σ NumTokens, 8), except kv_cache_save at the exact Σ.
// Decode attention uses B_d (the prefill-complete entries) and
// kv = ceil_to(trunc(mean Processed), G); prefill attention uses
// (Σ ceil_to(Processed_i, G), round(√Σ NumTokens_i²)). pp is send_recv(T8)
// on every stage but the last. entries must be non-empty; the call
// allocates nothing unless it fails.
func (t *Timer) StageTime(entries []Entry, stage int) (StageTime, error) {
	if stage < 0 || stage >= t.pp {
		return StageTime{}, fmt.Errorf("predict stage time: stage %d outside 0..%d", stage, t.pp-1)
	}
	total := 0
	var dCount, dSum int
	var pCount, pKV int
	var pSq int64
	for i := range entries {
		e := &entries[i]
		if e.NumTokens < 0 || e.Processed < 0 {
			return StageTime{}, fmt.Errorf("predict stage time: entry %d has num_tokens %d, processed %d; want non-negative counts", i, e.NumTokens, e.Processed)
		}
		total += e.NumTokens
		if e.PrefillComplete {
			dCount++
			dSum += e.Processed
		} else {
			pCount++
			pKV += ceilTo(e.Processed, t.kvGran)
			pSq += int64(e.NumTokens) * int64(e.NumTokens)
		}
	}
	t8 := ceilTo(total, 8)
	if t8 < 1 || t8 > t.grid.MaxTokens {
		return StageTime{}, t.tokenErr(OpAttnPreProj, t8, total, true)
	}
	if total < 1 {
		return StageTime{}, t.tokenErr(OpAttnKVCacheSave, total, total, false)
	}
	i8, i := t8-1, total-1
	preProj, postProj, rope := t.preProj[i8], t.postProj[i8], t.rope[i8]
	kvSave := t.kvSave[i]
	attnNorm := t.attnNorm[i8]
	mlpNorm := 0.0
	if t.postAttnNorm {
		mlpNorm = t.mlpNorm[i8]
	}
	add := t.add[i8]
	up, down, act := t.up[i8], t.down[i8], t.act[i8]

	decode := 0.0
	if dCount > 0 {
		// int(np.mean(...)): float mean of exact integers, truncated.
		kv := ceilTo(int(float64(dSum)/float64(dCount)), t.kvGran)
		if dCount > t.grid.MaxBatchSize || kv > t.grid.MaxKVTokens {
			return StageTime{}, &GridError{Artifact: t.artifactName, Op: OpAttnDecode,
				Key:   fmt.Sprintf("(batch_size=%d, kv_cache_size=%d)", dCount, kv),
				Limit: fmt.Sprintf("batch_size ≤ %d, kv_cache_size ≤ %d", t.grid.MaxBatchSize, t.grid.MaxKVTokens),
				Flag:  fmt.Sprintf("--max-batch-size %d --max-kv-tokens %d", max(dCount, t.grid.MaxBatchSize), max(ceilTo(kv, 4096), t.grid.MaxKVTokens))}
		}
		v := t.decode[(dCount-1)*t.numKV+kv/t.grid.KVGranularity]
		b := 0.0
		if dCount > 1 {
			b = 1
		}
		decode = v * (1 + t.fDecode*b)
	}
	prefill := 0.0
	if pCount > 0 {
		chunk := int(math.RoundToEven(math.Sqrt(float64(pSq))))
		if pKV > t.grid.MaxKVTokens || chunk < 1 || chunk > t.grid.MaxPrefillChunk {
			return StageTime{}, &GridError{Artifact: t.artifactName, Op: OpAttnPrefill,
				Key:   fmt.Sprintf("(kv_cache_size=%d, prefill_chunk_size=%d)", pKV, chunk),
				Limit: fmt.Sprintf("kv_cache_size ≤ %d, 1 ≤ prefill_chunk_size ≤ %d", t.grid.MaxKVTokens, t.grid.MaxPrefillChunk),
				Flag:  fmt.Sprintf("--max-kv-tokens %d --max-prefill-chunk %d", max(ceilTo(pKV, 4096), t.grid.MaxKVTokens), max(ceilTo(chunk, 4096), t.grid.MaxPrefillChunk))}
		}
		v := t.prefill[(pKV/t.grid.KVGranularity)*t.grid.MaxPrefillChunk+chunk-1]
		b := 0.0
		if pCount > 1 {
			b = 1
		}
		prefill = v * (1 + t.fPrefill*b)
	}
	tp := 0.0
	if t.tp > 1 {
		tp = t.allReduce[i8] + t.ncclMs
	}
	pp := 0.0
	if t.pp > 1 && stage < t.pp-1 {
		pp = t.sendRecv[i8]
	}
	attn := preProj + postProj + rope + kvSave + decode + prefill + tp + attnNorm
	mlp := up + down + act + tp + mlpNorm
	block := attn + mlp + add
	model := (block*t.layersPerStage + pp) * 1e-3
	cpu := 0.0
	if !t.skipCPU {
		n := len(entries)
		if n > t.grid.MaxBatchSize {
			return StageTime{}, &GridError{Artifact: t.artifactName, Op: OpSchedule,
				Key: fmt.Sprintf("batch_size=%d", n), Limit: fmt.Sprintf("batch_size ≤ %d", t.grid.MaxBatchSize),
				Flag: fmt.Sprintf("--max-batch-size %d", n)}
		}
		j := n - 1
		cpu = t.cpu[0][j] + t.cpu[1][j] + t.cpu[2][j] + t.cpu[3][j] + t.cpu[4][j]
	}
	return StageTime{TotalS: model + cpu*1e-3, ModelS: model}, nil
}
