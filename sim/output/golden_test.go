package output

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/vidur-go/vidur-go/sim/metrics"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestOutputsGolden writes every file of a small deterministic run (stand-in
// timer, 2 replicas × 2 stages) and compares it byte for byte with
// testdata/golden/ (trace.json is checked by TestTraceEventFormat). Refresh with `go test ./sim/output -run Golden -update`
// after an intended change, and review the diff.
func TestOutputsGolden(t *testing.T) {
	res := simulate(t, 2, 2)
	dir := t.TempDir()
	rep := Report{RunName: "golden", Predictor: "stand-in timer", Model: "meta-llama/Llama-2-7b-hf", Device: "a100",
		Node: "a100_dgx", TP: 1, PP: 2, NumReplicas: 2, Scheduler: "sarathi", Router: "round_robin",
		NumBlocks: res.NumBlocks, MaxBatchSize: res.Plan.MaxBatchSize, NumEvents: res.NumEvents,
		Summary: metrics.Summarize(res.Requests, res.Metrics, metrics.SummaryInput{EndTimeS: res.EndTimeS})}
	files, err := Write(dir, Files{Report: rep, Requests: res.Requests, Metrics: res.Metrics, ConfigYAML: []byte("seed: 1\n"),
		Replicas: 2, Stages: 2, Trace: true, Batches: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 5 {
		t.Fatalf("wrote %v", files)
	}
	for _, name := range []string{"summary.json", "requests.csv", "batches.csv"} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		golden := filepath.Join("testdata", "golden", name)
		if *update {
			if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(golden, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run with -update to create it)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from %s (run with -update after an intended change)", name, golden)
		}
	}
}
