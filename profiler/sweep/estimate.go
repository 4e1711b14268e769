package sweep

import "math"

// Device is what the planner needs to know about the accelerator it plans
// for: the roofline figures of the hardware catalog.
type Device struct {
	Name string `json:"name"`
	// PeakTFLOPS is the dense fp16/bf16 peak in TFLOP/s.
	PeakTFLOPS float64 `json:"peak_tflops"`
	// MemoryBandwidthGBps is the device-memory bandwidth in GB/s (10^9 B/s).
	MemoryBandwidthGBps float64 `json:"memory_bandwidth_gbps"`
	// MemoryGB is the device memory in GiB (bounds the attention grid).
	MemoryGB float64 `json:"memory_gb"`
	// InterconnectGBps is the per-device intra-node bandwidth in GB/s used
	// for collectives; 0 means collectives are estimated at memory bandwidth/10.
	InterconnectGBps float64 `json:"interconnect_gbps"`
}

// Roofline calibration. Measured kernels reach a fraction of the datasheet
// peaks; these factors are typical of cuBLAS GEMMs and bandwidth-bound
// elementwise kernels on A100/H100 and only scale the estimates.
const (
	// ComputeEfficiency is the fraction of PeakTFLOPS a large fp16 GEMM or
	// flash-attention kernel reaches.
	ComputeEfficiency = 0.7
	// MemoryEfficiency is the fraction of MemoryBandwidthGBps a streaming
	// kernel reaches.
	MemoryEfficiency = 0.8
	// KernelLaunchMs is the fixed cost of one kernel (launch + tail), in ms.
	KernelLaunchMs = 0.005
	// CollectiveLatencyMs is the fixed latency of one NCCL collective, in ms.
	CollectiveLatencyMs = 0.02
	// GEMMTileTokens is the M-tile of a tensor-core GEMM: the compute term
	// of a linear layer is charged for ceil(tokens/64)·64 rows, which gives
	// the estimate the steps that wave/tile quantization gives the measured
	// curve.
	GEMMTileTokens = 64
	// AttentionTileTokens is the query tile of a flash-attention kernel.
	AttentionTileTokens = 128
	// BytesPerElement is the element size of the fp16/bf16 sweep.
	BytesPerElement = 2
)

// Estimate returns the roofline time in milliseconds of one execution of op
// at shape s on device d:
//
//	t = max(FLOPs / (PeakTFLOPS·1e12·ComputeEfficiency),
//	        bytes / (MemoryBandwidthGBps·1e9·MemoryEfficiency)) · 1e3 + KernelLaunchMs
//
// with FLOPs and bytes (fp16) per operation:
//
//	linear:        2·ceil64(T)·In·Out FLOPs; 2·(In·Out + T·In + T·Out) bytes
//	norm:          read + write T·Hidden (layer_norm also reads bias/weight)
//	act:           read (1 or 2)·T·Hidden, write T·Hidden
//	rope:          read + write T·(QHeads+KVHeads)·HeadDim
//	add:           read Operands·T·Hidden, write T·Hidden
//	attn_prefill:  4·QHeads·HeadDim·ceil128(C)·(KV + C/2) FLOPs (causal);
//	               q,o: 2·C·QHeads·HeadDim, k,v: 2·(KV+C)·KVHeads·HeadDim elements
//	attn_decode:   4·B·KV·QHeads·HeadDim FLOPs; 2·B·KV·KVHeads·HeadDim elements
//	kv_cache_save: read + write 2·T·KVHeads·HeadDim
//	all_reduce:    ring: 2·(n−1)/n·Bytes over the interconnect + latency
//	send_recv:     Bytes over the interconnect + latency
//
// The estimate sizes the sweep and places budgeted points; it is not a
// prediction of serving time. Preconditions: d has positive peaks.
func Estimate(op string, s Shape, d Device) float64 {
	const b = BytesPerElement
	var flops, bytes float64
	t := float64(s.Tokens)
	switch op {
	case OpLinear:
		flops = 2 * float64(ceilTo(s.Tokens, GEMMTileTokens)) * float64(s.In) * float64(s.Out)
		bytes = b * (float64(s.In)*float64(s.Out) + t*float64(s.In) + t*float64(s.Out))
	case OpNorm:
		bytes = b * (2*t*float64(s.Hidden) + 2*float64(s.Hidden))
		flops = 5 * t * float64(s.Hidden)
	case OpAct:
		in := 1.0
		if s.Gated {
			in = 2
		}
		bytes = b * (in + 1) * t * float64(s.Hidden)
		flops = 8 * t * float64(s.Hidden)
	case OpRope:
		bytes = b * 2 * t * float64(s.QHeads+s.KVHeads) * float64(s.HeadDim)
		flops = 6 * t * float64(s.QHeads+s.KVHeads) * float64(s.RotaryDim)
	case OpAdd:
		bytes = b * float64(s.Operands+1) * t * float64(s.Hidden)
		flops = float64(s.Operands-1) * t * float64(s.Hidden)
	case OpAttnPrefill:
		c, kv := float64(s.Chunk), float64(s.KV)
		flops = 4 * float64(s.QHeads*s.HeadDim) * float64(ceilTo(s.Chunk, AttentionTileTokens)) * (kv + c/2)
		bytes = b * (2*c*float64(s.QHeads*s.HeadDim) + 2*(kv+c)*float64(s.KVHeads*s.HeadDim))
	case OpAttnDecode:
		bk := float64(s.Batch) * float64(s.KV)
		flops = 4 * bk * float64(s.QHeads*s.HeadDim)
		bytes = b * (2*bk*float64(s.KVHeads*s.HeadDim) + 2*float64(s.Batch*s.QHeads*s.HeadDim))
	case OpKVSave:
		bytes = b * 4 * t * float64(s.KVHeads*s.HeadDim)
	case OpAllReduce, OpSendRecv:
		bw := d.InterconnectGBps
		if bw <= 0 {
			bw = d.MemoryBandwidthGBps / 10
		}
		vol := float64(s.Bytes)
		if op == OpAllReduce && s.Workers > 1 {
			vol *= 2 * float64(s.Workers-1) / float64(s.Workers)
		}
		return vol/(bw*1e9)*1e3 + CollectiveLatencyMs
	default:
		panic("sweep: Estimate: unknown op " + op)
	}
	compute := flops / (d.PeakTFLOPS * 1e12 * ComputeEfficiency)
	memory := bytes / (d.MemoryBandwidthGBps * 1e9 * MemoryEfficiency)
	return math.Max(compute, memory)*1e3 + KernelLaunchMs
}

// ShapeOverheadMs is the fixed wall time each measured shape costs beyond
// its timed executions: building inputs, synchronising, and one JSON round
// trip with the worker.
const ShapeOverheadMs = 5.0

// ShapeSeconds is the expected wall time in seconds of measuring one point:
// (warmup + repeats) executions at estimateMs plus ShapeOverheadMs.
func ShapeSeconds(estimateMs float64, warmup, repeats int) float64 {
	return (float64(warmup+repeats)*estimateMs + ShapeOverheadMs) / 1e3
}

func ceilTo(v, m int) int { return (v + m - 1) / m * m }
