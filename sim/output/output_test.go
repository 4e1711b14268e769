package output

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vidur-go/vidur-go/models"
	"github.com/vidur-go/vidur-go/predictor"
	"github.com/vidur-go/vidur-go/sim"
	"github.com/vidur-go/vidur-go/sim/metrics"
	"github.com/vidur-go/vidur-go/sim/scheduler"
	"github.com/vidur-go/vidur-go/sim/workload"
)

type constTimer struct{}

func (constTimer) StageTime(e []predictor.Entry, _ int) (predictor.StageTime, error) {
	s := 1e-3 + 1e-5*float64(len(e))
	return predictor.StageTime{TotalS: s, ModelS: s}, nil
}

func simulate(t *testing.T, replicas, pp int) *sim.Result {
	t.Helper()
	m, err := models.Lookup("meta-llama/Llama-2-7b-hf")
	if err != nil {
		t.Fatal(err)
	}
	var reqs []workload.Request
	for i := range 40 {
		reqs = append(reqs, workload.Request{ArrivedAt: 0.01 * float64(i), NumPrefillTokens: 100 + 37*i, NumDecodeTokens: 5 + i%7})
	}
	p := sim.Params{Model: m, DeviceMemoryGB: 80, DeviceFP16TFLOPS: 312, TP: 1, PP: pp, Replicas: replicas,
		MemoryMarginFraction: 0.1, Router: scheduler.RoundRobin, MaxTokens: 4096,
		Scheduler: scheduler.Params{Kind: scheduler.Sarathi, BatchSizeCap: 16, BlockSize: 16, WatermarkFraction: 0.01, ChunkSize: 256},
		Record:    metrics.Options{Batches: true, Stages: true, Series: true, TokenGaps: true}}
	res, err := sim.Simulate(p, reqs, constTimer{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestTraceEventFormat validates trace.json against the Trace Event Format:
// a traceEvents array whose events have a phase, numeric pid/tid, and for
// complete events ("X") numeric ts and dur in microseconds; every pid and
// tid used is named by process_name/thread_name metadata.
func TestTraceEventFormat(t *testing.T) {
	res := simulate(t, 2, 2)
	path := filepath.Join(t.TempDir(), "trace.json")
	if err := WriteTrace(path, res.Metrics, 2, 2); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("trace is not JSON: %v", err)
	}
	var events []map[string]any
	if err := json.Unmarshal(doc["traceEvents"], &events); err != nil {
		t.Fatalf("traceEvents is not an array of objects: %v", err)
	}
	procs, threads := map[float64]bool{}, map[[2]float64]bool{}
	complete := 0
	for i, e := range events {
		ph, ok := e["ph"].(string)
		if !ok {
			t.Fatalf("event %d has no ph", i)
		}
		pid, ok1 := e["pid"].(float64)
		tid, ok2 := e["tid"].(float64)
		if !ok1 || !ok2 || pid != math.Trunc(pid) || tid != math.Trunc(tid) {
			t.Fatalf("event %d: pid/tid not integers: %v %v", i, e["pid"], e["tid"])
		}
		if _, ok := e["name"].(string); !ok {
			t.Fatalf("event %d has no name", i)
		}
		switch ph {
		case "M":
			args, _ := e["args"].(map[string]any)
			if _, ok := args["name"].(string); !ok {
				t.Fatalf("metadata event %d has no args.name", i)
			}
			switch e["name"] {
			case "process_name":
				procs[pid] = true
			case "thread_name":
				threads[[2]float64{pid, tid}] = true
			default:
				t.Fatalf("metadata event %d: unexpected name %v", i, e["name"])
			}
		case "X":
			complete++
			ts, ok1 := e["ts"].(float64)
			dur, ok2 := e["dur"].(float64)
			if !ok1 || !ok2 || ts < 0 || dur <= 0 {
				t.Fatalf("complete event %d: ts %v dur %v", i, e["ts"], e["dur"])
			}
			if !procs[pid] || !threads[[2]float64{pid, tid}] {
				t.Fatalf("complete event %d uses pid %v tid %v without name metadata", i, pid, tid)
			}
		default:
			t.Fatalf("event %d: unexpected phase %q", i, ph)
		}
	}
	if complete != len(res.Metrics.Stages) || complete == 0 {
		t.Fatalf("%d complete events for %d batch stages", complete, len(res.Metrics.Stages))
	}
	first := res.Metrics.Stages[0]
	if first.DurS*1e6 <= 0 {
		t.Fatal("durations must be in microseconds")
	}
}

func TestRequestsAndBatchesCSV(t *testing.T) {
	res := simulate(t, 1, 1)
	dir := t.TempDir()
	if err := WriteRequestsCSV(filepath.Join(dir, "r.csv"), res.Requests); err != nil {
		t.Fatal(err)
	}
	if err := WriteBatchesCSV(filepath.Join(dir, "b.csv"), res.Metrics.Batches); err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(filepath.Join(dir, "r.csv"))
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 41 || strings.Join(rows[0], ",") != strings.Join(metrics.RequestColumns, ",") {
		t.Fatalf("requests.csv: %d rows, header %v", len(rows), rows[0])
	}
	if rows[1][15] != "" {
		t.Fatalf("first request's inter-arrival delay should be empty, got %q", rows[1][15])
	}
	f, _ = os.Open(filepath.Join(dir, "b.csv"))
	brows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(brows) != len(res.Metrics.Batches)+1 || brows[0][0] != "Batch Id" {
		t.Fatalf("batches.csv: %v, %d rows", err, len(brows))
	}
}
