package search

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func testExpansion(t testing.TB) (*Space, *Expansion) {
	t.Helper()
	s := mustSpace(testSpaceYAML)
	exp, err := Expand(s, newFakeCatalog())
	if err != nil {
		t.Fatal(err)
	}
	return s, exp
}

func TestRunDeterministicAcrossWorkers(t *testing.T) {
	s, exp := testExpansion(t)
	var want []byte
	for _, workers := range []int{1, 3, 8} {
		ev := &fakeEvaluator{capacity: capacityByShape, floorTTFT: 0.5}
		res, err := Run(context.Background(), s, exp, ev, RunOptions{Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Records) != exp.Total {
			t.Fatalf("%d records for %d configurations", len(res.Records), exp.Total)
		}
		got, _ := json.Marshal(res.Records)
		if want == nil {
			want = got
		} else if !bytes.Equal(got, want) {
			t.Fatalf("records with %d workers differ from 1 worker", workers)
		}
	}
}

func TestRunRecordsErrorsAndGoesOn(t *testing.T) {
	s, exp := testExpansion(t)
	ev := &fakeEvaluator{capacity: capacityByShape, floorTTFT: 0.5, failOn: exp.Points[2].ID}
	res, err := Run(context.Background(), s, exp, ev, RunOptions{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	failed := 0
	for _, r := range res.Records {
		if r.Error != "" {
			failed++
			if r.Point.ID != exp.Points[2].ID || !strings.Contains(r.Error, "outside the predictor grid") {
				t.Fatalf("record %+v", r)
			}
		}
	}
	if failed != 1 {
		t.Fatalf("%d failed records", failed)
	}
}

func TestRunResume(t *testing.T) {
	s, exp := testExpansion(t)
	path := filepath.Join(t.TempDir(), ResultsFile)

	// An interrupted run: cancel after 5 configurations have been recorded.
	ctx, cancel := context.WithCancel(context.Background())
	ev := &fakeEvaluator{capacity: capacityByShape, floorTTFT: 0.5}
	recorded := 0
	_, err := Run(ctx, s, exp, ev, RunOptions{Workers: 2, ResultsPath: path, Resume: true, Progress: func(done, total int, last Record) {
		if last.Capacity != nil {
			recorded++
			if recorded == 5 {
				cancel()
			}
		}
	}})
	if err == nil {
		t.Fatal("cancelled run reported no error")
	}
	// Tear the last line, as a crash mid-write would.
	data, _ := os.ReadFile(path)
	if err := os.WriteFile(path, append(data, []byte(`{"record":{"point":{"ind`)...), 0o644); err != nil {
		t.Fatal(err)
	}
	_, before, _, err := ReadResults(path)
	if err != nil {
		t.Fatal(err)
	}
	simulated := 0
	for _, r := range before {
		if r.Capacity != nil {
			simulated++
		}
	}
	if simulated < 5 {
		t.Fatalf("%d simulated records persisted, want ≥ 5", simulated)
	}

	ev2 := &fakeEvaluator{capacity: capacityByShape, floorTTFT: 0.5}
	res, err := Run(context.Background(), s, exp, ev2, RunOptions{Workers: 2, ResultsPath: path, Resume: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Resumed != len(before) || len(res.Records) != exp.Total {
		t.Fatalf("resumed %d of %d persisted; %d records", res.Resumed, len(before), len(res.Records))
	}
	// Only the unfinished configurations were simulated again.
	ref := &fakeEvaluator{capacity: capacityByShape, floorTTFT: 0.5}
	full, _ := Run(context.Background(), s, exp, ref, RunOptions{Workers: 1})
	perConfig := ref.calls.Load() / int64(len(exp.Points))
	if ev2.calls.Load() >= ref.calls.Load() || ev2.calls.Load() == 0 {
		t.Fatalf("resumed run made %d simulations, a full run %d (≈%d per configuration)", ev2.calls.Load(), ref.calls.Load(), perConfig)
	}
	a, _ := json.Marshal(res.Records)
	b, _ := json.Marshal(full.Records)
	if !bytes.Equal(a, b) {
		t.Fatal("resumed records differ from an uninterrupted run")
	}
	// A third run finds everything done.
	ev3 := &fakeEvaluator{capacity: capacityByShape, floorTTFT: 0.5}
	if _, err := Run(context.Background(), s, exp, ev3, RunOptions{ResultsPath: path, Resume: true}); err != nil || ev3.calls.Load() != 0 {
		t.Fatalf("complete resume: err %v, %d simulations", err, ev3.calls.Load())
	}

	// A changed space refuses to resume; --resume=false starts over.
	s2 := mustSpace(strings.Replace(testSpaceYAML, "seed: 7", "seed: 9", 1))
	exp2, _ := Expand(s2, newFakeCatalog())
	_, err = Run(context.Background(), s2, exp2, ev3, RunOptions{ResultsPath: path, Resume: true})
	if err == nil || !strings.Contains(err.Error(), "different search space") {
		t.Fatalf("error %v", err)
	}
	if _, err := Run(context.Background(), s2, exp2, ev3, RunOptions{ResultsPath: path, Resume: false}); err != nil {
		t.Fatal(err)
	}
	// Other evaluation settings refuse too.
	_, err = Run(context.Background(), s2, exp2, ev3, RunOptions{ResultsPath: path, Resume: true, Evaluator: "artifacts=/elsewhere"})
	if err == nil || !strings.Contains(err.Error(), "other evaluation settings") {
		t.Fatalf("error %v", err)
	}
	// A different shard of the same space refuses too.
	_, err = Run(context.Background(), s2, exp2, ev3, RunOptions{ResultsPath: path, Resume: true, Shard: Shard{1, 2}})
	if err == nil || !strings.Contains(err.Error(), "holds shard 0/1, not 1/2") {
		t.Fatalf("error %v", err)
	}
}

func TestRunRefusesConcurrentWriter(t *testing.T) {
	s, exp := testExpansion(t)
	path := filepath.Join(t.TempDir(), ResultsFile)
	w, _, err := openResults(path, &Header{Version: resultsVersion, SpaceHash: s.Hash(), Space: s, Total: exp.Total}, false)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for _, resume := range []bool{true, false} {
		_, err := Run(context.Background(), s, exp, &fakeEvaluator{capacity: capacityByShape, floorTTFT: 0.5}, RunOptions{ResultsPath: path, Resume: resume})
		if err == nil || !strings.Contains(err.Error(), "being written by another search") {
			t.Fatalf("resume=%v: error %v", resume, err)
		}
	}
}

func TestReadResultsErrors(t *testing.T) {
	s, exp := testExpansion(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.jsonl")
	if _, err := Run(context.Background(), s, exp, &fakeEvaluator{capacity: capacityByShape, floorTTFT: 0.5}, RunOptions{ResultsPath: good}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(good)
	lines := strings.SplitAfter(string(data), "\n")
	tests := []struct{ name, content, want string }{
		{"empty", "", "empty results file"},
		{"no header", lines[1], "line 1: not a results file"},
		{"bad middle line", lines[0] + "{oops}\n" + lines[1], "line 2: "},
		{"record with nothing", lines[0] + `{"record":{"point":{"index":0}}}` + "\n", "needs exactly one of"},
		{"index out of range", lines[0] + `{"record":{"point":{"index":100000},"error":"x"}}` + "\n", "outside [0, 128)"},
		{"edited space", strings.Replace(lines[0], `"seed":7`, `"seed":8`, 1), "edited file?"},
		{"capacity without its probe", lines[0] + `{"record":{"point":{"index":0},"capacity":{"qps":2,"probes":[]}}}` + "\n", `without the probe at that rate ("at")`},
		{"negative capacity", lines[0] + `{"record":{"point":{"index":0},"capacity":{"qps":-1}}}` + "\n", "want a finite rate ≥ 0"},
		{"probe at another rate", lines[0] + `{"record":{"point":{"index":0},"capacity":{"qps":2,"at":{"qps":3}}}}` + "\n", "ran at 3 QPS"},
		{"probe without values", lines[0] + `{"record":{"point":{"index":0},"capacity":{"qps":2,"quantiles":[{"metric":"ttft","quantile":0.9}],"at":{"qps":2,"outcome":{"requests":5}}}}}` + "\n", "0 values for 1 quantiles"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, "bad.jsonl")
			os.WriteFile(p, []byte(tc.content), 0o644)
			_, _, _, err := ReadResults(p)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "bad.jsonl") {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}

// Running N shards and merging gives a report byte-identical to an
// unsharded run.
func TestShardMergeEqualsUnsharded(t *testing.T) {
	s, exp := testExpansion(t)
	prices := newFakeCatalog().prices()
	dir := t.TempDir()

	full, err := Run(context.Background(), s, exp, &fakeEvaluator{capacity: capacityByShape, floorTTFT: 0.5}, RunOptions{Workers: 3, ResultsPath: filepath.Join(dir, "full", ResultsFile)})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := NewReport(s, full.Records, prices)
	if err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteDir(filepath.Join(dir, "full")); err != nil {
		t.Fatal(err)
	}

	const n = 3
	var files []string
	for i := range n {
		f := filepath.Join(dir, "shard", ResultsFile+string(rune('0'+i)))
		res, err := Run(context.Background(), s, exp, &fakeEvaluator{capacity: capacityByShape, floorTTFT: 0.5}, RunOptions{Workers: 2, Shard: Shard{i, n}, ResultsPath: f})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res.Records {
			if r.Point.Index%n != i {
				t.Fatalf("shard %d ran configuration %d", i, r.Point.Index)
			}
		}
		files = append(files, f)
	}
	// Merging an incomplete set names the missing shard.
	if _, _, err := Merge(files[:2]); err == nil || !strings.Contains(err.Error(), "missing shards: 2/3") {
		t.Fatalf("merge of 2 of 3 shards: %v", err)
	}
	ms, recs, err := Merge(append(files, files[0])) // a repeated file is harmless
	if err != nil {
		t.Fatal(err)
	}
	mrep, err := NewReport(ms, recs, prices)
	if err != nil {
		t.Fatal(err)
	}
	if err := mrep.WriteDir(filepath.Join(dir, "merged")); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{ReportTextFile, ReportCSVFile, ParetoCSVFile, BestJSONFile, ParetoPlotFile} {
		a, err1 := os.ReadFile(filepath.Join(dir, "full", name))
		b, err2 := os.ReadFile(filepath.Join(dir, "merged", name))
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between the merged shards and the unsharded run", name)
		}
	}
	// Shards of another space do not merge.
	other := filepath.Join(dir, "other.jsonl")
	s2 := mustSpace(strings.Replace(testSpaceYAML, "seed: 7", "seed: 9", 1))
	exp2, _ := Expand(s2, newFakeCatalog())
	if _, err := Run(context.Background(), s2, exp2, &fakeEvaluator{capacity: capacityByShape, floorTTFT: 0.5}, RunOptions{Shard: Shard{0, 3}, ResultsPath: other}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Merge([]string{files[1], other}); err == nil || !strings.Contains(err.Error(), "from space") {
		t.Fatalf("merge across spaces: %v", err)
	}
}

func TestParseShard(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Shard
		ok   bool
	}{
		{"0/1", Shard{0, 1}, true}, {"3/4", Shard{3, 4}, true},
		{"4/4", Shard{}, false}, {"-1/4", Shard{}, false}, {"1", Shard{}, false}, {"a/b", Shard{}, false}, {"0/0", Shard{}, false},
	} {
		got, err := ParseShard(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseShard(%q) = %v, %v", tc.in, got, err)
		}
	}
}

// FuzzReadResults: any file either fails to read with an error or reads
// into records that the report can price, rank and render. Inputs are a
// few kB, so cap minimization: go test ./search -run XXX -fuzz
// FuzzReadResults -fuzzminimizetime 3s.
func FuzzReadResults(f *testing.F) {
	s, exp := testExpansion(f)
	dir := f.TempDir()
	good := filepath.Join(dir, "good.jsonl")
	if _, err := Run(context.Background(), s, exp, &fakeEvaluator{capacity: capacityByShape, floorTTFT: 0.5}, RunOptions{ResultsPath: good}); err != nil {
		f.Fatal(err)
	}
	data, _ := os.ReadFile(good)
	// Small seeds: the fuzzer minimizes each new interesting input, which
	// takes minutes from a whole results file.
	lines := strings.SplitAfter(string(data), "\n")
	f.Add([]byte(lines[0] + lines[1] + lines[len(lines)/2]))
	f.Add([]byte(lines[0] + `{"record":{"point":{"index":0},"capacity":{"qps":2,"probes":[]}}}` + "\n"))
	prices := newFakeCatalog().prices()
	f.Fuzz(func(t *testing.T, content []byte) {
		p := filepath.Join(t.TempDir(), "r.jsonl")
		if err := os.WriteFile(p, content, 0o644); err != nil {
			t.Fatal(err)
		}
		h, recs, goodSize, err := ReadResults(p)
		if err != nil {
			return
		}
		if goodSize > int64(len(content)) {
			t.Fatalf("good size %d beyond the %d bytes", goodSize, len(content))
		}
		pr := Prices{}
		for _, r := range recs {
			pr[r.Point.Device] = 1
		}
		for d, v := range prices {
			pr[d] = v
		}
		rep, err := NewReport(h.Space, recs, pr)
		if err != nil {
			return
		}
		if err := rep.WriteText(io.Discard, 5); err != nil {
			t.Fatal(err)
		}
	})
}
