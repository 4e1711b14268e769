package sweep

import (
	"encoding/json"
	"fmt"
)

// Worker operation names: what the measurement worker knows how to time.
// Each Point names one of these and carries its Shape.
const (
	OpLinear      = "linear"        // y = x·Wᵀ: Tokens × In -> Tokens × Out
	OpNorm        = "norm"          // RMSNorm or LayerNorm (Kind) over Hidden
	OpAct         = "act"           // activation (Kind), gated: act(x1)·x2
	OpRope        = "rope"          // rotary embedding of q and k
	OpAdd         = "add"           // residual add of Operands tensors
	OpAttnPrefill = "attn_prefill"  // causal attention of Chunk new tokens over KV+Chunk
	OpAttnDecode  = "attn_decode"   // Batch single-token queries over KV cached tokens each
	OpKVSave      = "kv_cache_save" // write Tokens keys and values into paged blocks
	OpAllReduce   = "all_reduce"    // all-reduce of Bytes over Workers devices
	OpSendRecv    = "send_recv"     // point-to-point transfer of Bytes between 2 devices
)

// Vidur's operation names: the time_stats.<name> columns of the CSVs the
// trainer reads (spec §9.1).
const (
	NameAttnPreProj  = "attn_pre_proj"
	NameAttnPostProj = "attn_post_proj"
	NameMLPUpProj    = "mlp_up_proj"
	NameMLPDownProj  = "mlp_down_proj"
	NameMLPAct       = "mlp_act"
	NameInputNorm    = "input_layernorm"
	NamePostAttnNorm = "post_attention_layernorm"
	NameAttnRope     = "attn_rope"
	NameAdd          = "add"
	NameAttnPrefill  = "attn_prefill"
	NameAttnDecode   = "attn_decode"
	NameAttnKVSave   = "attn_kv_cache_save"
	NameAllReduce    = "all_reduce"
	NameSendRecv     = "send_recv"
)

// Shape is the per-device problem size of one measurement. Only the fields
// an operation uses are set; the rest stay zero (and are omitted in JSON).
// All sizes are per tensor-parallel shard: heads and widths are already
// divided by the TP degree.
type Shape struct {
	Tokens    int    `json:"tokens,omitempty"`     // rows of the activation matrix
	In        int    `json:"in,omitempty"`         // linear: input features
	Out       int    `json:"out,omitempty"`        // linear: output features
	Hidden    int    `json:"hidden,omitempty"`     // norm/add/act width
	Kind      string `json:"kind,omitempty"`       // norm: rms_norm|layer_norm; act: silu|gelu
	Gated     bool   `json:"gated,omitempty"`      // act: gated (input is 2×Hidden wide)
	Operands  int    `json:"operands,omitempty"`   // add: tensors summed (2 or 3)
	QHeads    int    `json:"q_heads,omitempty"`    // attention/rope: query heads per shard
	KVHeads   int    `json:"kv_heads,omitempty"`   // attention/rope/kv: KV heads per shard
	HeadDim   int    `json:"head_dim,omitempty"`   // attention/rope/kv
	RotaryDim int    `json:"rotary_dim,omitempty"` // rope: rotated dimensions per head
	BlockSize int    `json:"block_size,omitempty"` // paged KV cache block size (tokens)
	Batch     int    `json:"batch,omitempty"`      // decode: requests
	Chunk     int    `json:"chunk,omitempty"`      // prefill: new tokens
	KV        int    `json:"kv,omitempty"`         // attention: cached tokens per request
	Bytes     int    `json:"bytes,omitempty"`      // collective: message size in bytes
	Workers   int    `json:"workers,omitempty"`    // collective: devices taking part
}

// Point is one unique measurement: an operation at a shape. Points are
// shared by every row (model, TP degree, op name) that needs the same
// per-shard computation.
type Point struct {
	// Key identifies the measurement: "<op> <shape JSON>". Two rows that
	// need the same Key reuse one measurement.
	Key   string `json:"key"`
	Op    string `json:"op"`
	Shape Shape  `json:"shape"`
	// EstimateMs is the roofline estimate of one execution on the planned
	// device, in milliseconds (see Estimate).
	EstimateMs float64 `json:"estimate_ms"`
}

// PointKey returns the canonical key of (op, shape).
func PointKey(op string, s Shape) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(fmt.Sprintf("sweep: marshal shape: %v", err)) // a struct of ints and strings cannot fail
	}
	return op + " " + string(b)
}

// OpRef ties one of Vidur's operation names in a row to the measurement
// that provides its timing.
type OpRef struct {
	Name string `json:"name"`
	Key  string `json:"key"`
}

// MLPRow is one planned row of mlp.csv: a model, TP degree and token count,
// and the measurements its operation columns come from.
type MLPRow struct {
	Model     string  `json:"model"`
	TP        int     `json:"tp"`
	NumTokens int     `json:"num_tokens"`
	Ops       []OpRef `json:"ops"`
}

// AttentionRow is one planned row of attention.csv.
type AttentionRow struct {
	Model            string  `json:"model"`
	TP               int     `json:"tp"`
	BatchSize        int     `json:"batch_size"`
	PrefillChunkSize int     `json:"prefill_chunk_size"`
	KVCacheSize      int     `json:"kv_cache_size"`
	IsPrefill        bool    `json:"is_prefill"`
	Ops              []OpRef `json:"ops"`
}

// CollectiveRow is one planned row of all_reduce.csv or send_recv.csv.
type CollectiveRow struct {
	Collective string `json:"collective"`
	Workers    int    `json:"workers"`
	Bytes      int    `json:"bytes"`
	Key        string `json:"key"`
}
