package sim

import (
	"fmt"
	"sync"
	"testing"

	"github.com/vidur-go/vidur-go/hardware"
	"github.com/vidur-go/vidur-go/predictor"
	"github.com/vidur-go/vidur-go/sim/metrics"
	"github.com/vidur-go/vidur-go/sim/rng"
	"github.com/vidur-go/vidur-go/sim/scheduler"
	"github.com/vidur-go/vidur-go/sim/workload"
)

var (
	benchArtOnce sync.Once
	benchArt     *predictor.Artifact
	benchArtErr  error
)

// benchTimer is the §8.2 timer over the analytical Meta-Llama-3-8B/h100
// artifact, so benchmarks include real table lookups.
func benchTimer(b *testing.B) predictor.BatchTimer {
	m := testModel(b)
	benchArtOnce.Do(func() {
		dev, err := hardware.LookupDevice("h100")
		if err != nil {
			benchArtErr = err
			return
		}
		node, err := hardware.LookupNode("h100_dgx")
		if err != nil {
			benchArtErr = err
			return
		}
		eff, _, err := predictor.DefaultEfficiency("h100")
		if err != nil {
			benchArtErr = err
			return
		}
		benchArt, benchArtErr = predictor.Analytical(m, dev, node, 1, eff)
	})
	if benchArtErr != nil {
		b.Fatal(benchArtErr)
	}
	t, err := predictor.NewTimer(benchArt, predictor.DefaultTimerConfig(m, 1, 1))
	if err != nil {
		b.Fatal(err)
	}
	return t
}

// benchRequests is a chat-like workload: prompts uniform in [1, 2048],
// outputs uniform in [1, 256], Poisson arrivals at qps.
func benchRequests(n int, qps float64) []workload.Request {
	return randomRequests(11, n, qps, 2048, 256)
}

// BenchmarkSimulate runs sarathi on Meta-Llama-3-8B/h100 (analytical timer)
// with n requests over r replicas loaded at ~70% of capacity and reports
// simulated requests per wall-clock second. Records: aggregates only (the
// search path).
func BenchmarkSimulate(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		for _, r := range []int{1, 8} {
			b.Run(fmt.Sprintf("requests=%d/replicas=%d", n, r), func(b *testing.B) {
				reqs := benchRequests(n, 9*float64(r))
				timer := benchTimer(b)
				p := testParams(b, scheduler.Sarathi)
				p.Replicas = r
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					res, err := Simulate(p, reqs, timer, rng.NewPython(1))
					if err != nil {
						b.Fatal(err)
					}
					if res.Completed != n {
						b.Fatalf("%d of %d completed", res.Completed, n)
					}
				}
				b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "requests/s")
			})
		}
	}
}

// BenchmarkSimulateRecording is BenchmarkSimulate with every record the CLI
// keeps (batches, stages, token gaps, series).
func BenchmarkSimulateRecording(b *testing.B) {
	reqs := benchRequests(10_000, 9)
	timer := benchTimer(b)
	p := testParams(b, scheduler.Sarathi)
	p.Record = metrics.Options{Batches: true, Stages: true, Series: true, TokenGaps: true}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Simulate(p, reqs, timer, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(reqs))*float64(b.N)/b.Elapsed().Seconds(), "requests/s")
}

// BenchmarkSimulate1M is the headline figure: one million requests over 8
// replicas (run with GOMAXPROCS=1 for the one-core number).
func BenchmarkSimulate1M(b *testing.B) {
	const n = 1_000_000
	reqs := benchRequests(n, 9*8)
	timer := benchTimer(b)
	p := testParams(b, scheduler.Sarathi)
	p.Replicas = 8
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := Simulate(p, reqs, timer, nil)
		if err != nil {
			b.Fatal(err)
		}
		if res.Completed != n {
			b.Fatalf("%d of %d completed", res.Completed, n)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "requests/s")
}
