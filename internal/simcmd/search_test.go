package simcmd

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vidur-go/vidur-go/internal/cli"
	"github.com/vidur-go/vidur-go/search"
)

const testSearchSpace = `
name: cli-test
models: [meta-llama/Meta-Llama-3-8B]
clusters:
  - {device: a100, node: a100_pairwise_nvlink, gpus: 2}
tensor_parallel: [1, 2, 4]
schedulers:
  - {name: vllm, batch_sizes: [32]}
  - {name: sarathi, batch_sizes: [32], chunk_sizes: [512]}
workload: {prefill_tokens: 512, decode_tokens: 32, requests: 40, seed: 3}
search: {tolerance: 0.1, start_qps: 4}
`

func runSearchCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := cli.Run(context.Background(), New(), args, &out, &errb)
	return out.String() + errb.String(), err
}

// The real simulator end to end: an unsharded search and a merged 2-shard
// search write byte-identical reports.
func TestSearchCommandShardsMergeToSameReport(t *testing.T) {
	dir := t.TempDir()
	space := filepath.Join(dir, "space.yaml")
	if err := os.WriteFile(space, []byte(testSearchSpace), 0o644); err != nil {
		t.Fatal(err)
	}
	full := filepath.Join(dir, "full")
	out, err := runSearchCLI(t, "search", space, "-o", full, "--best-run=false", "--workers", "2")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{"6 configurations — 4 with capacity", "TP×PP = 4 exceeds the GPU budget of 2", "Best: Meta-Llama-3-8B a100×2"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	shards := filepath.Join(dir, "shards")
	for _, sh := range []string{"0/2", "1/2"} {
		if out, err := runSearchCLI(t, "search", space, "-o", shards, "--shard", sh); err != nil {
			t.Fatalf("shard %s: %v\n%s", sh, err, out)
		}
	}
	merged := filepath.Join(dir, "merged")
	files, _ := filepath.Glob(filepath.Join(shards, "results-*-of-2.jsonl"))
	if len(files) != 2 {
		t.Fatalf("shard files %v", files)
	}
	if out, err := runSearchCLI(t, append([]string{"search", "merge", "-o", merged, "--best-run=false"}, files...)...); err != nil {
		t.Fatalf("merge: %v\n%s", err, out)
	}
	for _, name := range []string{search.ReportTextFile, search.ReportCSVFile, search.ParetoCSVFile, search.BestJSONFile, search.ParetoPlotFile} {
		a, _ := os.ReadFile(filepath.Join(full, name))
		b, _ := os.ReadFile(filepath.Join(merged, name))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s: merged shards differ from the unsharded search", name)
		}
	}
	// Re-running resumes: nothing left to simulate, same report.
	before, _ := os.ReadFile(filepath.Join(full, search.ReportCSVFile))
	out, err = runSearchCLI(t, "search", space, "-o", full, "--best-run=false")
	if err != nil || !strings.Contains(out, "(6 resumed)") {
		t.Fatalf("resume: %v\n%s", err, out)
	}
	after, _ := os.ReadFile(filepath.Join(full, search.ReportCSVFile))
	if !bytes.Equal(before, after) {
		t.Error("resumed report differs")
	}
	// A changed space refuses to resume into the same directory.
	os.WriteFile(space, []byte(strings.Replace(testSearchSpace, "seed: 3", "seed: 4", 1)), 0o644)
	if out, err := runSearchCLI(t, "search", space, "-o", full); err == nil || !strings.Contains(err.Error(), "different search space") {
		t.Fatalf("changed space: %v\n%s", err, out)
	}
}

func TestSearchCommandErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), 0o644)
		return p
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown key", []string{"search", write("a.yaml", testSearchSpace+"modles: []\n")}, `a.yaml: unknown field "modles"`},
		{"unknown model", []string{"search", write("b.yaml", strings.Replace(testSearchSpace, "Meta-Llama-3-8B", "Meta-Llama-3-9B", 1))}, `models[0]: unknown model "meta-llama/Meta-Llama-3-9B"`},
		{"missing trace", []string{"search", write("c.yaml", strings.Replace(testSearchSpace, "prefill_tokens: 512, decode_tokens: 32", "trace: nope.csv", 1))}, "workload.trace"},
		{"bad shard", []string{"search", write("d.yaml", testSearchSpace), "--shard", "2/2"}, "--shard"},
		{"bad price", []string{"search", write("e.yaml", testSearchSpace), "--price", "a100"}, "--price"},
		{"merge without -o", []string{"search", "merge", "x.jsonl"}, "merge needs -o DIR"},
		{"merge missing file", []string{"search", "merge", filepath.Join(dir, "none.jsonl"), "-o", dir}, "none.jsonl"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := runSearchCLI(t, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q\n%s", err, tc.want, out)
			}
		})
	}
}

func TestSearchDryRun(t *testing.T) {
	p := filepath.Join(t.TempDir(), "s.yaml")
	os.WriteFile(p, []byte(testSearchSpace), 0o644)
	out, err := runSearchCLI(t, "search", p, "--dry-run")
	if err != nil || !strings.Contains(out, "6 configurations: 4 feasible, 2 infeasible") {
		t.Fatalf("%v\n%s", err, out)
	}
}
