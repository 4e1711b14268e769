package sweep

import "sort"

// NumTokensGrid returns Vidur's default num_tokens sweep for the compute
// (mlp.csv) profile, limited to maxTokens, ascending and without
// duplicates (spec §12):
//
//	{1, 2, 4} ∪ 8..1016 step 8 ∪ 1024..2048 step 16 ∪ 2048..4096 step 32
//	∪ 4096..8192 step 64 ∪ 8192..16384 step 128 ∪ 16384..32768 step 256
//	∪ 32768..65536 step 512 ∪ 65536..131072 step 1024
//
// (each range inclusive of its end). Vidur's own list repeats the range
// boundaries (2048, 4096, ...) and so profiles them twice; here each value
// appears once. maxTokens < 1 gives an empty grid.
func NumTokensGrid(maxTokens int) []int {
	var out []int
	add := func(v int) {
		if v <= maxTokens && (len(out) == 0 || out[len(out)-1] < v) {
			out = append(out, v)
		}
	}
	for _, v := range []int{1, 2, 4} {
		add(v)
	}
	for v := 8; v < 1024; v += 8 {
		add(v)
	}
	steps := []struct{ lo, hi, step int }{
		{1024, 2048, 16}, {2048, 4096, 32}, {4096, 8192, 64}, {8192, 16384, 128},
		{16384, 32768, 256}, {32768, 65536, 512}, {65536, 131072, 1024},
	}
	for _, s := range steps {
		for v := s.lo; v <= s.hi; v += s.step {
			add(v)
		}
	}
	return out
}

// SeqLengthGrid returns Vidur's attention sequence-length set used for full
// prefills and for decode KV-cache sizes (spec §12):
// 32..992 step 32 ∪ 1024..(maxSeqLen-64) step 64, i.e. every value of
// {0..1024 step 32, 1024..maxSeqLen step 64} that is > 0 and < maxSeqLen.
func SeqLengthGrid(maxSeqLen int) []int {
	var out []int
	for v := 32; v < 1024 && v < maxSeqLen; v += 32 {
		out = append(out, v)
	}
	for v := 1024; v < maxSeqLen; v += 64 {
		out = append(out, v)
	}
	return out
}

// ChunkSizeGrid returns Vidur's chunked-prefill chunk sizes, limited to
// maxSeqLen (spec §12): 64..112 step 16 ∪ 128..992 step 32 ∪
// 1024..maxSeqLen step 64 (the last range inclusive).
func ChunkSizeGrid(maxSeqLen int) []int {
	var out []int
	for v := 64; v < 128 && v <= maxSeqLen; v += 16 {
		out = append(out, v)
	}
	for v := 128; v < 1024 && v <= maxSeqLen; v += 32 {
		out = append(out, v)
	}
	for v := 1024; v <= maxSeqLen; v += 64 {
		out = append(out, v)
	}
	return out
}

// BatchSizeGrid returns the decode batch sizes 1..maxBatch (Vidur profiles
// every batch size up to its default maximum of 128, then every 8th up to
// 1024 when the maximum is larger).
func BatchSizeGrid(maxBatch int) []int {
	var out []int
	for v := 1; v <= maxBatch && v <= 128; v++ {
		out = append(out, v)
	}
	for v := 136; v <= maxBatch && v <= 1024; v += 8 {
		out = append(out, v)
	}
	return out
}

// CPUOverheadBatchGrid returns Vidur's CPU-overhead batch sizes
// {8..64 step 8, 64..256 step 16} limited to maxBatch (spec §12).
func CPUOverheadBatchGrid(maxBatch int) []int {
	var out []int
	for v := 8; v <= 64 && v <= maxBatch; v += 8 {
		out = append(out, v)
	}
	for v := 80; v <= 256 && v <= maxBatch; v += 16 {
		out = append(out, v)
	}
	return out
}

// uniqueSorted sorts xs ascending and drops repeats, in place.
func uniqueSorted(xs []int) []int {
	sort.Ints(xs)
	out := xs[:0]
	for i, v := range xs {
		if i == 0 || v != xs[i-1] {
			out = append(out, v)
		}
	}
	return out
}
