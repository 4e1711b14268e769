package predictor

import (
	"compress/gzip"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func goldenPredictions(t testing.TB) string {
	t.Helper()
	g := os.Getenv("VIDUR_GOLDEN")
	if g == "" {
		t.Skip("VIDUR_GOLDEN not set: skipping the test against Vidur's prediction tables")
	}
	return filepath.Join(g, "g1_sarathi", "vidur-predictions")
}

// csvTable reads a Vidur prediction CSV into key → prediction, independently
// of the importer.
func csvTable(t *testing.T, path string) map[string]float64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(zr).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]float64{}
	for _, r := range recs[1:] {
		v, err := strconv.ParseFloat(r[len(r)-1], 64)
		if err != nil {
			t.Fatal(err)
		}
		m[strings.Join(r[:len(r)-1], ",")] = v
	}
	return m
}

func TestImportVidurGolden(t *testing.T) {
	dir := goldenPredictions(t)
	a, err := ImportVidurPredictions(dir, VidurImportMeta{Model: llama2, Device: "h100", Node: "h100_pairwise_nvlink", TP: 1})
	if err != nil {
		t.Fatal(err)
	}
	if a.Header.Grid != DefaultGrid() {
		t.Fatalf("inferred grid %+v, want %+v", a.Header.Grid, DefaultGrid())
	}
	if a.Header.Provenance != ProvenanceVidurImport || len(a.Header.Sources) != 12 {
		t.Fatalf("provenance %q, %d sources", a.Header.Provenance, len(a.Header.Sources))
	}
	tab := func(op string) map[string]float64 { return csvTable(t, filepath.Join(dir, op+".csv.gz")) }
	checks := []struct {
		op  string
		key []int
		csv string
	}{
		{OpAttnPreProj, []int{1}, "1"},
		{OpAttnPreProj, []int{4096}, "4096"},
		{OpMLPUpProj, []int{512}, "512"},
		{OpAttnKVCacheSave, []int{37}, "37"},
		{OpAttnDecode, []int{1, 0}, "1,0"},
		{OpAttnDecode, []int{77, 1984}, "77,1984"},
		{OpAttnDecode, []int{128, 4096}, "128,4096"},
		{OpAttnPrefill, []int{0, 1}, "0,1"},
		{OpAttnPrefill, []int{640, 300}, "640,90000"},
		{OpAttnPrefill, []int{4096, 4096}, "4096,16777216"},
	}
	cache := map[string]map[string]float64{}
	for _, c := range checks {
		if cache[c.op] == nil {
			cache[c.op] = tab(c.op)
		}
		got, ok := a.Lookup(c.op, c.key...)
		want, wok := cache[c.op][c.csv]
		if !ok || !wok || got != want {
			t.Errorf("%s%v = %v (%v), CSV %s says %v (%v)", c.op, c.key, got, ok, c.csv, want, wok)
		}
	}

	// A small mixed batch, by hand: one 100-token prefill and two decodes at
	// 500 and 20 processed tokens. T = 102 → T8 = 104; decode B_d = 2, kv =
	// ceil64(int(260)) = 320; prefill (0, 100²). Llama-2-7b is not GQA, so no
	// batching overhead; TP = PP = 1.
	batch := []Entry{{NumTokens: 100}, {NumTokens: 1, Processed: 500, PrefillComplete: true}, {NumTokens: 1, Processed: 20, PrefillComplete: true}}
	p := func(op, key string) float64 {
		if cache[op] == nil {
			cache[op] = tab(op)
		}
		v, ok := cache[op][key]
		if !ok {
			t.Fatalf("%s has no key %s", op, key)
		}
		return v
	}
	attn := p(OpAttnPreProj, "104") + p(OpAttnPostProj, "104") + p(OpAttnRope, "104") + p(OpAttnKVCacheSave, "102") +
		p(OpAttnDecode, "2,320") + p(OpAttnPrefill, "0,10000") + 0.0 + p(OpInputLayernorm, "104")
	mlp := p(OpMLPUpProj, "104") + p(OpMLPDownProj, "104") + p(OpMLPAct, "104") + 0.0 + p(OpPostAttentionLayernorm, "104")
	want := ((attn+mlp+p(OpAdd, "104"))*32 + 0.0) * 1e-3
	tm, err := NewTimer(a, DefaultTimerConfig(llama2, 1, 1))
	if err != nil {
		t.Fatal(err)
	}
	got, err := tm.StageTime(batch, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got.TotalS != want || got.ModelS != want {
		t.Fatalf("StageTime = %+v, want %.17g s", got, want)
	}

	// The import survives a save/load round trip bit for bit.
	path := filepath.Join(t.TempDir(), ArtifactFileName(llama2.Name, "h100", "h100_pairwise_nvlink", 1))
	if err := a.Save(path); err != nil {
		t.Fatal(err)
	}
	b, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := b.Lookup(OpAttnPrefill, 640, 300); v != cache[OpAttnPrefill]["640,90000"] {
		t.Fatalf("reloaded prefill value %v", v)
	}
}

// writeTables writes minimal dense Vidur tables for a tiny grid into dir.
func writeTables(t *testing.T, dir string, name func(op string) string, skip string) {
	t.Helper()
	ops := append(append([]string{}, MLPOps...), OpAttnKVCacheSave, OpAttnPrefill, OpAttnDecode)
	for _, op := range ops {
		if op == skip {
			continue
		}
		var b strings.Builder
		b.WriteString(strings.Join(append(Features(op), "prediction"), ",") + "\n")
		switch op {
		case OpAttnDecode:
			for bs := 1; bs <= 2; bs++ {
				for kv := 0; kv <= 128; kv += 64 {
					b.WriteString(strconv.Itoa(bs) + "," + strconv.Itoa(kv) + ".0,0.5\n")
				}
			}
		case OpAttnPrefill:
			for kv := 0; kv <= 128; kv += 64 {
				for c := 1; c <= 3; c++ {
					b.WriteString(strconv.Itoa(kv) + "," + strconv.Itoa(c*c) + ",0.25\n")
				}
			}
		default:
			for n := 1; n <= 16; n++ {
				b.WriteString(strconv.Itoa(n) + ",0.125\n")
			}
		}
		if err := os.WriteFile(filepath.Join(dir, name(op)), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestImportVidurCacheNames(t *testing.T) {
	dir := t.TempDir()
	writeTables(t, dir, func(op string) string { return op + "_0a1b2c3d_predictions.csv" }, "")
	// Vidur's training-prediction files sit beside them and must be ignored.
	os.WriteFile(filepath.Join(dir, "add_0a1b2c3d_training_predictions.csv"), []byte("junk"), 0o644)
	a, err := ImportVidurPredictions(dir, VidurImportMeta{Model: llama2, Device: "h100", Node: "n", TP: 1})
	if err != nil {
		t.Fatal(err)
	}
	want := Grid{MaxTokens: 16, MaxBatchSize: 2, MaxKVTokens: 128, KVGranularity: 64, MaxPrefillChunk: 3}
	if a.Header.Grid != want {
		t.Fatalf("grid %+v, want %+v", a.Header.Grid, want)
	}
	if v, ok := a.Lookup(OpAttnPrefill, 64, 2); !ok || v != 0.25 {
		t.Fatalf("prefill lookup %v %v", v, ok)
	}
}

func TestImportVidurErrors(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string)
		tp    int
		want  string
	}{
		{"missing op", func(t *testing.T, dir string) {
			writeTables(t, dir, func(op string) string { return op + ".csv" }, OpMLPAct)
		}, 1, "no table for mlp_act"},
		{"tp needs all_reduce", func(t *testing.T, dir string) { writeTables(t, dir, func(op string) string { return op + ".csv" }, "") }, 2, "no table for all_reduce"},
		{"two keys", func(t *testing.T, dir string) {
			writeTables(t, dir, func(op string) string { return op + ".csv" }, "")
			os.WriteFile(filepath.Join(dir, "add_deadbeef_predictions.csv"), []byte("num_tokens,prediction\n1,1\n"), 0o644)
		}, 1, "2 tables for add"},
		{"bad header", func(t *testing.T, dir string) {
			writeTables(t, dir, func(op string) string { return op + ".csv" }, "")
			os.WriteFile(filepath.Join(dir, "add.csv"), []byte("tokens,prediction\n1,1\n"), 0o644)
		}, 1, `add.csv line 1: header "tokens,prediction", want "num_tokens,prediction"`},
		{"bad value", func(t *testing.T, dir string) {
			writeTables(t, dir, func(op string) string { return op + ".csv" }, "")
			os.WriteFile(filepath.Join(dir, "add.csv"), []byte("num_tokens,prediction\n1,NaN\n"), 0o644)
		}, 1, `add.csv line 2: column "prediction": "NaN"`},
		{"sparse", func(t *testing.T, dir string) {
			writeTables(t, dir, func(op string) string { return op + ".csv" }, "")
			os.WriteFile(filepath.Join(dir, "add.csv"), []byte("num_tokens,prediction\n1,1\n16,1\n"), 0o644)
		}, 1, "add.csv: 14 of 16 grid points missing"},
		{"not a square", func(t *testing.T, dir string) {
			writeTables(t, dir, func(op string) string { return op + ".csv" }, "")
			os.WriteFile(filepath.Join(dir, "attn_prefill.csv"), []byte("kv_cache_size,prefill_chunk_size_squared,prediction\n0,1,1\n0,5,1\n0,9,1\n"), 0o644)
		}, 1, "prefill_chunk_size_squared\": 5 is not the square"},
		{"bad key", func(t *testing.T, dir string) {
			writeTables(t, dir, func(op string) string { return op + ".csv" }, "")
			os.WriteFile(filepath.Join(dir, "add.csv"), []byte("num_tokens,prediction\n1.5,1\n"), 0o644)
		}, 1, `add.csv line 2: column "num_tokens": "1.5" is not a non-negative integer`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.setup(t, dir)
			_, err := ImportVidurPredictions(dir, VidurImportMeta{Model: llama2, Device: "h100", Node: "n", TP: tc.tp})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}

func FuzzReadVidurTable(f *testing.F) {
	f.Add("attn_decode", "batch_size,kv_cache_size,prediction\n1,0,0.5\n2,64.0,1e-3\n")
	f.Add("add", "num_tokens,prediction\n1,0.1\n")
	f.Add("attn_prefill", "kv_cache_size,prefill_chunk_size_squared,prediction\n0,1,0.1\r\n")
	f.Fuzz(func(t *testing.T, op, text string) {
		tab, err := ReadVidurTable("fuzz.csv", op, strings.NewReader(text))
		if err != nil {
			return
		}
		if len(tab.Keys) != len(tab.Values) || len(tab.Values) == 0 {
			t.Fatalf("inconsistent table: %d keys, %d values", len(tab.Keys), len(tab.Values))
		}
		for _, v := range tab.Values {
			if v < 0 || v != v {
				t.Fatalf("accepted value %v", v)
			}
		}
	})
}
