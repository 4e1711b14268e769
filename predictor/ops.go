package predictor

// Operator names, exactly as Vidur names its models and prediction tables
// (spec §9.1). They are the keys of an artifact's tables.
const (
	OpAttnPreProj            = "attn_pre_proj"
	OpAttnPostProj           = "attn_post_proj"
	OpMLPUpProj              = "mlp_up_proj"
	OpMLPDownProj            = "mlp_down_proj"
	OpMLPAct                 = "mlp_act"
	OpInputLayernorm         = "input_layernorm"
	OpPostAttentionLayernorm = "post_attention_layernorm"
	OpAttnRope               = "attn_rope"
	OpAdd                    = "add"
	OpAttnKVCacheSave        = "attn_kv_cache_save"
	OpAttnPrefill            = "attn_prefill"
	OpAttnDecode             = "attn_decode"
	OpAllReduce              = "all_reduce"
	OpSendRecv               = "send_recv"
	OpSchedule               = "schedule"
	OpSamplerE2E             = "sampler_e2e"
	OpPrepareInputsE2E       = "prepare_inputs_e2e"
	OpProcessModelOutputs    = "process_model_outputs"
	OpRayCommTime            = "ray_comm_time"
)

// MLPOps are the operators trained from a model's mlp.csv profile, in
// Vidur's training order; each is a table over num_tokens.
var MLPOps = []string{
	OpAttnPreProj, OpAttnPostProj, OpMLPUpProj, OpMLPDownProj, OpMLPAct,
	OpInputLayernorm, OpPostAttentionLayernorm, OpAttnRope, OpAdd,
}

// CPUOps are the CPU-overhead operators, each a table over batch size. Vidur
// skips them by default (skip_cpu_overhead_modeling = True).
var CPUOps = []string{
	OpSchedule, OpSamplerE2E, OpPrepareInputsE2E, OpProcessModelOutputs, OpRayCommTime,
}

// TableKind says how an operator's table is indexed.
type TableKind int

const (
	// KindTokens: one value per num_tokens in 1..Grid.MaxTokens.
	KindTokens TableKind = iota
	// KindDecode: batch_size 1..Grid.MaxBatchSize × kv_cache_size
	// 0..Grid.MaxKVTokens in steps of Grid.KVGranularity.
	KindDecode
	// KindPrefill: kv_cache_size 0..Grid.MaxKVTokens in steps of
	// Grid.KVGranularity × prefill chunk 1..Grid.MaxPrefillChunk (Vidur keys
	// it by chunk²; the artifact stores it by chunk).
	KindPrefill
	// KindBatch: one value per batch_size in 1..Grid.MaxBatchSize.
	KindBatch
)

// String returns the kind's name as written in artifact headers.
func (k TableKind) String() string {
	switch k {
	case KindTokens:
		return "num_tokens"
	case KindDecode:
		return "decode"
	case KindPrefill:
		return "prefill"
	case KindBatch:
		return "batch_size"
	}
	return "unknown"
}

// KindOf returns the table kind of a known operator and false for an
// unknown name.
func KindOf(op string) (TableKind, bool) {
	switch op {
	case OpAttnPrefill:
		return KindPrefill, true
	case OpAttnDecode:
		return KindDecode, true
	case OpAttnKVCacheSave, OpAllReduce, OpSendRecv:
		return KindTokens, true
	}
	for _, o := range MLPOps {
		if o == op {
			return KindTokens, true
		}
	}
	for _, o := range CPUOps {
		if o == op {
			return KindBatch, true
		}
	}
	return 0, false
}

// Features returns Vidur's feature columns for an operator's model and the
// key columns of its prediction table (spec §9.1, §9.4).
func Features(op string) []string {
	k, _ := KindOf(op)
	switch k {
	case KindPrefill:
		return []string{"kv_cache_size", "prefill_chunk_size_squared"}
	case KindDecode:
		return []string{"batch_size", "kv_cache_size"}
	case KindBatch:
		return []string{"batch_size"}
	}
	return []string{"num_tokens"}
}

// Target returns the profile column an operator's model predicts.
func Target(op string) string {
	if op == OpRayCommTime {
		return "ray_comm_time_mean"
	}
	if k, _ := KindOf(op); k == KindBatch {
		return op + "_median"
	}
	return "time_stats." + op + ".median"
}
