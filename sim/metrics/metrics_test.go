package metrics

import (
	"fmt"
	"math"
	"testing"

	"github.com/vidur-go/vidur-go/sim/cluster"
)

// TestQuantileMatchesNumpy checks values numpy.percentile gives with its
// default linear interpolation.
func TestQuantileMatchesNumpy(t *testing.T) {
	tests := []struct {
		x    []float64
		q    float64
		want float64
	}{
		{[]float64{1, 2, 3, 4}, 0.9, 3.7},
		{[]float64{1, 2, 3, 4}, 0.5, 2.5},
		{[]float64{15, 20, 35, 40, 50}, 0.5, 35},
		{[]float64{15, 20, 35, 40, 50}, 0.9, 46},
		{[]float64{15, 20, 35, 40, 50}, 0.99, 49.6},
		{[]float64{15, 20, 35, 40, 50}, 1, 50},
		{[]float64{15, 20, 35, 40, 50}, 0, 15},
		{[]float64{7}, 0.99, 7},
	}
	for _, tc := range tests {
		if got := Quantile(tc.x, tc.q); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("Quantile(%v, %g) = %g, want %g", tc.x, tc.q, got, tc.want)
		}
	}
	if !math.IsNaN(Quantile(nil, 0.5)) {
		t.Error("empty sample must give NaN")
	}
}

func TestDescribe(t *testing.T) {
	d := Describe([]float64{4, 1, 3, 2})
	if d.Count != 4 || d.Mean != 2.5 || d.Min != 1 || d.Max != 4 || math.Abs(d.P90-3.7) > 1e-12 {
		t.Fatalf("%+v", d)
	}
	if (Describe(nil) != Dist{}) {
		t.Fatal("empty Describe must be zero")
	}
}

// TestUtilisationIsTimeWeighted: memory usage 0% for 1 s, 50% for 3 s gives a
// time-weighted mean of 37.5% over 4 s (Vidur's plain mean of the samples
// 0, 50, 0 would be 16.7%); busy time counts from t = 0.
func TestUtilisationIsTimeWeighted(t *testing.T) {
	c := NewCollector(Options{Series: true}, 1, 1)
	c.OnMemory(0, 1, 50)
	c.OnMemory(0, 4, 0)
	c.OnStage(0, 0, 0, 0, 2, 2, 30, nil, nil) // busy 0..2 s at 30% MFU
	s := Summarize(nil, c, SummaryInput{EndTimeS: 4})
	r := s.Replicas[0]
	if math.Abs(r.MemoryMeanPercent-37.5) > 1e-12 || r.MemoryMaxPercent != 50 {
		t.Fatalf("memory %+v", r)
	}
	st := r.Stages[0]
	if math.Abs(st.BusyPercent-50) > 1e-12 || math.Abs(st.MFUMeanPercent-15) > 1e-12 || st.MFUMaxPercent != 30 {
		t.Fatalf("stage %+v", st)
	}
	if len(c.Memory[0]) != 3 {
		t.Fatalf("memory series %v", c.Memory[0])
	}
}

// TestRequestRowsNormaliseByOriginalLengths: a restarted request's
// normalized metrics divide by the workload's P and D (Vidur divides by the
// post-restart values).
func TestRequestRowsNormaliseByOriginalLengths(t *testing.T) {
	q := cluster.NewRequest(0, 1, 100, 10)
	q.OnBatchSchedule(2)
	q.OnBatchEnd(3, 100) // prefill done, first token
	q.OnBatchEnd(4, 1)
	q.Restart() // P' = 102, D' = 8
	q.OnBatchSchedule(5)
	q.OnBatchEnd(6, 102)
	for i := 0; !q.Completed; i++ {
		q.OnBatchEnd(7+float64(i), 1)
	}
	rows := RequestRows([]cluster.Request{q})
	r := rows[0]
	if r[13] != (q.CompletedAt-3)/10 {
		t.Fatalf("TBT normalised by %g, want D = 10", (q.CompletedAt-3)/r[13])
	}
	if r[10] != 2 || r[7] != 1 || r[19] != 1 {
		t.Fatalf("ttft %g sched delay %g restarts %g", r[10], r[7], r[19])
	}
	if !math.IsNaN(r[14]) {
		t.Fatal("single request has no inter-arrival delay")
	}
}

func ExampleQuantile() {
	x := []float64{15, 20, 35, 40, 50} // sorted
	fmt.Println(Quantile(x, 0.5), Quantile(x, 0.9))
	// Output: 35 46
}
