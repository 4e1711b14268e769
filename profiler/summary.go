package profiler

import (
	"fmt"
	"math"
	"sort"
	"strconv"
)

// ColumnSummary describes one input column of a profile: numeric columns
// give their Min and Max, categorical ones (booleans, names) their
// lexically first and last values. Distinct counts the different values.
type ColumnSummary struct {
	Name     string
	Min, Max string
	Distinct int
}

// OpSummary describes one timed operator: the rows that have it, how many
// of those have a zero median (the op does not apply to them, e.g.
// attn_decode on prefill rows), and the range of the non-zero medians in ms
// (0 when all are zero).
type OpSummary struct {
	Name                 string
	Rows, Zero           int
	MedianMin, MedianMax float64
}

// Summary describes a profile's contents for display.
type Summary struct {
	Rows    int
	Columns []ColumnSummary
	Ops     []OpSummary
}

// Summarize reads the profile of kind at path and summarises its columns
// and operators.
func Summarize(kind, path string) (Summary, error) {
	var s summarizer
	switch kind {
	case KindMLP:
		rows, err := ReadMLP(path)
		if err != nil {
			return Summary{}, err
		}
		for _, r := range rows {
			s.num("n_head", r.NHead)
			s.num("n_kv_head", r.NKVHead)
			s.num("n_embd", r.NEmbd)
			s.num("n_expanded_embd", r.NExpandedEmbd)
			s.num("vocab_size", r.VocabSize)
			s.cat("use_gated_mlp", pyBool(r.UseGatedMLP))
			s.num("num_tokens", r.NumTokens)
			s.num("num_tensor_parallel_workers", r.TP)
			s.ops(MLPOps, r.Ops)
		}
		s.rows = len(rows)
	case KindAttention:
		rows, err := ReadAttention(path)
		if err != nil {
			return Summary{}, err
		}
		for _, r := range rows {
			s.num("n_embd", r.NEmbd)
			s.num("n_q_head", r.NQHead)
			s.num("n_kv_head", r.NKVHead)
			s.num("block_size", r.BlockSize)
			s.num("num_tensor_parallel_workers", r.TP)
			s.num("max_model_len", r.MaxModelLen)
			s.num("batch_size", r.BatchSize)
			s.num("prefill_chunk_size", r.PrefillChunkSize)
			s.num("kv_cache_size", r.KVCacheSize)
			s.cat("is_prefill", pyBool(r.IsPrefill))
			s.cat("attention_backend", r.Backend)
			s.ops(AttentionOps, r.Ops)
		}
		s.rows = len(rows)
	case KindAllReduce, KindSendRecv:
		rows, err := ReadCollective(path)
		if err != nil {
			return Summary{}, err
		}
		for _, r := range rows {
			s.num("rank", r.Rank)
			s.num("num_workers", r.NumWorkers)
			s.num("size", int(r.SizeBytes))
			s.cat("collective", r.Collective)
			s.num("devices_per_node", r.DevicesPerNode)
			s.num("max_devices_per_node", r.MaxDevicesPerNode)
			s.ops(nil, map[string]Stats{r.Collective: r.Stats})
		}
		s.rows = len(rows)
	case KindCPUOverhead:
		rows, err := ReadCPUOverhead(path)
		if err != nil {
			return Summary{}, err
		}
		for _, r := range rows {
			s.cat("model_name", r.ModelName)
			s.num("batch_size", r.BatchSize)
			s.num("tensor_parallel_degree", r.TP)
			for _, k := range sortedKeys(r.Values) {
				s.op(k, r.Values[k])
			}
		}
		s.rows = len(rows)
	default:
		return Summary{}, fmt.Errorf("summarize %s: unknown profile kind %q", path, kind)
	}
	return s.summary(), nil
}

type colAcc struct {
	numeric  bool
	min, max float64
	values   map[string]bool
}

type summarizer struct {
	rows     int
	colOrder []string
	cols     map[string]*colAcc
	opOrder  []string
	opAcc    map[string]*OpSummary
}

func (s *summarizer) col(name string, numeric bool) *colAcc {
	if s.cols == nil {
		s.cols = map[string]*colAcc{}
	}
	c := s.cols[name]
	if c == nil {
		c = &colAcc{numeric: numeric, min: math.Inf(1), max: math.Inf(-1), values: map[string]bool{}}
		s.cols[name] = c
		s.colOrder = append(s.colOrder, name)
	}
	return c
}

func (s *summarizer) num(name string, v int) {
	c := s.col(name, true)
	f := float64(v)
	c.min, c.max = math.Min(c.min, f), math.Max(c.max, f)
	c.values[strconv.Itoa(v)] = true
}

func (s *summarizer) cat(name, v string) { s.col(name, false).values[v] = true }

// ops records the medians of m, visiting canonical names first.
func (s *summarizer) ops(canonical []string, m map[string]Stats) {
	for _, op := range canonical {
		if st, ok := m[op]; ok {
			s.op(op, st.Median)
		}
	}
	for _, op := range sortedKeys(m) {
		if !contains(canonical, op) {
			s.op(op, m[op].Median)
		}
	}
}

func (s *summarizer) op(name string, v float64) {
	if s.opAcc == nil {
		s.opAcc = map[string]*OpSummary{}
	}
	o := s.opAcc[name]
	if o == nil {
		o = &OpSummary{Name: name, MedianMin: math.Inf(1), MedianMax: math.Inf(-1)}
		s.opAcc[name] = o
		s.opOrder = append(s.opOrder, name)
	}
	o.Rows++
	if v == 0 {
		o.Zero++
		return
	}
	o.MedianMin, o.MedianMax = math.Min(o.MedianMin, v), math.Max(o.MedianMax, v)
}

func (s *summarizer) summary() Summary {
	out := Summary{Rows: s.rows}
	for _, name := range s.colOrder {
		c := s.cols[name]
		cs := ColumnSummary{Name: name, Distinct: len(c.values)}
		if c.numeric {
			cs.Min, cs.Max = strconv.FormatFloat(c.min, 'f', -1, 64), strconv.FormatFloat(c.max, 'f', -1, 64)
		} else {
			vals := sortedKeys(c.values)
			sort.Strings(vals)
			cs.Min, cs.Max = vals[0], vals[len(vals)-1]
		}
		out.Columns = append(out.Columns, cs)
	}
	for _, name := range s.opOrder {
		o := *s.opAcc[name]
		if o.Zero == o.Rows {
			o.MedianMin, o.MedianMax = 0, 0
		}
		out.Ops = append(out.Ops, o)
	}
	return out
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
