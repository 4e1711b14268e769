package predictor

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/vidur-go/vidur-go/models"
	"github.com/vidur-go/vidur-go/profiler"
)

// Dataset is the training set of one operator model: feature rows X (Vidur's
// feature columns, Features(Op)), targets Y in ms, in profile-file order
// after filtering and de-duplication (spec §9.1).
type Dataset struct {
	Op     string
	X      [][]float64
	Y      []float64
	Source string // the profile file the rows came from
}

// EmptyDataError reports an operator whose filter matched no profile rows.
type EmptyDataError struct {
	Op, File, Filter, Found string
}

func (e *EmptyDataError) Error() string {
	return fmt.Sprintf("training data for %s is empty: no rows in %s match %s (found %s)", e.Op, e.File, e.Filter, e.Found)
}

// distinct formats the distinct values of a column, sorted.
func distinct(vals []string) string {
	seen := map[string]bool{}
	var out []string
	for _, v := range vals {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, ea := strconv.Atoi(out[i])
		b, eb := strconv.Atoi(out[j])
		if ea == nil && eb == nil {
			return a < b
		}
		return out[i] < out[j]
	})
	if len(out) > 12 {
		out = append(out[:12], "…")
	}
	return strings.Join(out, ", ")
}

func statsKey(ops map[string]profiler.Stats) string {
	names := make([]string, 0, len(ops))
	for k := range ops {
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, k := range names {
		s := ops[k]
		fmt.Fprintf(&b, "%s:%x,%x,%x,%x,%x;", k, math.Float64bits(s.Min), math.Float64bits(s.Max), math.Float64bits(s.Mean), math.Float64bits(s.Median), math.Float64bits(s.Std))
	}
	return b.String()
}

// MLPDatasets filters mlp.csv rows for model m at tensor parallelism tp and
// returns one dataset per operator in MLPOps (feature num_tokens, target the
// op's median). Filter: n_head, n_kv_head, n_embd, n_expanded_embd,
// use_gated_mlp, vocab_size, num_tensor_parallel_workers equal to the
// model's. Rows identical in every column are dropped (pandas
// drop_duplicates, first kept). Operators absent from the file
// (post_attention_layernorm, add, input_layernorm in older profiles) train
// on zeros, as Vidur fills the missing columns with 0; any other missing
// operator is an error.
func MLPDatasets(file string, rows []profiler.MLPRow, m models.Config, tp int) ([]Dataset, error) {
	filter := fmt.Sprintf("n_head=%d, n_kv_head=%d, n_embd=%d, n_expanded_embd=%d, use_gated_mlp=%v, vocab_size=%d, num_tensor_parallel_workers=%d",
		m.NumQHeads, m.NumKVHeads, m.EmbeddingDim, m.MLPHiddenDim, m.UseGatedMLP, m.VocabSize, tp)
	seen := map[string]bool{}
	var kept []profiler.MLPRow
	var tps, shapes []string
	for _, r := range rows {
		tps = append(tps, strconv.Itoa(r.TP))
		shapes = append(shapes, fmt.Sprintf("n_head=%d/n_kv_head=%d/n_embd=%d/n_expanded_embd=%d/vocab_size=%d", r.NHead, r.NKVHead, r.NEmbd, r.NExpandedEmbd, r.VocabSize))
		if r.NHead != m.NumQHeads || r.NKVHead != m.NumKVHeads || r.NEmbd != m.EmbeddingDim || r.NExpandedEmbd != m.MLPHiddenDim ||
			r.UseGatedMLP != m.UseGatedMLP || r.VocabSize != m.VocabSize || r.TP != tp {
			continue
		}
		k := fmt.Sprintf("%d,%d,%d,%d,%d,%v,%d,%d|%s", r.NHead, r.NKVHead, r.NEmbd, r.NExpandedEmbd, r.VocabSize, r.UseGatedMLP, r.NumTokens, r.TP, statsKey(r.Ops))
		if seen[k] {
			continue
		}
		seen[k] = true
		kept = append(kept, r)
	}
	if len(kept) == 0 {
		return nil, &EmptyDataError{Op: strings.Join(MLPOps, ", "), File: file, Filter: filter,
			Found: "TP values: " + distinct(tps) + "; model shapes: " + distinct(shapes)}
	}
	var out []Dataset
	for _, op := range MLPOps {
		d := Dataset{Op: op, Source: file}
		zeroOK := op == OpPostAttentionLayernorm || op == OpAdd || op == OpInputLayernorm
		for i, r := range kept {
			s, ok := r.Ops[op]
			if !ok && !zeroOK {
				return nil, fmt.Errorf("read %s: no time_stats.%s.median for row %d (n_tokens %d); want a value for every mlp operator", file, op, i, r.NumTokens)
			}
			d.X = append(d.X, []float64{float64(r.NumTokens)})
			d.Y = append(d.Y, s.Median)
		}
		out = append(out, d)
	}
	return out, nil
}

// AttentionDatasets filters attention.csv rows (n_embd, n_q_head, n_kv_head,
// block_size, num_tensor_parallel_workers equal to the model's, the block
// size and tp; backend and max_model_len not filtered), drops exact
// duplicates, and returns the datasets of attn_kv_cache_save (all rows,
// num_tokens = max(prefill_chunk_size, batch_size)), attn_prefill (rows with
// prefill_chunk_size > 0; features kv_cache_size, prefill_chunk_size²) and
// attn_decode (prefill_chunk_size == 0; features batch_size, kv_cache_size).
func AttentionDatasets(file string, rows []profiler.AttentionRow, m models.Config, tp, blockSize int) ([]Dataset, error) {
	filter := fmt.Sprintf("n_embd=%d, n_q_head=%d, n_kv_head=%d, block_size=%d, num_tensor_parallel_workers=%d",
		m.EmbeddingDim, m.NumQHeads, m.NumKVHeads, blockSize, tp)
	seen := map[string]bool{}
	save := Dataset{Op: OpAttnKVCacheSave, Source: file}
	pre := Dataset{Op: OpAttnPrefill, Source: file}
	dec := Dataset{Op: OpAttnDecode, Source: file}
	var tps, blocks, shapes []string
	for _, r := range rows {
		tps = append(tps, strconv.Itoa(r.TP))
		blocks = append(blocks, strconv.Itoa(r.BlockSize))
		shapes = append(shapes, fmt.Sprintf("n_embd=%d/n_q_head=%d/n_kv_head=%d", r.NEmbd, r.NQHead, r.NKVHead))
		if r.NEmbd != m.EmbeddingDim || r.NQHead != m.NumQHeads || r.NKVHead != m.NumKVHeads || r.BlockSize != blockSize || r.TP != tp {
			continue
		}
		k := fmt.Sprintf("%d,%d,%d,%d,%d,%d,%d,%d,%d,%v,%s|%s", r.NEmbd, r.NQHead, r.NKVHead, r.BlockSize, r.TP, r.MaxModelLen,
			r.BatchSize, r.PrefillChunkSize, r.KVCacheSize, r.IsPrefill, r.Backend, statsKey(r.Ops))
		if seen[k] {
			continue
		}
		seen[k] = true
		numTokens := max(r.PrefillChunkSize, r.BatchSize)
		save.X = append(save.X, []float64{float64(numTokens)})
		save.Y = append(save.Y, r.Ops[OpAttnKVCacheSave].Median)
		if r.PrefillChunkSize == 0 {
			dec.X = append(dec.X, []float64{float64(r.BatchSize), float64(r.KVCacheSize)})
			dec.Y = append(dec.Y, r.Ops[OpAttnDecode].Median)
		} else {
			c := float64(r.PrefillChunkSize)
			pre.X = append(pre.X, []float64{float64(r.KVCacheSize), c * c})
			pre.Y = append(pre.Y, r.Ops[OpAttnPrefill].Median)
		}
	}
	found := "TP values: " + distinct(tps) + "; block sizes: " + distinct(blocks) + "; model shapes: " + distinct(shapes)
	for _, d := range []Dataset{save, pre, dec} {
		if len(d.Y) == 0 {
			return nil, &EmptyDataError{Op: d.Op, File: file, Filter: filter, Found: found}
		}
	}
	return []Dataset{save, pre, dec}, nil
}

// AllReduceDataset filters all_reduce.csv rows (collective "all_reduce",
// num_workers == tp, devices_per_node == tp) with feature num_tokens =
// size / embedding_dim / 2 (a float, fp16 activations) and target the
// median. Vidur's CSV carries a unique index column, so drop_duplicates
// drops nothing and neither does this.
func AllReduceDataset(file string, rows []profiler.CollectiveRow, m models.Config, tp int) (Dataset, error) {
	return collectiveDataset(file, rows, m, OpAllReduce, func(r profiler.CollectiveRow) bool {
		return r.NumWorkers == tp && r.DevicesPerNode == tp
	}, fmt.Sprintf("collective=all_reduce, num_workers=%d, devices_per_node=%d", tp, tp))
}

// SendRecvDataset filters send_recv.csv rows (collective "send_recv",
// devices_per_node == 1 for multi-node pipelines, else 2) like
// AllReduceDataset.
func SendRecvDataset(file string, rows []profiler.CollectiveRow, m models.Config, multiNode bool) (Dataset, error) {
	dpn := 2
	if multiNode {
		dpn = 1
	}
	return collectiveDataset(file, rows, m, OpSendRecv, func(r profiler.CollectiveRow) bool { return r.DevicesPerNode == dpn },
		fmt.Sprintf("collective=send_recv, devices_per_node=%d", dpn))
}

func collectiveDataset(file string, rows []profiler.CollectiveRow, m models.Config, op string, keep func(profiler.CollectiveRow) bool, filter string) (Dataset, error) {
	d := Dataset{Op: op, Source: file}
	var found []string
	for _, r := range rows {
		found = append(found, fmt.Sprintf("%s/num_workers=%d/devices_per_node=%d", r.Collective, r.NumWorkers, r.DevicesPerNode))
		if r.Collective != op || !keep(r) {
			continue
		}
		d.X = append(d.X, []float64{float64(r.SizeBytes) / float64(m.EmbeddingDim) / 2})
		d.Y = append(d.Y, r.Stats.Median)
	}
	if len(d.Y) == 0 {
		return d, &EmptyDataError{Op: op, File: file, Filter: filter, Found: distinct(found)}
	}
	return d, nil
}

// CPUOverheadDatasets filters cpu_overheads.csv rows (model_name == model,
// tensor_parallel_degree == tp) into one dataset per CPU operator (feature
// batch_size; targets <op>_median, ray_comm_time_mean).
func CPUOverheadDatasets(file string, rows []profiler.CPUOverheadRow, m models.Config, tp int) ([]Dataset, error) {
	var kept []profiler.CPUOverheadRow
	var found []string
	for _, r := range rows {
		found = append(found, fmt.Sprintf("%s/tp=%d", r.ModelName, r.TP))
		if r.ModelName == m.Name && r.TP == tp {
			kept = append(kept, r)
		}
	}
	if len(kept) == 0 {
		return nil, &EmptyDataError{Op: strings.Join(CPUOps, ", "), File: file,
			Filter: fmt.Sprintf("model_name=%s, tensor_parallel_degree=%d", m.Name, tp), Found: distinct(found)}
	}
	var out []Dataset
	for _, op := range CPUOps {
		d := Dataset{Op: op, Source: file}
		col := Target(op)
		for i, r := range kept {
			v, ok := r.Values[col]
			if !ok {
				return nil, fmt.Errorf("read %s: row %d has no column %q", file, i, col)
			}
			d.X = append(d.X, []float64{float64(r.BatchSize)})
			d.Y = append(d.Y, v)
		}
		out = append(out, d)
	}
	return out, nil
}
