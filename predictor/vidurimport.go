package predictor

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/vidur-go/vidur-go/models"
)

// VidurImportMeta says what Vidur's prediction tables were computed for;
// the CSVs themselves do not record it.
type VidurImportMeta struct {
	Model  models.Config
	Device string
	Node   string
	TP     int
}

// vidurCacheName matches Vidur's cache file names {op}_{key}_predictions.csv.
var vidurCacheName = regexp.MustCompile(`^([a-z_0-9]+?)_([0-9a-f]{8})_predictions\.csv(\.gz)?$`)

// VidurTable is one parsed prediction CSV: its key columns and rows.
type VidurTable struct {
	Path    string
	Columns []string  // key columns then "prediction"
	Keys    [][2]int  // per row: 1 or 2 integer keys (the second 0 when unused)
	Values  []float64 // per row: prediction, ms
	SHA256  string    // of the file as stored
	kind    TableKind
}

// findVidurFiles maps each operator to its file in dir: "<op>.csv[.gz]" or
// Vidur's "{op}_{key}_predictions.csv[.gz]".
func findVidurFiles(dir string) (map[string]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("import Vidur predictions: %w", err)
	}
	found := map[string][]string{}
	for _, e := range ents {
		if e.IsDir() {
			continue
		}
		n := e.Name()
		op := ""
		if m := vidurCacheName.FindStringSubmatch(n); m != nil {
			op = m[1]
		} else if base, ok := strings.CutSuffix(strings.TrimSuffix(n, ".gz"), ".csv"); ok {
			op = base
		}
		if _, known := KindOf(op); !known {
			continue
		}
		found[op] = append(found[op], filepath.Join(dir, n))
	}
	out := map[string]string{}
	for op, files := range found {
		if len(files) > 1 {
			sort.Strings(files)
			return nil, fmt.Errorf("import Vidur predictions from %s: %d tables for %s (%s); keep one (Vidur's cache key differs per configuration)", dir, len(files), op, strings.Join(files, ", "))
		}
		out[op] = files[0]
	}
	return out, nil
}

// ReadVidurTable parses one of Vidur's prediction CSVs for operator op from
// r (name is used in messages). The header must be the operator's key
// columns followed by "prediction" (spec §9.4); keys must be integers
// (pandas may write them as "64.0"), predictions finite and ≥ 0.
func ReadVidurTable(name, op string, r io.Reader) (*VidurTable, error) {
	kind, ok := KindOf(op)
	if !ok {
		return nil, fmt.Errorf("read %s: unknown operator %q", name, op)
	}
	want := append(Features(op), "prediction")
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	t := &VidurTable{Path: name, Columns: want, kind: kind}
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if line == 1 {
			got := strings.Split(text, ",")
			if strings.Join(got, ",") != strings.Join(want, ",") {
				return nil, fmt.Errorf("read %s line 1: header %q, want %q for %s", name, text, strings.Join(want, ","), op)
			}
			continue
		}
		if text == "" {
			continue
		}
		fields := strings.Split(text, ",")
		if len(fields) != len(want) {
			return nil, fmt.Errorf("read %s line %d: %d fields, want %d (%s)", name, line, len(fields), len(want), strings.Join(want, ","))
		}
		var key [2]int
		for i := 0; i < len(want)-1; i++ {
			k, err := parseIntKey(fields[i])
			if err != nil {
				return nil, fmt.Errorf("read %s line %d: column %q: %w", name, line, want[i], err)
			}
			key[i] = k
		}
		v, err := strconv.ParseFloat(fields[len(fields)-1], 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return nil, fmt.Errorf("read %s line %d: column \"prediction\": %q is not a finite non-negative time in ms", name, line, fields[len(fields)-1])
		}
		t.Keys = append(t.Keys, key)
		t.Values = append(t.Values, v)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s line %d: %w", name, line+1, err)
	}
	if line == 0 {
		return nil, fmt.Errorf("read %s: empty file, want header %q", name, strings.Join(want, ","))
	}
	if len(t.Values) == 0 {
		return nil, fmt.Errorf("read %s: no rows after the header", name)
	}
	return t, nil
}

func parseIntKey(s string) (int, error) {
	if k, err := strconv.Atoi(s); err == nil {
		if k < 0 {
			return 0, fmt.Errorf("%d is negative", k)
		}
		return k, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || f < 0 || f > 1<<40 {
		return 0, fmt.Errorf("%q is not a non-negative integer", s)
	}
	return int(f), nil
}

func readVidurFile(path, op string) (*VidurTable, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("import Vidur predictions: %w", err)
	}
	sum := sha256.Sum256(b)
	var r io.Reader = bytes.NewReader(b)
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		r = zr
	}
	t, err := ReadVidurTable(path, op, r)
	if err != nil {
		return nil, err
	}
	t.SHA256 = hex.EncodeToString(sum[:])
	return t, nil
}

// inferGrid derives the prediction grid from the tables' key ranges.
func inferGrid(tabs map[string]*VidurTable) (Grid, error) {
	var g Grid
	for _, op := range sortedKeys(tabs) {
		t := tabs[op]
		switch t.kind {
		case KindTokens:
			n := maxKey(t, 0)
			if g.MaxTokens != 0 && n != g.MaxTokens {
				return g, fmt.Errorf("%s covers num_tokens up to %d, other compute tables up to %d", t.Path, n, g.MaxTokens)
			}
			g.MaxTokens = n
		case KindDecode:
			g.MaxBatchSize = max(g.MaxBatchSize, maxKey(t, 0))
			g.MaxKVTokens = max(g.MaxKVTokens, maxKey(t, 1))
			g.KVGranularity = kvStep(t, 1)
		case KindPrefill:
			c := isqrt(maxKey(t, 1))
			g.MaxPrefillChunk = c
		}
	}
	if g.KVGranularity == 0 {
		return g, fmt.Errorf("cannot infer the kv-cache granularity: attn_decode has fewer than two kv_cache_size values")
	}
	return g, g.Validate()
}

func maxKey(t *VidurTable, col int) int {
	m := 0
	for _, k := range t.Keys {
		m = max(m, k[col])
	}
	return m
}

// kvStep returns the smallest positive kv_cache_size in column col.
func kvStep(t *VidurTable, col int) int {
	s := 0
	for _, k := range t.Keys {
		if k[col] > 0 && (s == 0 || k[col] < s) {
			s = k[col]
		}
	}
	return s
}

func isqrt(n int) int {
	r := int(math.Sqrt(float64(n)))
	for r*r > n {
		r--
	}
	for (r+1)*(r+1) <= n {
		r++
	}
	return r
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// denseTable places a parsed CSV's rows into a dense grid table, checking
// that each grid point appears exactly once.
func denseTable(t *VidurTable, g Grid) ([]float64, error) {
	n := g.Len(t.kind)
	vals := make([]float64, n)
	seen := make([]bool, n)
	for r, k := range t.Keys {
		line := r + 2
		idx := -1
		switch t.kind {
		case KindTokens, KindBatch:
			lim := g.MaxTokens
			if t.kind == KindBatch {
				lim = g.MaxBatchSize
			}
			if k[0] < 1 || k[0] > lim {
				return nil, fmt.Errorf("read %s line %d: column %q: %d outside 1..%d", t.Path, line, t.Columns[0], k[0], lim)
			}
			idx = k[0] - 1
		case KindDecode:
			if k[0] < 1 || k[0] > g.MaxBatchSize {
				return nil, fmt.Errorf("read %s line %d: column \"batch_size\": %d outside 1..%d", t.Path, line, k[0], g.MaxBatchSize)
			}
			if k[1] > g.MaxKVTokens || k[1]%g.KVGranularity != 0 {
				return nil, fmt.Errorf("read %s line %d: column \"kv_cache_size\": %d is not a multiple of %d in 0..%d", t.Path, line, k[1], g.KVGranularity, g.MaxKVTokens)
			}
			idx = (k[0]-1)*g.NumKV() + k[1]/g.KVGranularity
		case KindPrefill:
			if k[0] > g.MaxKVTokens || k[0]%g.KVGranularity != 0 {
				return nil, fmt.Errorf("read %s line %d: column \"kv_cache_size\": %d is not a multiple of %d in 0..%d", t.Path, line, k[0], g.KVGranularity, g.MaxKVTokens)
			}
			c := isqrt(k[1])
			if c*c != k[1] || c < 1 || c > g.MaxPrefillChunk {
				return nil, fmt.Errorf("read %s line %d: column \"prefill_chunk_size_squared\": %d is not the square of a chunk in 1..%d", t.Path, line, k[1], g.MaxPrefillChunk)
			}
			idx = (k[0]/g.KVGranularity)*g.MaxPrefillChunk + c - 1
		}
		if seen[idx] {
			return nil, fmt.Errorf("read %s line %d: key %v appears twice", t.Path, line, k[:len(t.Columns)-1])
		}
		seen[idx] = true
		vals[idx] = t.Values[r]
	}
	for i, ok := range seen {
		if !ok {
			return nil, fmt.Errorf("read %s: %d of %d grid points missing (first at index %d); Vidur's tables are dense", t.Path, countFalse(seen), n, i)
		}
	}
	return vals, nil
}

func countFalse(b []bool) int {
	n := 0
	for _, v := range b {
		if !v {
			n++
		}
	}
	return n
}

// ImportVidurPredictions builds an artifact from Vidur's cached prediction
// tables in dir (spec §9.4): files named "<op>.csv[.gz]" or Vidur's own
// "{op}_{key}_predictions.csv[.gz]". Every operator the batch-time model
// needs must be present (all_reduce too when meta.TP > 1); send_recv and the
// CPU-overhead tables are imported when present. The grid is inferred from
// the key ranges and every table must cover it densely. Values are copied
// bit for bit; each operator's provenance is "vidur-import".
func ImportVidurPredictions(dir string, meta VidurImportMeta) (*Artifact, error) {
	if meta.TP < 1 {
		return nil, fmt.Errorf("import Vidur predictions: tensor parallelism %d, want ≥ 1", meta.TP)
	}
	files, err := findVidurFiles(dir)
	if err != nil {
		return nil, err
	}
	required := append(append([]string{}, MLPOps...), OpAttnKVCacheSave, OpAttnPrefill, OpAttnDecode)
	if meta.TP > 1 {
		required = append(required, OpAllReduce)
	}
	var missing []string
	for _, op := range required {
		if _, ok := files[op]; !ok {
			missing = append(missing, op)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("import Vidur predictions from %s: no table for %s (want files <op>.csv[.gz] or <op>_<key>_predictions.csv)", dir, strings.Join(missing, ", "))
	}
	tabs := map[string]*VidurTable{}
	for _, op := range sortedKeys(files) {
		t, err := readVidurFile(files[op], op)
		if err != nil {
			return nil, err
		}
		tabs[op] = t
	}
	g, err := inferGrid(tabs)
	if err != nil {
		return nil, fmt.Errorf("import Vidur predictions from %s: %w", dir, err)
	}
	a := NewArtifact(Header{
		Model: meta.Model.Name, ModelConfig: meta.Model, Device: meta.Device, Node: meta.Node, TP: meta.TP,
		Predictor: PredictorVidurTable, Grid: g,
	})
	for _, op := range sortedKeys(tabs) {
		t := tabs[op]
		vals, err := denseTable(t, g)
		if err != nil {
			return nil, fmt.Errorf("import Vidur predictions: %w", err)
		}
		src := filepath.Base(t.Path)
		if err := a.SetTable(OpInfo{Name: op, Provenance: ProvenanceVidurImport, Predictor: PredictorVidurTable,
			Sources: []string{src}}, vals); err != nil {
			return nil, fmt.Errorf("import Vidur predictions: %w", err)
		}
		a.Header.Sources = append(a.Header.Sources, Source{Path: src, SHA256: t.SHA256})
	}
	sort.Slice(a.Header.Sources, func(i, j int) bool { return a.Header.Sources[i].Path < a.Header.Sources[j].Path })
	return a, nil
}
