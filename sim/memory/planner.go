package memory

import (
	"fmt"
	"math"
)

// Model is the part of a model configuration the planner needs.
type Model struct {
	Name         string
	NumLayers    int
	NumQHeads    int
	NumKVHeads   int
	EmbeddingDim int
	MLPHiddenDim int
	UseGatedMLP  bool
}

// Input describes one replica.
type Input struct {
	Model Model
	// DeviceMemoryGB is the device memory in GiB (Vidur's total_memory_gb;
	// multiplied by 1024^3).
	DeviceMemoryGB float64
	// MemoryMarginFraction is kept free (Vidur's memory_margin_fraction, 0.1).
	MemoryMarginFraction float64
	TP, PP               int
	// MaxTokens is the longest request (prompt + output) the workload can
	// produce, in tokens (Vidur's request generator max_tokens).
	MaxTokens int
	// BlockSize is the KV block size in tokens.
	BlockSize int
}

// Plan is the planner's answer for one replica.
type Plan struct {
	// ParamsPerDevice is the weight-parameter count on one device of one
	// pipeline stage (spec §7).
	ParamsPerDevice int64
	// ParamBytes = 2 × ParamsPerDevice (fp16 weights).
	ParamBytes int64
	// KVBytesPerRequest = 2 × 2 × head_dim × kv_heads_per_device × MaxTokens
	// × NumLayers (all layers; Vidur's rule).
	KVBytesPerRequest int64
	// AvailableBytes = DeviceMemoryGB × 1024^3 × (1 − margin).
	AvailableBytes float64
	// MaxBatchSize = floor((AvailableBytes − ParamBytes) / KVBytesPerRequest).
	MaxBatchSize int
	// MaxRequestSlots = MaxBatchSize × PP.
	MaxRequestSlots int
	// MaxBlocksPerSequence = MaxTokens / BlockSize (integer division).
	MaxBlocksPerSequence int
	// NumBlocks = MaxBlocksPerSequence × MaxRequestSlots.
	NumBlocks int
}

// ParamsPerDevice is Vidur's weight count for one device of one pipeline
// stage: per layer E·hd·(qh + 2·kvh) (QKV) + E·hd·qh (O) + m·E·F / TP (MLP,
// m = 3 for a gated MLP else 2), times NumLayers / PP, with hd = E / q_heads,
// qh = q_heads / TP and kvh = ceil(kv_heads / TP).
func ParamsPerDevice(m Model, tp, pp int) int64 {
	e := int64(m.EmbeddingDim)
	hd := e / int64(m.NumQHeads)
	qh := int64(m.NumQHeads / tp)
	kvh := int64((m.NumKVHeads + tp - 1) / tp)
	mult := int64(2)
	if m.UseGatedMLP {
		mult = 3
	}
	perLayer := e*hd*(qh+2*kvh) + e*hd*qh + mult*e*int64(m.MLPHiddenDim)/int64(tp)
	return perLayer * int64(m.NumLayers/pp)
}

// New runs the planner. It returns an error, naming the memory needed and
// available, when not even one maximum-length request fits.
func New(in Input) (Plan, error) {
	m := in.Model
	switch {
	case in.TP <= 0 || in.PP <= 0:
		return Plan{}, fmt.Errorf("memory planner: tensor parallel %d and pipeline stages %d must be positive", in.TP, in.PP)
	case m.NumQHeads <= 0 || m.NumLayers <= 0 || m.EmbeddingDim <= 0:
		return Plan{}, fmt.Errorf("memory planner: model %q has no layers or heads", m.Name)
	case in.BlockSize <= 0:
		return Plan{}, fmt.Errorf("memory planner: block size %d must be positive", in.BlockSize)
	case in.MaxTokens < in.BlockSize:
		return Plan{}, fmt.Errorf("memory planner: max tokens per request %d is below the block size %d", in.MaxTokens, in.BlockSize)
	case in.MemoryMarginFraction < 0 || in.MemoryMarginFraction >= 1:
		return Plan{}, fmt.Errorf("memory planner: memory margin fraction %g must be in [0, 1)", in.MemoryMarginFraction)
	}
	var p Plan
	p.ParamsPerDevice = ParamsPerDevice(m, in.TP, in.PP)
	p.ParamBytes = 2 * p.ParamsPerDevice
	hd := int64(m.EmbeddingDim / m.NumQHeads)
	kvh := int64((m.NumKVHeads + in.TP - 1) / in.TP)
	p.KVBytesPerRequest = 2 * 2 * hd * kvh * int64(in.MaxTokens) * int64(m.NumLayers)
	p.AvailableBytes = in.DeviceMemoryGB * 1024 * 1024 * 1024 * (1 - in.MemoryMarginFraction)
	p.MaxBatchSize = int(math.Floor((p.AvailableBytes - float64(p.ParamBytes)) / float64(p.KVBytesPerRequest)))
	if p.MaxBatchSize <= 0 {
		const gib = 1024 * 1024 * 1024
		return Plan{}, fmt.Errorf("model %s does not fit with TP %d, PP %d: weights need %.1f GiB and one %d-token request's KV cache %.2f GiB per device, but only %.1f GiB of %.0f GiB is usable (memory margin %.0f%%); raise the tensor-parallel degree (--tp) or the pipeline stages (--pp), or use a device with more memory",
			m.Name, in.TP, in.PP, float64(p.ParamBytes)/gib, in.MaxTokens, float64(p.KVBytesPerRequest)/gib,
			p.AvailableBytes/gib, in.DeviceMemoryGB, in.MemoryMarginFraction*100)
	}
	p.MaxRequestSlots = p.MaxBatchSize * in.PP
	p.MaxBlocksPerSequence = in.MaxTokens / in.BlockSize
	p.NumBlocks = p.MaxBlocksPerSequence * p.MaxRequestSlots
	return p, nil
}
