package output

import (
	"fmt"
	"path/filepath"

	"github.com/vidur-go/vidur-go/sim/cluster"
	"github.com/vidur-go/vidur-go/sim/metrics"
	"github.com/vidur-go/vidur-go/sim/plot"
)

// WritePlots writes the PNG plots of docs/metrics.md into dir and returns
// their file names: CDFs of TTFT, TBT and e2e latency over completed
// requests, and batch size, KV memory and queue length over time. Plots
// whose data were not recorded (batches, series) are skipped.
func WritePlots(dir string, reqs []cluster.Request, col *metrics.Collector) ([]string, error) {
	var ttft, tbt, e2e []float64
	for i := range reqs {
		q := &reqs[i]
		if !q.Completed {
			continue
		}
		ttft = append(ttft, q.PrefillCompletedAt-q.ArrivedAt)
		tbt = append(tbt, (q.CompletedAt-q.PrefillCompletedAt)/float64(q.OrigD))
		e2e = append(e2e, q.CompletedAt-q.ArrivedAt)
	}
	var names []string
	do := func(name string, f func(path string) error) error {
		if err := f(filepath.Join(dir, name)); err != nil {
			return err
		}
		names = append(names, name)
		return nil
	}
	if len(e2e) > 0 {
		if err := do("ttft_cdf.png", func(p string) error {
			return plot.CDF(p, "Time to first token", "TTFT (s)", plot.Series{Name: "prefill_e2e_time", Values: ttft})
		}); err != nil {
			return names, err
		}
		tbtSeries := []plot.Series{{Name: "decode time / output token", Values: tbt}}
		if len(col.TokenGaps) > 0 {
			tbtSeries = append(tbtSeries, plot.Series{Name: "gap between consecutive tokens", Values: col.TokenGaps})
		}
		if err := do("tbt_cdf.png", func(p string) error {
			return plot.CDF(p, "Time between tokens", "TBT (s)", tbtSeries...)
		}); err != nil {
			return names, err
		}
		if err := do("e2e_cdf.png", func(p string) error {
			return plot.CDF(p, "End-to-end latency", "e2e (s)", plot.Series{Name: "request_e2e_time", Values: e2e})
		}); err != nil {
			return names, err
		}
	}
	if len(col.Batches) > 0 {
		x, y := make([]float64, len(col.Batches)), make([]float64, len(col.Batches))
		for i, b := range col.Batches {
			x[i], y[i] = b.CompletedAtS, float64(b.Size)
		}
		// Records are appended at each batch end as the clock advances, so
		// x is non-decreasing.
		if err := do("batch_size.png", func(p string) error {
			return plot.TimeSeries(p, "Batch size", "time (s)", "requests per batch", plot.XYSeries{Name: "batch size", X: x, Y: y})
		}); err != nil {
			return names, err
		}
	}
	if len(col.Memory) > 0 {
		var mem []plot.XYSeries
		for r, samples := range col.Memory {
			x, y := make([]float64, len(samples)), make([]float64, len(samples))
			for i, s := range samples {
				x[i], y[i] = s.TimeS, s.Value
			}
			mem = append(mem, plot.XYSeries{Name: fmt.Sprintf("replica %d", r), X: x, Y: y})
		}
		if err := do("memory.png", func(p string) error {
			return plot.TimeSeries(p, "KV-cache memory in use", "time (s)", "blocks in use (%)", mem...)
		}); err != nil {
			return names, err
		}
	}
	if len(col.QueueLen) > 0 {
		x, y := make([]float64, len(col.QueueLen)), make([]float64, len(col.QueueLen))
		for i, s := range col.QueueLen {
			x[i], y[i] = s.TimeS, s.Value
		}
		if err := do("queue_length.png", func(p string) error {
			return plot.TimeSeries(p, "Queued requests", "time (s)", "routed, not yet batched", plot.XYSeries{Name: "all replicas", X: x, Y: y})
		}); err != nil {
			return names, err
		}
	}
	return names, nil
}
