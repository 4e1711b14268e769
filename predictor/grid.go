package predictor

import "fmt"

// Grid is the set of feature values an artifact holds predictions for
// (Vidur's prediction grid, spec §9.3). Every lookup the batch-time model
// makes must fall inside it.
type Grid struct {
	// MaxTokens bounds the token-indexed tables: num_tokens ∈ 1..MaxTokens.
	// Vidur: prediction_max_tokens_per_request (4096), × max batch size for
	// the orca scheduler.
	MaxTokens int `json:"max_tokens"`
	// MaxBatchSize bounds attn_decode and CPU tables: batch_size ∈
	// 1..MaxBatchSize (prediction_max_batch_size, 128).
	MaxBatchSize int `json:"max_batch_size"`
	// MaxKVTokens bounds the kv_cache_size axis of the attention tables:
	// kv ∈ {0, G, 2G, …} up to MaxKVTokens (prediction_max_tokens_per_request).
	MaxKVTokens int `json:"max_kv_tokens"`
	// KVGranularity is G, the kv_cache_size step (kv_cache_prediction_granularity, 64).
	KVGranularity int `json:"kv_granularity"`
	// MaxPrefillChunk bounds the prefill chunk axis: chunk ∈ 1..MaxPrefillChunk
	// (prediction_max_prefill_chunk_size, 4096).
	MaxPrefillChunk int `json:"max_prefill_chunk"`
}

// DefaultGrid returns Vidur's default prediction grid for every scheduler
// but orca: 4096 tokens, batch 128, kv step 64, prefill chunk 4096.
func DefaultGrid() Grid {
	return Grid{MaxTokens: 4096, MaxBatchSize: 128, MaxKVTokens: 4096, KVGranularity: 64, MaxPrefillChunk: 4096}
}

// Validate reports a grid whose limits are not positive.
func (g Grid) Validate() error {
	for _, f := range []struct {
		name string
		v    int
	}{{"max_tokens", g.MaxTokens}, {"max_batch_size", g.MaxBatchSize}, {"max_kv_tokens", g.MaxKVTokens},
		{"kv_granularity", g.KVGranularity}, {"max_prefill_chunk", g.MaxPrefillChunk}} {
		if f.v <= 0 {
			return fmt.Errorf("grid %s is %d, want a positive integer", f.name, f.v)
		}
	}
	return nil
}

// NumKV is the number of kv_cache_size values on the attention axes:
// floor(MaxKVTokens / KVGranularity) + 1 (0 included).
func (g Grid) NumKV() int { return g.MaxKVTokens/g.KVGranularity + 1 }

// Shape returns the dimensions of an operator table of kind k on this grid.
func (g Grid) Shape(k TableKind) []int {
	switch k {
	case KindDecode:
		return []int{g.MaxBatchSize, g.NumKV()}
	case KindPrefill:
		return []int{g.NumKV(), g.MaxPrefillChunk}
	case KindBatch:
		return []int{g.MaxBatchSize}
	}
	return []int{g.MaxTokens}
}

// Len returns the number of values of a table of kind k on this grid.
func (g Grid) Len(k TableKind) int {
	n := 1
	for _, d := range g.Shape(k) {
		n *= d
	}
	return n
}

// ceilTo rounds x up to a multiple of g (Vidur's integer round-up).
func ceilTo(x, g int) int { return ((x + g - 1) / g) * g }
