package profiler

// Profile kinds: the Manifest.Kind values and the stem of each kind's
// canonical file name.
const (
	KindMLP         = "mlp"
	KindAttention   = "attention"
	KindAllReduce   = "all_reduce"
	KindSendRecv    = "send_recv"
	KindCPUOverhead = "cpu_overhead"
)

// Kinds lists every profile kind in a fixed order.
var Kinds = []string{KindMLP, KindAttention, KindAllReduce, KindSendRecv, KindCPUOverhead}

// Stats summarises the repeated timings of one operator for one input, in
// milliseconds: columns time_stats.<op>.{min,max,mean,median,std}. Std is
// the population standard deviation (numpy's default). A stat whose column
// is absent from a file reads as 0.
type Stats struct{ Min, Max, Mean, Median, Std float64 }

// StatNames are the stat suffixes of a time_stats column, in Vidur's order.
var StatNames = [5]string{"min", "max", "mean", "median", "std"}

// MLPOps are the operators of Vidur's MLP/compute profile in its column order.
var MLPOps = []string{
	"emb", "input_layernorm", "attn_pre_proj", "attn_rope", "attn_post_proj",
	"post_attention_layernorm", "mlp_up_proj", "mlp_act", "mlp_down_proj", "add",
}

// AttentionOps are the operators of Vidur's attention profile in its column order.
var AttentionOps = []string{
	"attn_input_reshape", "attn_kv_cache_save", "attn_prefill", "attn_decode", "attn_output_reshape",
}

// MLPRow is one row of mlp.csv: the timings of one transformer block's
// non-attention operators for NumTokens tokens with the model's weights
// sharded over TP tensor-parallel workers.
type MLPRow struct {
	// Model shape: n_head, n_kv_head, n_embd (hidden size), n_expanded_embd
	// (MLP intermediate size), vocab_size, use_gated_mlp.
	NHead, NKVHead, NEmbd, NExpandedEmbd, VocabSize int
	UseGatedMLP                                     bool
	// NumTokens is num_tokens (tokens in the batch); TP is
	// num_tensor_parallel_workers.
	NumTokens, TP int
	// Ops maps an operator name (see MLPOps) to its timings; it holds only
	// the operators the row measures.
	Ops map[string]Stats
}

// AttentionRow is one row of attention.csv: the attention timings of one
// batch. Prefill rows (IsPrefill, BatchSize 1) process PrefillChunkSize new
// tokens on top of KVCacheSize cached ones; decode rows (PrefillChunkSize 0)
// process one token for each of BatchSize requests with KVCacheSize cached
// tokens each.
type AttentionRow struct {
	NEmbd, NQHead, NKVHead, BlockSize, TP, MaxModelLen, BatchSize, PrefillChunkSize, KVCacheSize int
	IsPrefill                                                                                    bool
	// Backend is attention_backend, e.g. "AttentionBackend.FLASHINFER".
	Backend string
	// Ops maps an operator name (see AttentionOps) to its timings.
	Ops map[string]Stats
}

// CollectiveRow is one row of all_reduce.csv or send_recv.csv: the time of
// one NCCL collective over SizeBytes bytes among NumWorkers GPUs placed
// DevicesPerNode to a node (MaxDevicesPerNode is the node's GPU count).
type CollectiveRow struct {
	// Collective is "all_reduce" or "send_recv".
	Collective        string
	Rank, NumWorkers  int
	SizeBytes         int64
	DevicesPerNode    int
	MaxDevicesPerNode int
	// Stats is time_stats.<Collective>.*, in ms.
	Stats Stats
}

// CPUOverheadRow is one row of cpu_overheads.csv: the serving engine's CPU
// overheads in ms for ModelName at BatchSize requests with TP
// (tensor_parallel_degree) workers.
type CPUOverheadRow struct {
	ModelName     string
	BatchSize, TP int
	// Values maps a column name to its value in ms: "<op>_mean",
	// "<op>_median" and "ray_comm_time_mean".
	Values map[string]float64
}
