package workload

import (
	"fmt"
	"math"
	"time"

	"github.com/vidur-go/vidur-go/sim/rng"
)

// intervalGen draws inter-arrival times (spec §2.2). A kind switch rather
// than an interface keeps the whole generator on the stack.
type intervalGen struct {
	kind  string
	qps   float64
	cap   float64 // poisson: 3/qps
	shape float64 // gamma: 1/cv²
	scale float64 // gamma: 1/(qps·shape)
	trace []float64
	pos   int
}

func newIntervalGen(c IntervalConfig) (intervalGen, error) {
	g := intervalGen{kind: c.Type, qps: c.QPS}
	switch c.Type {
	case IntervalPoisson:
		g.cap = 3 / c.QPS
	case IntervalGamma:
		g.shape = 1.0 / (c.CV * c.CV)
		g.scale = 1.0 / (c.QPS * g.shape)
	case IntervalTrace:
		times, err := readFile(c.TraceFile, ReadArrivalTrace)
		if err != nil {
			return g, err
		}
		start, _ := time.Parse(TimeLayout, c.StartTime)
		end, _ := time.Parse(TimeLayout, c.EndTime)
		g.trace = TraceIntervals(times, start, end, c.TimeScaleFactor)
		if len(g.trace) == 0 {
			return g, fmt.Errorf("interval trace %s: fewer than 2 arrivals strictly between %s and %s (the first kept arrival only anchors the timeline)",
				c.TraceFile, c.StartTime, c.EndTime)
		}
	}
	return g, nil
}

// next returns the next inter-arrival time in s, or ok = false when an
// interval trace is exhausted.
func (g *intervalGen) next(py *rng.Python, np *rng.NumPy) (dt float64, ok bool) {
	switch g.kind {
	case IntervalPoisson:
		dt = -rng.Log(1.0-py.Random()) / g.qps
		return math.Min(dt, g.cap), true
	case IntervalGamma:
		return np.StandardGamma(g.shape) * g.scale, true
	case IntervalStatic:
		return 0, true
	default: // IntervalTrace
		if g.pos >= len(g.trace) {
			return 0, false
		}
		g.pos++
		return g.trace[g.pos-1], true
	}
}

// TraceIntervals converts arrival datetimes to the inter-arrival times
// Vidur's trace interval generator serves (spec §2.2): keep times with
// start < t < end (strict), take whole seconds since the earliest kept time
// (floor), multiply by timeScale, and difference consecutive values in file
// order (no sorting). The first kept row only anchors the timeline, so the
// result has one element fewer than the kept rows (nil if fewer than 2).
func TraceIntervals(times []time.Time, start, end time.Time, timeScale float64) []float64 {
	var kept []time.Time
	for _, t := range times {
		if t.After(start) && t.Before(end) {
			kept = append(kept, t)
		}
	}
	if len(kept) < 2 {
		return nil
	}
	earliest := kept[0]
	for _, t := range kept {
		if t.Before(earliest) {
			earliest = t
		}
	}
	secs := func(t time.Time) float64 {
		return float64(int64(t.Sub(earliest)/time.Second)) * timeScale
	}
	out := make([]float64, len(kept)-1)
	prev := secs(kept[0])
	for i, t := range kept[1:] {
		s := secs(t)
		out[i] = s - prev
		prev = s
	}
	return out
}
