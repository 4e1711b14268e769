// Package opdata reads Vidur's shipped profiles for Meta-Llama-3-8B on A100
// at tensor-parallel degree 1 into per-operator training sets, with the row
// filters, derived features and targets of spec §9.1. It exists for the
// scikit-learn comparison (bench/sklearn) and the forest benchmarks; the
// product reads profiles through package profiler.
package opdata

import (
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Op is one operator's training set in file row order (after Vidur's
// drop_duplicates and filters).
type Op struct {
	Name     string
	Features []string
	Target   string
	X        [][]float64
	Y        []float64
}

// Paths under VIDUR_DATA.
const (
	MLPPath       = "profiling/compute/a100/meta-llama/Meta-Llama-3-8B/mlp.csv"
	AttentionPath = "synthetic/profiling/compute/a100/meta-llama/Meta-Llama-3-8B/attention.csv.gz"
)

// MLPOps are the operators modelled from mlp.csv (feature num_tokens).
var MLPOps = []string{"attn_pre_proj", "attn_post_proj", "mlp_up_proj", "mlp_down_proj", "mlp_act",
	"input_layernorm", "post_attention_layernorm", "attn_rope", "add"}

// zeroIfMissing are the mlp.csv targets Vidur fills with 0 when absent/NaN.
var zeroIfMissing = map[string]bool{"input_layernorm": true, "post_attention_layernorm": true, "add": true}

// table is a CSV file after drop_duplicates (exact record equality).
type table struct {
	path string
	col  map[string]int
	rows [][]string
	line []int // 1-based file line of each row
}

func readTable(path string) (*table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		defer gz.Close()
		r = gz
	}
	cr := csv.NewReader(r)
	cr.ReuseRecord = false
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("read %s header: %w", path, err)
	}
	t := &table{path: path, col: map[string]int{}}
	for i, h := range head {
		t.col[h] = i
	}
	seen := map[string]bool{}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		key := strings.Join(rec, "\x00")
		if seen[key] {
			continue
		}
		seen[key] = true
		t.rows = append(t.rows, rec)
		t.line = append(t.line, line)
	}
	return t, nil
}

// num parses column name of row i; a missing column or empty/NaN value gives
// def when allowMissing, else an error naming file, line and column.
func (t *table) num(i int, name string, allowMissing bool) (float64, error) {
	c, ok := t.col[name]
	if !ok {
		if allowMissing {
			return 0, nil
		}
		return 0, fmt.Errorf("read %s: missing column %q", t.path, name)
	}
	s := t.rows[i][c]
	v, err := strconv.ParseFloat(s, 64)
	if s == "" || (err == nil && math.IsNaN(v)) {
		if allowMissing {
			return 0, nil
		}
		return 0, fmt.Errorf("read %s line %d: column %q is empty", t.path, t.line[i], name)
	}
	if err != nil {
		return 0, fmt.Errorf("read %s line %d: column %q: %w", t.path, t.line[i], name, err)
	}
	return v, nil
}

func (t *table) is(i int, name, want string) (bool, error) {
	c, ok := t.col[name]
	if !ok {
		return false, fmt.Errorf("read %s: missing column %q", t.path, name)
	}
	return t.rows[i][c] == want, nil
}

// Load reads both files under root (VIDUR_DATA) and returns the 12 operator
// training sets of Meta-Llama-3-8B, a100, TP 1, block size 16: the nine
// mlp.csv operators, attn_kv_cache_save, attn_prefill and attn_decode.
func Load(root string) ([]Op, error) {
	mlp, err := readTable(filepath.Join(root, MLPPath))
	if err != nil {
		return nil, err
	}
	var ops []Op
	for _, name := range MLPOps {
		op := Op{Name: name, Features: []string{"num_tokens"}, Target: "time_stats." + name + ".median"}
		for i := range mlp.rows {
			if ok, err := mlp.is(i, "num_tensor_parallel_workers", "1"); err != nil || !ok {
				if err != nil {
					return nil, err
				}
				continue
			}
			x, err := mlp.num(i, "num_tokens", false)
			if err != nil {
				return nil, err
			}
			y, err := mlp.num(i, op.Target, zeroIfMissing[name])
			if err != nil {
				return nil, err
			}
			op.X = append(op.X, []float64{x})
			op.Y = append(op.Y, y)
		}
		ops = append(ops, op)
	}
	att, err := readTable(filepath.Join(root, AttentionPath))
	if err != nil {
		return nil, err
	}
	save := Op{Name: "attn_kv_cache_save", Features: []string{"num_tokens"}, Target: "time_stats.attn_kv_cache_save.median"}
	prefill := Op{Name: "attn_prefill", Features: []string{"kv_cache_size", "prefill_chunk_size_squared"}, Target: "time_stats.attn_prefill.median"}
	decode := Op{Name: "attn_decode", Features: []string{"batch_size", "kv_cache_size"}, Target: "time_stats.attn_decode.median"}
	for i := range att.rows {
		ok1, err1 := att.is(i, "num_tensor_parallel_workers", "1")
		ok2, err2 := att.is(i, "block_size", "16")
		if err := errors.Join(err1, err2); err != nil {
			return nil, err
		}
		if !ok1 || !ok2 {
			continue
		}
		var v [6]float64
		for j, name := range []string{"batch_size", "prefill_chunk_size", "kv_cache_size",
			save.Target, prefill.Target, decode.Target} {
			if v[j], err = att.num(i, name, j == 3); err != nil {
				return nil, err
			}
		}
		bs, chunk, kv := v[0], v[1], v[2]
		save.X = append(save.X, []float64{max(chunk, bs)})
		save.Y = append(save.Y, v[3])
		if chunk == 0 {
			decode.X = append(decode.X, []float64{bs, kv})
			decode.Y = append(decode.Y, v[5])
		} else {
			prefill.X = append(prefill.X, []float64{kv, chunk * chunk})
			prefill.Y = append(prefill.Y, v[4])
		}
	}
	return append(ops, save, prefill, decode), nil
}
