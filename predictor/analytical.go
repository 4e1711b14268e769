package predictor

import (
	"fmt"
	"math"

	"github.com/vidur-go/vidur-go/hardware"
	"github.com/vidur-go/vidur-go/models"
)

// Efficiency holds the factors of the analytical (roofline) operator model:
// the fraction of peak compute and memory bandwidth each operator class
// achieves, and fixed per-kernel overheads. Calibrate fits them to profiles.
type Efficiency struct {
	// GEMMCompute and GEMMMemory apply to the projections (attn_pre_proj,
	// attn_post_proj, mlp_up_proj, mlp_down_proj); GEMMLaunchMs is their
	// fixed overhead per kernel, ms.
	GEMMCompute  float64 `json:"gemm_compute"`
	GEMMMemory   float64 `json:"gemm_memory"`
	GEMMLaunchMs float64 `json:"gemm_launch_ms"`
	// ElementwiseMemory applies to the memory-bound kernels (mlp_act, norms,
	// attn_rope, add, attn_kv_cache_save); ElementwiseLaunchMs their overhead.
	ElementwiseMemory   float64 `json:"elementwise_memory"`
	ElementwiseLaunchMs float64 `json:"elementwise_launch_ms"`
	// AttentionCompute, AttentionMemory and AttentionLaunchMs apply to
	// attn_prefill and attn_decode.
	AttentionCompute  float64 `json:"attention_compute"`
	AttentionMemory   float64 `json:"attention_memory"`
	AttentionLaunchMs float64 `json:"attention_launch_ms"`
	// Network is the fraction of the node's interconnect bandwidth that
	// all_reduce and send_recv achieve; NetworkLatencyMs their fixed cost.
	Network          float64 `json:"network"`
	NetworkLatencyMs float64 `json:"network_latency_ms"`
	// PerOp overrides the elementwise factors of individual operators
	// (kernels differ: an add is not a layer norm). Keys are op names.
	PerOp map[string]KernelFactor `json:"per_op,omitempty"`
	// PerNode overrides the network factors for individual node SKUs (an
	// NVSwitch fabric is not a pair of NVLink bridges). Keys are node names.
	PerNode map[string]KernelFactor `json:"per_node,omitempty"`
}

// KernelFactor is a bandwidth efficiency and a fixed overhead (ms) for one
// operator or one node's collectives; for network ops LaunchMs is the
// latency per communication step.
type KernelFactor struct {
	Memory   float64 `json:"memory"`
	LaunchMs float64 `json:"launch_ms"`
}

// Validate reports factors outside (0, 1] or negative overheads.
func (e Efficiency) Validate() error {
	for _, f := range []struct {
		name string
		v    float64
	}{{"gemm_compute", e.GEMMCompute}, {"gemm_memory", e.GEMMMemory}, {"elementwise_memory", e.ElementwiseMemory},
		{"attention_compute", e.AttentionCompute}, {"attention_memory", e.AttentionMemory}, {"network", e.Network}} {
		if !(f.v > 0 && f.v <= 1) {
			return fmt.Errorf("efficiency %s is %v, want a fraction in (0, 1]", f.name, f.v)
		}
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"gemm_launch_ms", e.GEMMLaunchMs}, {"elementwise_launch_ms", e.ElementwiseLaunchMs},
		{"attention_launch_ms", e.AttentionLaunchMs}, {"network_latency_ms", e.NetworkLatencyMs}} {
		if !(f.v >= 0 && f.v < 10) {
			return fmt.Errorf("efficiency %s is %v, want a non-negative overhead below 10 ms", f.name, f.v)
		}
	}
	for _, m := range []map[string]KernelFactor{e.PerOp, e.PerNode} {
		for _, k := range sortedKeys(m) {
			f := m[k]
			if !(f.Memory > 0 && f.Memory <= 1) || !(f.LaunchMs >= 0 && f.LaunchMs < 10) {
				return fmt.Errorf("efficiency of %s is %+v, want memory in (0, 1] and launch_ms in [0, 10)", k, f)
			}
		}
	}
	return nil
}

// opClass groups operators that share efficiency factors.
type opClass int

const (
	classGEMM opClass = iota
	classElementwise
	classAttention
	classNetwork
)

func classOf(op string) opClass {
	switch op {
	case OpAttnPreProj, OpAttnPostProj, OpMLPUpProj, OpMLPDownProj:
		return classGEMM
	case OpAttnPrefill, OpAttnDecode:
		return classAttention
	case OpAllReduce, OpSendRecv:
		return classNetwork
	}
	return classElementwise
}

// Work is an operator invocation's cost: floating-point operations and
// bytes moved through device memory (or over the interconnect for network
// operators), and for network operators the number of latency-bound
// communication steps.
type Work struct{ FLOPs, Bytes, Steps float64 }

// shape holds per-device dimensions of one layer under TP.
type shape struct {
	e, hd, qh, kvh, f, g float64 // embedding, head dim, q/kv heads per device, MLP width per device, gate factor
	tp                   float64
}

func newShape(m models.Config, tp int) shape {
	g := 1.0
	if m.UseGatedMLP {
		g = 2
	}
	return shape{
		e: float64(m.EmbeddingDim), hd: float64(m.HeadDim()),
		qh: float64(m.NumQHeads / tp), kvh: float64((m.NumKVHeads + tp - 1) / tp),
		f: float64(m.MLPHiddenDim / tp), g: g, tp: float64(tp),
	}
}

// bytesPerElem is fp16/bf16.
const bytesPerElem = 2

// OpWork returns the FLOPs and bytes of op for model m at tensor
// parallelism tp, on one device, at Vidur's feature key: (num_tokens) for
// token ops, (batch_size, kv_cache_size) for attn_decode and
// (kv_cache_size, prefill_chunk_size) for attn_prefill — the chunk, not its
// square. Formulas (N tokens, E embedding, d head dim, q/k heads per device,
// F MLP width per device, g = 2 if gated else 1, B = 2 bytes):
//
//	attn_pre_proj   2·N·E·d(q+2k) FLOPs; B·(E·d(q+2k) + N·E + N·d(q+2k)) bytes
//	attn_post_proj  2·N·d·q·E;          B·(d·q·E + N·d·q + N·E)
//	mlp_up_proj     2·N·E·g·F;          B·(E·g·F + N·E + N·g·F)
//	mlp_down_proj   2·N·F·E;            B·(F·E + N·F + N·E)
//	mlp_act         B·N·F·(g+1) bytes;  norms B·2·N·E; add B·3·N·E
//	attn_rope       B·2·N·d(q+k);       attn_kv_cache_save B·4·N·d·k
//	attn_prefill    4·q·d·c·(kv + c/2) FLOPs (causal); B·(2·k·d·(kv+c) + 2·q·d·c) bytes
//	attn_decode     4·q·d·b·kv;         B·b·(2·k·d·kv + 2·q·d)
//	all_reduce      ring: 2(tp−1)/tp · B·N·E bytes over the link, 2(tp−1) steps
//	send_recv       B·N·E bytes, 1 step
func OpWork(op string, m models.Config, tp int, key ...int) Work {
	s := newShape(m, tp)
	const b = bytesPerElem
	n := float64(key[0])
	qkv := s.hd * (s.qh + 2*s.kvh)
	switch op {
	case OpAttnPreProj:
		return Work{2 * n * s.e * qkv, b * (s.e*qkv + n*s.e + n*qkv), 0}
	case OpAttnPostProj:
		return Work{2 * n * s.hd * s.qh * s.e, b * (s.hd*s.qh*s.e + n*s.hd*s.qh + n*s.e), 0}
	case OpMLPUpProj:
		return Work{2 * n * s.e * s.g * s.f, b * (s.e*s.g*s.f + n*s.e + n*s.g*s.f), 0}
	case OpMLPDownProj:
		return Work{2 * n * s.f * s.e, b * (s.f*s.e + n*s.f + n*s.e), 0}
	case OpMLPAct:
		return Work{4 * n * s.f, b * n * s.f * (s.g + 1), 0}
	case OpInputLayernorm, OpPostAttentionLayernorm:
		return Work{5 * n * s.e, b * (2*n*s.e + s.e), 0}
	case OpAdd:
		return Work{n * s.e, b * 3 * n * s.e, 0}
	case OpAttnRope:
		return Work{6 * n * s.hd * (s.qh + s.kvh), b * 2 * n * s.hd * (s.qh + s.kvh), 0}
	case OpAttnKVCacheSave:
		return Work{0, b * 4 * n * s.hd * s.kvh, 0}
	case OpAttnPrefill:
		kv, c := n, float64(key[1])
		return Work{4 * s.qh * s.hd * c * (kv + c/2), b * (2*s.kvh*s.hd*(kv+c) + 2*s.qh*s.hd*c), 0}
	case OpAttnDecode:
		bs, kv := n, float64(key[1])
		return Work{4 * s.qh * s.hd * bs * kv, b * bs * (2*s.kvh*s.hd*kv + 2*s.qh*s.hd), 0}
	case OpAllReduce:
		return Work{0, 2 * (s.tp - 1) / s.tp * b * n * s.e, 2 * (s.tp - 1)}
	case OpSendRecv:
		return Work{0, b * n * s.e, 1}
	}
	return Work{}
}

// Roofline is a device's peaks in the units the model uses.
type Roofline struct {
	FLOPsPerMs      float64 // peak dense fp16 FLOP per ms
	BytesPerMs      float64 // device memory bytes per ms
	LinkBytesPerMs  float64 // interconnect bytes per ms per device
	DeviceName      string
	NodeName        string
	DevicesPerNode  int
	InterconnectGBs float64
}

// NewRoofline converts catalog figures (TFLOP/s, GB/s) to per-ms peaks.
func NewRoofline(dev hardware.Device, node hardware.Node) Roofline {
	return Roofline{
		FLOPsPerMs: dev.FP16TFLOPS * 1e12 / 1e3, BytesPerMs: dev.MemoryBandwidthGBps * 1e9 / 1e3,
		LinkBytesPerMs: node.InterconnectGBps * 1e9 / 1e3, DeviceName: dev.Name, NodeName: node.Name,
		DevicesPerNode: node.DevicesPerNode, InterconnectGBs: node.InterconnectGBps,
	}
}

// OpTimeMs is the analytical time of one op invocation in ms:
//
//	max(FLOPs / (peak·eff_compute), bytes / (bandwidth·eff_memory)) + launch
//
// with the factors of the op's class (elementwise ops: PerOp[op] when
// present); network ops use bytes / (link·eff) + steps·latency with the
// node's PerNode factors when present.
func OpTimeMs(op string, w Work, r Roofline, e Efficiency) float64 {
	switch classOf(op) {
	case classGEMM:
		return math.Max(w.FLOPs/(r.FLOPsPerMs*e.GEMMCompute), w.Bytes/(r.BytesPerMs*e.GEMMMemory)) + e.GEMMLaunchMs
	case classAttention:
		return math.Max(w.FLOPs/(r.FLOPsPerMs*e.AttentionCompute), w.Bytes/(r.BytesPerMs*e.AttentionMemory)) + e.AttentionLaunchMs
	case classNetwork:
		f := KernelFactor{e.Network, e.NetworkLatencyMs}
		if nf, ok := e.PerNode[r.NodeName]; ok {
			f = nf
		}
		return w.Bytes/(r.LinkBytesPerMs*f.Memory) + w.Steps*f.LaunchMs
	}
	f := KernelFactor{e.ElementwiseMemory, e.ElementwiseLaunchMs}
	if of, ok := e.PerOp[op]; ok {
		f = of
	}
	return w.Bytes/(r.BytesPerMs*f.Memory) + f.LaunchMs
}

// AnalyticalTable fills op's dense table on grid g from the roofline model.
func AnalyticalTable(op string, m models.Config, tp int, r Roofline, e Efficiency, g Grid) []float64 {
	kind, _ := KindOf(op)
	vals := make([]float64, g.Len(kind))
	nkv := g.NumKV()
	switch kind {
	case KindTokens, KindBatch:
		for i := range vals {
			vals[i] = OpTimeMs(op, OpWork(op, m, tp, i+1), r, e)
		}
	case KindDecode:
		for b := 1; b <= g.MaxBatchSize; b++ {
			for j := range nkv {
				vals[(b-1)*nkv+j] = OpTimeMs(op, OpWork(op, m, tp, b, j*g.KVGranularity), r, e)
			}
		}
	case KindPrefill:
		for j := range nkv {
			for c := 1; c <= g.MaxPrefillChunk; c++ {
				vals[j*g.MaxPrefillChunk+c-1] = OpTimeMs(op, OpWork(op, m, tp, j*g.KVGranularity, c), r, e)
			}
		}
	}
	return vals
}

// analyticalNote describes the efficiency factors for an artifact header.
func analyticalNote(e Efficiency, source string) string {
	return fmt.Sprintf("analytical roofline, not measured: efficiency gemm compute %.3f memory %.3f launch %.4f ms; elementwise memory %.3f launch %.4f ms; attention compute %.3f memory %.3f launch %.4f ms; network %.3f latency %.4f ms (%s)",
		e.GEMMCompute, e.GEMMMemory, e.GEMMLaunchMs, e.ElementwiseMemory, e.ElementwiseLaunchMs,
		e.AttentionCompute, e.AttentionMemory, e.AttentionLaunchMs, e.Network, e.NetworkLatencyMs, source)
}

// Analytical builds an artifact entirely from the roofline model for model m
// on dev in node at tensor parallelism tp (all_reduce when tp > 1;
// send_recv whenever the node has an interconnect bandwidth, for pipeline
// parallelism), on Vidur's default grid.
// Every op's provenance is "analytical": not measured.
func Analytical(m models.Config, dev hardware.Device, node hardware.Node, tp int, eff Efficiency) (*Artifact, error) {
	return AnalyticalOnGrid(m, dev, node, tp, eff, DefaultGrid())
}

// AnalyticalOnGrid is Analytical on a chosen grid.
func AnalyticalOnGrid(m models.Config, dev hardware.Device, node hardware.Node, tp int, eff Efficiency, g Grid) (*Artifact, error) {
	if err := checkAnalyticalInputs(m, dev, node, tp, eff, g); err != nil {
		return nil, err
	}
	r := NewRoofline(dev, node)
	a := NewArtifact(Header{Model: m.Name, ModelConfig: m, Device: dev.Name, Node: node.Name, TP: tp,
		Predictor: PredictorAnalytical, Grid: g, Notes: []string{analyticalNote(eff, "device "+dev.Name)}})
	ops := append(append([]string{}, MLPOps...), OpAttnKVCacheSave, OpAttnPrefill, OpAttnDecode)
	if tp > 1 {
		ops = append(ops, OpAllReduce)
	}
	if node.InterconnectGBps > 0 {
		ops = append(ops, OpSendRecv)
	}
	for _, op := range ops {
		if err := a.SetTable(OpInfo{Name: op, Provenance: ProvenanceAnalytical, Predictor: PredictorAnalytical},
			AnalyticalTable(op, m, tp, r, eff, g)); err != nil {
			return nil, err
		}
	}
	return a, nil
}

func checkAnalyticalInputs(m models.Config, dev hardware.Device, node hardware.Node, tp int, eff Efficiency, g Grid) error {
	if err := m.Validate(tp, 1); err != nil {
		return err
	}
	if dev.FP16TFLOPS <= 0 || dev.MemoryBandwidthGBps <= 0 {
		return fmt.Errorf("device %q has fp16_tflops %v and memory_bandwidth_gbps %v; the analytical model needs both positive", dev.Name, dev.FP16TFLOPS, dev.MemoryBandwidthGBps)
	}
	if tp > 1 && node.InterconnectGBps <= 0 {
		return fmt.Errorf("node %q has interconnect_gbps %v; TP %d needs a positive interconnect bandwidth", node.Name, node.InterconnectGBps, tp)
	}
	if err := eff.Validate(); err != nil {
		return err
	}
	return g.Validate()
}

var mathNaN = math.NaN()
