package sim

import (
	"fmt"
	"math"

	"github.com/vidur-go/vidur-go/sim/metrics"
)

// StopMetric names a per-request or per-token latency that a StopLimit
// watches.
type StopMetric uint8

const (
	// StopTTFT is prefill_e2e_time: first prompt completion − arrival, one
	// sample per request.
	StopTTFT StopMetric = iota
	// StopTBT is the gap between consecutive output tokens of a request,
	// OrigD − 1 samples per request.
	StopTBT
	// StopSchedulingDelay is first schedule − arrival, one sample per
	// request.
	StopSchedulingDelay
	// StopE2E is completion − arrival, one sample per request.
	StopE2E
	numStopMetrics
)

var stopMetricNames = [numStopMetrics]string{"TTFT", "TBT", "scheduling delay", "E2E"}

func (m StopMetric) String() string {
	if m < numStopMetrics {
		return stopMetricNames[m]
	}
	return fmt.Sprintf("StopMetric(%d)", uint8(m))
}

// StopLimit ends a simulation as soon as quantile Quantile of Metric over
// the whole run is certain to exceed MaxS, whatever the rest of the run
// does (see Params.Stop).
type StopLimit struct {
	Metric   StopMetric
	Quantile float64
	MaxS     float64
}

// StopHit is the limit that ended a run early and the count that decided
// it: Over of the Total samples a full run records exceeded MaxS.
type StopHit struct {
	StopLimit
	Over, Total int
}

func (h *StopHit) String() string {
	return fmt.Sprintf("%d of the run's %d %s samples exceeded %g s, enough to decide its quantile %g", h.Over, h.Total, h.Metric, h.MaxS, h.Quantile)
}

// stopWatch counts, per limit, the samples above it and stops the run once
// there are enough of them to decide the quantile.
type stopWatch struct {
	lims []watchedLimit
	hit  *StopHit
}

type watchedLimit struct {
	StopLimit
	need  int // samples above MaxS that decide the quantile
	total int // samples a full run records
	over  int
}

// init prepares the watch for a run of numRequests requests whose output
// lengths give numTokenGaps token gaps.
func (w *stopWatch) init(limits []StopLimit, numRequests, numTokenGaps int) error {
	for _, l := range limits {
		if l.Metric >= numStopMetrics {
			return fmt.Errorf("stop limit: unknown metric %d", l.Metric)
		}
		if !(l.Quantile >= 0 && l.Quantile <= 1) || math.IsNaN(l.MaxS) || l.MaxS < 0 {
			return fmt.Errorf("stop limit on %s: quantile %g must be in [0, 1] and the limit %g s ≥ 0", l.Metric, l.Quantile, l.MaxS)
		}
		n := numRequests
		if l.Metric == StopTBT {
			n = numTokenGaps
		}
		if need := metrics.SamplesAboveToExceed(n, l.Quantile); need > 0 {
			w.lims = append(w.lims, watchedLimit{StopLimit: l, need: need, total: n})
		}
	}
	return nil
}

// observe records one sample v of m and reports whether the run must stop.
func (w *stopWatch) observe(m StopMetric, v float64) bool {
	for i := range w.lims {
		l := &w.lims[i]
		if l.Metric != m || v <= l.MaxS {
			continue
		}
		l.over++
		if l.over == l.need && w.hit == nil {
			w.hit = &StopHit{StopLimit: l.StopLimit, Over: l.over, Total: l.total}
		}
	}
	return w.hit != nil
}
