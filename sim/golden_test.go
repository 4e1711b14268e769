package sim

import (
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/vidur-go/vidur-go/models"
	"github.com/vidur-go/vidur-go/predictor"
	"github.com/vidur-go/vidur-go/sim/metrics"
	"github.com/vidur-go/vidur-go/sim/scheduler"
	"github.com/vidur-go/vidur-go/sim/workload"
)

// goldenDir returns $VIDUR_GOLDEN/<name> or skips the test.
func goldenDir(t *testing.T, name string) string {
	t.Helper()
	root := os.Getenv("VIDUR_GOLDEN")
	if root == "" {
		t.Skip("VIDUR_GOLDEN not set: skipping comparison with Vidur's outputs")
	}
	return filepath.Join(root, name)
}

// runG1 simulates the g1_sarathi case: Llama-2-7b on one h100
// (h100_pairwise_nvlink), TP1 PP1, sarathi cap 128 chunk 512 block 16, with
// Vidur's own prediction tables.
func runG1(t *testing.T, dir string) *Result {
	t.Helper()
	model, err := models.Lookup("meta-llama/Llama-2-7b-hf")
	if err != nil {
		t.Fatal(err)
	}
	wl := workload.DefaultConfig()
	wl.Type = workload.TypeTraceReplay
	wl.TraceFile = filepath.Join(dir, "trace.csv")
	wl.NumRequests = 0 // the whole trace, as Vidur replays it
	wl.MaxTokens = 4096
	wl.TimeScaleFactor = 1
	reqs, err := workload.Generate(wl, nil)
	if err != nil {
		t.Fatal(err)
	}
	art, err := predictor.ImportVidurPredictions(filepath.Join(dir, "vidur-predictions"),
		predictor.VidurImportMeta{Model: model, Device: "h100", Node: "h100_pairwise_nvlink", TP: 1})
	if err != nil {
		t.Fatal(err)
	}
	timer, err := predictor.NewTimer(art, predictor.DefaultTimerConfig(model, 1, 1))
	if err != nil {
		t.Fatal(err)
	}
	p := Params{
		Model: model, DeviceMemoryGB: 80, DeviceFP16TFLOPS: 1000, TP: 1, PP: 1, Replicas: 1,
		MemoryMarginFraction: 0.1, Router: scheduler.RoundRobin, MaxTokens: 4096,
		Scheduler: scheduler.Params{Kind: scheduler.Sarathi, BatchSizeCap: 128, BlockSize: 16,
			WatermarkFraction: 0.01, ChunkSize: 512, MaxTokensInBatch: 4096, MaxWaitingIters: 10},
		Record: metrics.Options{Batches: true, Stages: true},
	}
	res, err := Simulate(p, reqs, timer, nil)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

type chromeTrace struct {
	TraceEvents []struct {
		Args struct {
			BatchID    int       `json:"batch_id"`
			RequestIDs []int     `json:"request_ids"`
			NumTokens  []float64 `json:"num_tokens"`
		} `json:"args"`
	} `json:"traceEvents"`
}

func readCSV(t *testing.T, path string) (map[string]int, [][]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	cols := map[string]int{}
	for i, h := range rows[0] {
		cols[h] = i
	}
	return cols, rows[1:]
}

func num(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func within(got, want, rel float64) bool {
	return math.Abs(got-want) <= rel*math.Abs(want)+1e-12
}

// TestGoldenSarathi is the fidelity test against Vidur's real outputs:
// identical batch compositions, per-request TTFT and e2e within 1%, and
// p50/p90/p99 of TTFT, TBT and e2e within 1%.
func TestGoldenSarathi(t *testing.T) {
	dir := goldenDir(t, "g1_sarathi")
	res := runG1(t, dir)
	out := filepath.Join(dir, "vidur-output")
	col := res.Metrics

	t.Run("batch compositions", func(t *testing.T) {
		f, err := os.Open(filepath.Join(out, "chrome_trace.json.gz"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		var tr chromeTrace
		if err := json.NewDecoder(zr).Decode(&tr); err != nil {
			t.Fatal(err)
		}
		if len(col.Stages) != len(tr.TraceEvents) {
			t.Errorf("%d batch stages, Vidur has %d", len(col.Stages), len(tr.TraceEvents))
		}
		for i := range min(len(col.Stages), len(tr.TraceEvents)) {
			st := col.Stages[i]
			v := tr.TraceEvents[i].Args
			reqs := col.StageReqs[st.First : st.First+st.Count]
			toks := col.StageTokens[st.First : st.First+st.Count]
			same := st.BatchID == v.BatchID && len(reqs) == len(v.RequestIDs)
			for j := 0; same && j < len(reqs); j++ {
				same = int(reqs[j]) == v.RequestIDs[j] && float64(toks[j]) == v.NumTokens[j]
			}
			if !same {
				t.Fatalf("batch stage %d differs: got batch %d requests %v tokens %v; Vidur batch %d requests %v tokens %v",
					i, st.BatchID, reqs, toks, v.BatchID, v.RequestIDs, v.NumTokens)
			}
		}
	})

	t.Run("batch metrics", func(t *testing.T) {
		cols, rows := readCSV(t, filepath.Join(out, "batch_metrics.csv"))
		if len(rows) != len(col.Batches) {
			t.Fatalf("%d batches, Vidur has %d", len(col.Batches), len(rows))
		}
		bad := 0
		for i, row := range rows {
			b := col.Batches[i]
			if strconv.Itoa(b.ID) != row[cols["Batch Id"]] ||
				float64(b.NumTokens) != num(t, row[cols["batch_num_tokens"]]) ||
				float64(b.NumPrefillTokens) != num(t, row[cols["batch_num_prefill_tokens"]]) ||
				float64(b.NumDecodeTokens) != num(t, row[cols["batch_num_decode_tokens"]]) ||
				float64(b.Size) != num(t, row[cols["batch_size"]]) {
				t.Fatalf("batch row %d: got %+v, Vidur %v", i, b, row)
			}
			if !within(b.CompletedAtS-b.ScheduledAtS, num(t, row[cols["batch_execution_time"]]), 1e-6) {
				bad++
			}
		}
		if bad > 0 {
			t.Errorf("%d batch execution times differ by more than 1e-6 relative", bad)
		}
	})

	t.Run("request latencies", func(t *testing.T) {
		cols, rows := readCSV(t, filepath.Join(out, "request_metrics.csv"))
		if len(rows) != len(res.Requests) {
			t.Fatalf("%d requests, Vidur has %d", len(res.Requests), len(rows))
		}
		worst := 0.0
		for _, row := range rows {
			id, _ := strconv.Atoi(row[cols["Request Id"]])
			q := &res.Requests[id]
			ttft := q.PrefillCompletedAt - q.ArrivedAt
			e2e := q.CompletedAt - q.ArrivedAt
			for _, c := range []struct {
				name      string
				got, want float64
			}{{"prefill_e2e_time", ttft, num(t, row[cols["prefill_e2e_time"]])}, {"request_e2e_time", e2e, num(t, row[cols["request_e2e_time"]])}} {
				if !within(c.got, c.want, 0.01) {
					t.Errorf("request %d %s = %g, Vidur %g", id, c.name, c.got, c.want)
				}
				worst = max(worst, math.Abs(c.got-c.want)/math.Max(c.want, 1e-12))
			}
		}
		t.Logf("worst relative difference of per-request TTFT/e2e: %.3g", worst)
	})

	t.Run("every request column", func(t *testing.T) {
		cols, rows := readCSV(t, filepath.Join(out, "request_metrics.csv"))
		ours := metrics.RequestRows(res.Requests)
		for _, row := range rows {
			id, _ := strconv.Atoi(row[cols["Request Id"]])
			for j, name := range metrics.RequestColumns[1:21] {
				vs := row[cols[name]]
				got := ours[id][j]
				if vs == "" {
					if !math.IsNaN(got) {
						t.Fatalf("request %d %s: got %g, Vidur has no value", id, name, got)
					}
					continue
				}
				if want := num(t, vs); !within(got, want, 1e-9) {
					t.Fatalf("request %d %s: got %.17g, Vidur %.17g", id, name, got, want)
				}
			}
		}
	})

	t.Run("mfu", func(t *testing.T) {
		raw, err := os.ReadFile(filepath.Join(out, "plots", "replica_1_stage_1_mfu.json"))
		if err != nil {
			t.Fatal(err)
		}
		var v map[string]float64
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatal(err)
		}
		sum := metrics.Summarize(res.Requests, col, metrics.SummaryInput{EndTimeS: res.EndTimeS})
		got := sum.Replicas[0].Stages[0].MFUMaxPercent
		// Vidur divides by fp16_tflops·2^40; vidur-go by fp16_tflops·10^12.
		want := v["replica_1_stage_1_mfu_max"] * math.Pow(2, 40) / 1e12
		if !within(got, want, 1e-9) {
			t.Errorf("max MFU %g%%, Vidur's rescaled to 10^12: %g%%", got, want)
		}
		raw, err = os.ReadFile(filepath.Join(out, "plots", "replica_1_memory_usage.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatal(err)
		}
		if m := sum.Replicas[0].MemoryMaxPercent; !within(m, v["replica_1_memory_usage_max"], 1e-12) {
			t.Errorf("peak KV memory %g%%, Vidur %g%%", m, v["replica_1_memory_usage_max"])
		}
		t.Logf("vidur-go: memory mean %.3f%% max %.3f%%, busy %.3f%%, MFU mean %.3f%% max %.3f%%",
			sum.Replicas[0].MemoryMeanPercent, sum.Replicas[0].MemoryMaxPercent, sum.Replicas[0].Stages[0].BusyPercent,
			sum.Replicas[0].Stages[0].MFUMeanPercent, got)
	})

	t.Run("summary percentiles", func(t *testing.T) {
		raw, err := os.ReadFile(filepath.Join(out, "summary.json"))
		if err != nil {
			t.Fatal(err)
		}
		var vs map[string]json.RawMessage
		if err := json.Unmarshal(raw, &vs); err != nil {
			t.Fatal(err)
		}
		sum := metrics.Summarize(res.Requests, col, metrics.SummaryInput{EndTimeS: res.EndTimeS})
		for name, got := range map[string]metrics.Dist{
			"prefill_e2e_time": sum.TTFT,
			"decode_time_execution_plus_preemption_normalized": sum.TBT,
			"request_e2e_time":         sum.E2E,
			"request_scheduling_delay": sum.SchedulingDelay,
		} {
			var want metrics.Dist
			if err := json.Unmarshal(vs[name], &want); err != nil {
				t.Fatal(err)
			}
			if got.Count != want.Count {
				t.Errorf("%s: count %d, Vidur %d", name, got.Count, want.Count)
			}
			for _, q := range []struct {
				p         string
				got, want float64
			}{{"p50", got.P50, want.P50}, {"p90", got.P90, want.P90}, {"p99", got.P99, want.P99}} {
				if !within(q.got, q.want, 0.01) {
					t.Errorf("%s %s = %g, Vidur %g", name, q.p, q.got, q.want)
				}
			}
		}
	})
}
