package search

import (
	"context"
	"fmt"
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
	// start 1 → 0.5 → ... → 0.015625 → 0.01: 8 probes.
	if len(c.Probes) != 8 {
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
