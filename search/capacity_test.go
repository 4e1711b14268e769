package search

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
)

func defaultOpts() CapacityOptions {
	o := CapacityOptions{Tolerance: 0.02}
	if err := o.normalize(); err != nil {
		panic(err)
	}
	return o
}

func TestFindCapacityWithinTolerance(t *testing.T) {
	for _, want := range []float64{0.013, 0.3, 1, 1.7, 7.3, 123.4, 4999} {
		for _, start := range []float64{0.5, 1, 64} {
			t.Run(fmt.Sprintf("cap%g/start%g", want, start), func(t *testing.T) {
				ev := &fakeEvaluator{capacity: func(Point) float64 { return want }, floorTTFT: 0.5}
				opts := defaultOpts()
				opts.StartQPS = start
				c, err := FindCapacity(context.Background(), ev, Point{ID: "x"}, DefaultSLOs(), opts)
				if err != nil {
					t.Fatal(err)
				}
				if c.QPS > want || c.QPS*(1+opts.Tolerance) < want {
					t.Fatalf("capacity %g, want within %g%% below %g (probes %v)", c.QPS, 100*opts.Tolerance, want, probeRates(c))
				}
				if len(c.Probes) > opts.MaxProbes || int(ev.calls.Load()) != len(c.Probes) {
					t.Fatalf("%d probes, %d calls", len(c.Probes), ev.calls.Load())
				}
				if c.At == nil || !c.At.OK || c.Above == nil || c.Above.OK || c.Above.QPS <= c.QPS {
					t.Fatalf("bracket at=%+v above=%+v", c.At, c.Above)
				}
				if !strings.HasPrefix(c.Why, "limited by ") {
					t.Fatalf("why %q", c.Why)
				}
			})
		}
	}
}

func probeRates(c Capacity) []float64 {
	var r []float64
	for _, p := range c.Probes {
		r = append(r, p.QPS)
	}
	return r
}

// A looser SLO or a larger true capacity never lowers the capacity found.
func TestFindCapacityMonotone(t *testing.T) {
	prev := 0.0
	for want := 0.5; want < 50; want *= 1.37 {
		ev := &fakeEvaluator{capacity: func(Point) float64 { return want }, floorTTFT: 0.5}
		c, err := FindCapacity(context.Background(), ev, Point{}, DefaultSLOs(), defaultOpts())
		if err != nil {
			t.Fatal(err)
		}
		if c.QPS < prev {
			t.Fatalf("true capacity %g found %g, below %g found for a smaller one", want, c.QPS, prev)
		}
		prev = c.QPS
	}
	prev = 0
	for _, maxS := range []float64{0.6, 0.9, 1.3, 2, 3, 5} {
		slos := []SLO{{Metric: TTFT, Quantile: 0.9, MaxS: maxS}}
		ev := &fakeEvaluator{capacity: func(Point) float64 { return 10 }, floorTTFT: 0.5}
		c, err := FindCapacity(context.Background(), ev, Point{}, slos, defaultOpts())
		if err != nil {
			t.Fatal(err)
		}
		if c.QPS < prev {
			t.Fatalf("TTFT SLO %g s: capacity %g below %g of a tighter SLO", maxS, c.QPS, prev)
		}
		prev = c.QPS
	}
}

// The binding SLO is the one named: here only TBT p99 (threshold lowered).
func TestFindCapacityBindingSLO(t *testing.T) {
	slos := DefaultSLOs()
	slos[1].MaxS = 0.15 // TBT p99 = 0.1 + 0.1x → breaks at x = 0.5
	ev := &fakeEvaluator{capacity: func(Point) float64 { return 8 }, floorTTFT: 0.5}
	c, err := FindCapacity(context.Background(), ev, Point{}, slos, defaultOpts())
	if err != nil {
		t.Fatal(err)
	}
	if c.QPS > 4 || c.QPS < 4/1.02 {
		t.Fatalf("capacity %g, want just under 4", c.QPS)
	}
	if !strings.Contains(c.Why, "TBT p99 = ") || strings.Contains(c.Why, "TTFT") {
		t.Fatalf("why %q", c.Why)
	}
}

func TestFindCapacityZero(t *testing.T) {
	ev := &fakeEvaluator{capacity: func(Point) float64 { return 1 }, floorTTFT: 3.1}
	opts := defaultOpts()
	c, err := FindCapacity(context.Background(), ev, Point{}, DefaultSLOs(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if c.QPS != 0 || c.At != nil || c.Above == nil || c.Above.QPS != opts.MinQPS {
		t.Fatalf("capacity %+v", c)
	}
	for _, want := range []string{"TTFT p90 = 3.13 s > 2 s even at 0.01 QPS", "requests barely queue there (scheduling delay p99 = ", "the longest prompts take up to"} {
		if !strings.Contains(c.Why, want) {
			t.Errorf("why %q lacks %q", c.Why, want)
		}
	}
	// start 1 fails, then min_qps 0.01 fails: 2 probes (halving took 8).
	if len(c.Probes) != 2 || c.Probes[1].QPS != opts.MinQPS {
		t.Errorf("%d probes: %v", len(c.Probes), probeRates(c))
	}
}

func TestFindCapacityCapped(t *testing.T) {
	ev := &fakeEvaluator{capacity: func(Point) float64 { return 1e9 }, floorTTFT: 0.5}
	opts := defaultOpts()
	opts.MaxQPS = 100
	c, err := FindCapacity(context.Background(), ev, Point{}, DefaultSLOs(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Capped || c.QPS != 100 || c.Above != nil || !strings.Contains(c.Why, "raise search.max_qps") {
		t.Fatalf("capacity %+v", c)
	}
}

func TestFindCapacityTruncated(t *testing.T) {
	ev := &fakeEvaluator{capacity: func(Point) float64 { return 3.3 }, floorTTFT: 0.5}
	opts := defaultOpts()
	opts.MaxProbes = 4
	c, err := FindCapacity(context.Background(), ev, Point{}, DefaultSLOs(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Truncated || len(c.Probes) != 4 || c.QPS > 3.3 || c.QPS == 0 {
		t.Fatalf("capacity %+v", c)
	}
}

type badEvaluator struct{ values int }

func (b badEvaluator) Evaluate(_ context.Context, p Probe) (Outcome, error) {
	return Outcome{Values: make([]float64, b.values), Requests: 1}, nil
}

func TestFindCapacityRejectsBadOutcome(t *testing.T) {
	_, err := FindCapacity(context.Background(), badEvaluator{values: 2}, Point{}, DefaultSLOs(), defaultOpts())
	if err == nil || !strings.Contains(err.Error(), "2 values for") {
		t.Fatalf("error %v", err)
	}
}

func ExampleFindCapacity() {
	// A fake system whose SLO metrics reach their thresholds at 12 QPS.
	ev := &fakeEvaluator{capacity: func(Point) float64 { return 12 }, floorTTFT: 0.5}
	opts := CapacityOptions{Tolerance: 0.01}
	_ = opts.normalize()
	c, _ := FindCapacity(context.Background(), ev, Point{}, DefaultSLOs(), opts)
	fmt.Printf("capacity %.3f QPS after %d probes\n", c.QPS, len(c.Probes))
	fmt.Println(c.Why)
	// Output:
	// capacity 12.000 QPS after 12 probes
	// limited by TTFT p90 = 2.016 s > 2 s; TBT p99 = 200.5 ms > 200 ms; scheduling delay p99 = 5.079 s > 5 s at 12.06 QPS
}

// preparingEvaluator counts Prepare/release pairs around the probes.
type preparingEvaluator struct {
	fakeEvaluator
	prepared, released int
}

func (p *preparingEvaluator) Prepare(_ context.Context, pt Point) (Evaluator, func(), error) {
	p.prepared++
	return &p.fakeEvaluator, func() { p.released++ }, nil
}

func TestFindCapacityPreparer(t *testing.T) {
	ev := &preparingEvaluator{fakeEvaluator: fakeEvaluator{capacity: func(Point) float64 { return 5 }, floorTTFT: 0.5}}
	c, err := FindCapacity(context.Background(), ev, Point{}, DefaultSLOs(), defaultOpts())
	if err != nil {
		t.Fatal(err)
	}
	if ev.prepared != 1 || ev.released != 1 || int(ev.calls.Load()) != len(c.Probes) {
		t.Fatalf("prepared %d, released %d, %d calls for %d probes", ev.prepared, ev.released, ev.calls.Load(), len(c.Probes))
	}
	if c.Predictor != "analytical, not measured: fake" {
		t.Fatalf("predictor source %q not recorded", c.Predictor)
	}
}

// thresholdEvaluator meets every SLO exactly when qps ≤ threshold: the
// monotone system FindCapacity assumes, with a known true capacity.
type thresholdEvaluator struct {
	threshold float64
	calls     int
}

func (e *thresholdEvaluator) Evaluate(_ context.Context, p Probe) (Outcome, error) {
	e.calls++
	v := 0.0
	if p.QPS > e.threshold {
		v = 100 // breaks every default SLO
	}
	vals := make([]float64, len(p.Quantiles))
	for i := range vals {
		vals[i] = v
	}
	return Outcome{Values: vals, Requests: 1, OutputTokens: 1, DurationS: 1 / p.QPS}, nil
}

// halvingCapacity is the bracketing FindCapacity used before issue 7, kept
// as the reference: double from start while met; halve from start while
// violated, down to min_qps (zero capacity when that fails too); then
// bisect at the arithmetic midpoint. ok(q) says whether q meets the SLOs.
// It returns the capacity and the probed rates.
func halvingCapacity(ok func(float64) bool, o CapacityOptions) (float64, []float64) {
	var rates []float64
	probe := func(q float64) bool { rates = append(rates, q); return ok(q) }
	var lo, hi float64
	haveHi := false
	if probe(o.StartQPS) {
		lo = o.StartQPS
		for !haveHi && lo < o.MaxQPS && len(rates) < o.MaxProbes {
			q := math.Min(2*lo, o.MaxQPS)
			if probe(q) {
				lo = q
			} else {
				hi, haveHi = q, true
			}
		}
	} else {
		hi, haveHi = o.StartQPS, true
		for {
			if hi <= o.MinQPS || len(rates) >= o.MaxProbes {
				return 0, rates
			}
			q := math.Max(hi/2, o.MinQPS)
			if probe(q) {
				lo = q
				break
			}
			hi = q
		}
	}
	for haveHi && hi-lo > o.Tolerance*lo && len(rates) < o.MaxProbes {
		q := (lo + hi) / 2
		if probe(q) {
			lo = q
		} else {
			hi = q
		}
	}
	return lo, rates
}

// lowRateCost weighs probes by how long their simulations run, relative to
// one at ≥ 2 QPS: measured with vidur-sim run (Llama-2-70b-hf, a100 TP 2
// PP 2, 4 replicas, vllm, 2000 arxiv requests), 0.2 s user at 4 and 16 QPS,
// 0.5 s at 1, 0.9 s at 0.25, 0.04 and 0.01 — below about 0.5 QPS batches
// hold ~1 request, so the iterations (and the cost) stop growing.
func lowRateCost(rates []float64) float64 {
	s := 0.0
	for _, q := range rates {
		s += math.Min(math.Max(1, 2/q), 4.5)
	}
	return s
}

// FindCapacity answers as the halving search did, under the monotonicity
// both assume, over thresholds spanning zero capacity to the cap: zero
// capacity exactly when halving gave zero, and otherwise both capacities
// within the tolerance below the true one. It also checks that the
// bracketing costs fewer probes (and fewer low-rate probes) in total.
func TestFindCapacityMatchesHalving(t *testing.T) {
	for _, start := range []float64{1, 16, 100} {
		t.Run(fmt.Sprintf("start%g", start), func(t *testing.T) {
			opts := CapacityOptions{StartQPS: start, Tolerance: 0.025}
			if err := opts.normalize(); err != nil {
				t.Fatal(err)
			}
			var oldN, newN int
			var oldCost, newCost float64
			for th := 0.001; th < 2*opts.MaxQPS; th *= 1.0137 {
				ev := &thresholdEvaluator{threshold: th}
				c, err := FindCapacity(context.Background(), ev, Point{}, DefaultSLOs(), opts)
				if err != nil {
					t.Fatal(err)
				}
				old, oldRates := halvingCapacity(func(q float64) bool { return q <= th }, opts)
				oldN += len(oldRates)
				newN += len(c.Probes)
				oldCost += lowRateCost(oldRates)
				newCost += lowRateCost(probeRates(c))
				if (old == 0) != (c.QPS == 0) {
					t.Fatalf("threshold %g: capacity %g, halving gave %g", th, c.QPS, old)
				}
				if c.Truncated || len(c.Probes) > opts.MaxProbes {
					t.Fatalf("threshold %g: %d probes, truncated %v", th, len(c.Probes), c.Truncated)
				}
				if c.QPS == 0 {
					if th >= opts.MinQPS || c.Above == nil || c.Above.QPS != opts.MinQPS && start > opts.MinQPS {
						t.Fatalf("threshold %g: zero capacity %+v", th, c)
					}
					continue
				}
				want := math.Min(th, opts.MaxQPS)
				for _, got := range []float64{c.QPS, old} {
					if got > want || got*(1+opts.Tolerance) < want {
						t.Fatalf("threshold %g: capacity %g (halving %g) not within %g below %g; probes %v", th, c.QPS, old, opts.Tolerance, want, probeRates(c))
					}
				}
				if math.Abs(c.QPS-old) > opts.Tolerance*math.Min(c.QPS, old) {
					t.Fatalf("threshold %g: capacity %g and halving's %g differ by more than the tolerance", th, c.QPS, old)
				}
			}
			t.Logf("probes: halving %d, now %d; low-rate cost: halving %.0f, now %.0f", oldN, newN, oldCost, newCost)
			if newN > oldN || newCost > oldCost {
				t.Errorf("probes: halving %d, now %d; low-rate cost: halving %.0f, now %.0f", oldN, newN, oldCost, newCost)
			}
		})
	}
}

// Probes per configuration before (halving) and after, at start_qps 16 and
// tolerance 2.5 % as in docs/performance.md "Search".
func TestFindCapacityProbeCounts(t *testing.T) {
	for _, tc := range []struct {
		threshold        float64
		halving, bracket int
	}{
		{0.005, 12, 2}, // zero capacity: 16, 0.01 and done
		{0.04, 15, 11}, // 0.01 met → geometric 0.4, 0.063, 0.025, then arithmetic
		{0.3, 13, 11},
		{1, 11, 10},
		{3, 9, 11},      // capacities near start_qps: halving reached them in 2–3 probes,
		{12, 7, 11},     // the bracket pays the 0.01 probe and ~3 geometric steps
		{20, 7, 7},      // start met: doubling, unchanged
		{20000, 11, 11}, // capped at max_qps 10000
	} {
		t.Run(fmt.Sprint(tc.threshold), func(t *testing.T) {
			opts := CapacityOptions{StartQPS: 16, Tolerance: 0.025}
			if err := opts.normalize(); err != nil {
				t.Fatal(err)
			}
			ev := &thresholdEvaluator{threshold: tc.threshold}
			c, err := FindCapacity(context.Background(), ev, Point{}, DefaultSLOs(), opts)
			if err != nil {
				t.Fatal(err)
			}
			_, old := halvingCapacity(func(q float64) bool { return q <= tc.threshold }, opts)
			if len(old) != tc.halving || len(c.Probes) != tc.bracket {
				t.Errorf("probes: halving %d %v, now %d %v; want %d and %d", len(old), old, len(c.Probes), probeRates(c), tc.halving, tc.bracket)
			}
		})
	}
}
