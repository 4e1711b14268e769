package sim

import (
	"math"
	"slices"
	"testing"

	"github.com/vidur-go/vidur-go/sim/metrics"
	"github.com/vidur-go/vidur-go/sim/rng"
	"github.com/vidur-go/vidur-go/sim/scheduler"
)

// TestMidPrefillRestartKeepsOutputTokens: Sarathi may restart a request in
// the middle of its prefill, and Vidur then turns the rest of the prompt
// into decode tokens. Those are not output tokens: every request still has
// OrigD − 1 token gaps (Vidur's rule counted 15119 instead of 9725 here).
func TestMidPrefillRestartKeepsOutputTokens(t *testing.T) {
	reqs := randomRequests(2, 200, 200, 1200, 100)
	p := testParams(t, scheduler.Sarathi)
	p.MaxTokens = 1300
	p.Scheduler.NumBlocks = 200
	p.Scheduler.ChunkSize = 32
	p.Record.TokenGaps = true
	res := mustSimulate(t, p, reqs, linearTimer{1})
	gaps, restarts := 0, 0
	for i, r := range reqs {
		gaps += r.NumDecodeTokens - 1
		q := &res.Requests[i]
		restarts += q.NumRestarts
		if q.NumTokenGaps != r.NumDecodeTokens-1 {
			t.Fatalf("request %d (%d restarts): %d token gaps, want %d", i, q.NumRestarts, q.NumTokenGaps, r.NumDecodeTokens-1)
		}
		if q.FirstTokenAt < q.PrefillCompletedAt || q.LastTokenAt < q.FirstTokenAt {
			t.Fatalf("request %d: first token at %g before prefill completed at %g, or last at %g", i, q.FirstTokenAt, q.PrefillCompletedAt, q.LastTokenAt)
		}
	}
	if restarts == 0 {
		t.Fatal("no restart: the test does not exercise preemption")
	}
	if len(res.Metrics.TokenGaps) != gaps {
		t.Fatalf("%d token gaps recorded, want %d", len(res.Metrics.TokenGaps), gaps)
	}
}

func TestSamplesAboveToExceed(t *testing.T) {
	for _, tc := range []struct {
		n    int
		q    float64
		want int
	}{
		{0, 0.9, 0}, {1, 0.9, 1}, {1, 1, 1}, {2000, 0.9, 201}, {2000, 0.99, 21},
		{2000, 1, 1}, {2000, 0, 2000}, {2000, 0.5, 1001}, {10, 0.5, 6},
	} {
		if got := metrics.SamplesAboveToExceed(tc.n, tc.q); got != tc.want {
			t.Errorf("SamplesAboveToExceed(%d, %g) = %d, want %d", tc.n, tc.q, got, tc.want)
		}
	}
	// It is exact: that many samples above x put the quantile above x,
	// one fewer does not when the others sit far below.
	py := rng.NewPython(3)
	for range 2000 {
		n := 1 + py.RandBelow(300)
		q := []float64{0.5, 0.9, 0.95, 0.99, 1}[py.RandBelow(5)]
		k := metrics.SamplesAboveToExceed(n, q)
		s := make([]float64, n)
		for i := range s {
			s[i] = py.Random() // below 1
		}
		for i := range k {
			s[i] = 1 + py.Random() // above 1
		}
		slices.Sort(s)
		if v := metrics.Quantile(s, q); !(v > 1) {
			t.Fatalf("n=%d q=%g: %d samples above 1 but quantile %g", n, q, k, v)
		}
		// With one fewer above x the order statistic the quantile starts
		// from, sorted[⌊(n−1)q⌋], is not above x: the count is the least.
		for i := range s {
			s[i] = 0
		}
		for i := n - k + 1; i < n; i++ {
			s[i] = 2
		}
		if lo := int(math.Floor(float64(n-1) * q)); s[lo] > 1 {
			t.Fatalf("n=%d q=%g: %d samples above 1 already decide it", n, q, k-1)
		}
	}
}

// TestStopIsSound: a run with stop limits ends early only when the full
// run's quantile exceeds the limit, and otherwise equals the full run.
func TestStopIsSound(t *testing.T) {
	reqs := randomRequests(11, 400, 60, 1500, 300)
	for _, kind := range []string{scheduler.VLLM, scheduler.Sarathi, scheduler.Orca} {
		p := testParams(t, kind)
		p.Replicas = 2
		p.Record.TokenGaps = true
		full := mustSimulate(t, p, reqs, linearTimer{1})
		if full.Stopped != nil {
			t.Fatalf("%s: run without limits stopped: %s", kind, full.Stopped)
		}
		rows := metrics.RequestRows(full.Requests)
		sample := func(m StopMetric) []float64 {
			var v []float64
			switch m {
			case StopTBT:
				v = append(v, full.Metrics.TokenGaps...)
			default:
				col := map[StopMetric]int{StopTTFT: 10, StopSchedulingDelay: 7, StopE2E: 0}[m]
				for _, r := range rows {
					v = append(v, r[col])
				}
			}
			slices.Sort(v)
			return v
		}
		stops := 0
		for m := StopTTFT; m < numStopMetrics; m++ {
			s := sample(m)
			for _, q := range []float64{0.5, 0.9, 0.99, 1} {
				fullQ := metrics.Quantile(s, q)
				for _, f := range []float64{0.3, 0.8, 0.97, 1, 1.05} {
					lim := StopLimit{Metric: m, Quantile: q, MaxS: fullQ * f}
					ps := p
					ps.Stop = []StopLimit{lim}
					res := mustSimulate(t, ps, reqs, linearTimer{1})
					switch {
					case res.Stopped != nil:
						stops++
						if !(fullQ > lim.MaxS) {
							t.Fatalf("%s %+v: stopped (%s) though the full run's quantile %g is within the limit", kind, lim, res.Stopped, fullQ)
						}
						if res.NumEvents > full.NumEvents || res.Stopped.StopLimit != lim || res.Stopped.Over != metrics.SamplesAboveToExceed(res.Stopped.Total, lim.Quantile) {
							t.Fatalf("%s %+v: stopped after %d events (full %d): %v", kind, lim, res.NumEvents, full.NumEvents, res.Stopped)
						}
					case fullQ <= lim.MaxS:
						if res.NumEvents != full.NumEvents || res.EndTimeS != full.EndTimeS {
							t.Fatalf("%s %+v: a run that does not stop differs from the full run", kind, lim)
						}
					}
				}
			}
		}
		if stops < 20 {
			t.Fatalf("%s: only %d runs stopped early; the test does not exercise stopping", kind, stops)
		}
	}
}

func TestStopLimitValidation(t *testing.T) {
	p := testParams(t, scheduler.VLLM)
	reqs := randomRequests(1, 10, 1, 100, 10)
	for _, lim := range []StopLimit{{Metric: numStopMetrics, Quantile: 0.5, MaxS: 1}, {Quantile: 1.5, MaxS: 1}, {Quantile: 0.5, MaxS: math.NaN()}} {
		p.Stop = []StopLimit{lim}
		if _, err := Simulate(p, reqs, linearTimer{1}, rng.NewPython(1)); err == nil {
			t.Errorf("limit %+v accepted", lim)
		}
	}
}
