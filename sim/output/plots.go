package output

import (
	"math"

	"github.com/vidur-go/vidur-go/sim/cluster"
	"github.com/vidur-go/vidur-go/sim/metrics"
)

// plotSeries are the data behind the PNG plots.
type plotSeries struct {
	TTFT, TBT, E2E, TokenTBT []float64 // seconds, one per completed request / token gap
	// BatchSize is (completion time, size) per batch.
	BatchSizeT, BatchSize []float64
	// Memory is per replica (time, percent).
	MemoryT, Memory [][]float64
	QueueT, Queue   []float64
}

func collectSeries(reqs []cluster.Request, col *metrics.Collector) plotSeries {
	var s plotSeries
	for i := range reqs {
		q := &reqs[i]
		if !q.Completed {
			continue
		}
		s.TTFT = append(s.TTFT, q.PrefillCompletedAt-q.ArrivedAt)
		s.TBT = append(s.TBT, (q.CompletedAt-q.PrefillCompletedAt)/float64(q.OrigD))
		s.E2E = append(s.E2E, q.CompletedAt-q.ArrivedAt)
	}
	s.TokenTBT = append(s.TokenTBT, col.TokenGaps...)
	for _, b := range col.Batches {
		s.BatchSizeT = append(s.BatchSizeT, b.CompletedAtS)
		s.BatchSize = append(s.BatchSize, float64(b.Size))
	}
	for _, m := range col.Memory {
		t, v := make([]float64, len(m)), make([]float64, len(m))
		for i, x := range m {
			t[i], v[i] = x.TimeS, x.Value
		}
		s.MemoryT, s.Memory = append(s.MemoryT, t), append(s.Memory, v)
	}
	for _, x := range col.QueueLen {
		s.QueueT = append(s.QueueT, x.TimeS)
		s.Queue = append(s.Queue, x.Value)
	}
	return s
}

var _ = math.NaN
