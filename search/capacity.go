package search

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
)

// ProbeResult is one simulation of the capacity search.
type ProbeResult struct {
	QPS float64 `json:"qps"`
	// OK is true when every SLO held.
	OK      bool    `json:"ok"`
	Outcome Outcome `json:"outcome"`
}

// Capacity is the result of the capacity search of one configuration.
type Capacity struct {
	// QPS is the highest probed arrival rate at which every SLO held; 0 when
	// none did down to CapacityOptions.MinQPS.
	QPS float64 `json:"qps"`
	// Quantiles names the entries of every Outcome.Values below.
	Quantiles []QuantileSpec `json:"quantiles"`
	// At is the probe at QPS (nil when QPS is 0).
	At *ProbeResult `json:"at,omitempty"`
	// Above is the lowest probed rate that violated an SLO (nil when the
	// search reached MaxQPS without a violation).
	Above *ProbeResult `json:"above,omitempty"`
	// Capped is true when MaxQPS itself met every SLO.
	Capped bool `json:"capped,omitempty"`
	// Truncated is true when MaxProbes stopped the search before the
	// tolerance was reached.
	Truncated bool `json:"truncated,omitempty"`
	// Why says what limits the capacity: the SLO violated just above it, or
	// for zero capacity, why even the lowest rate fails.
	Why string `json:"why"`
	// Predictor says where the batch times came from, when the evaluator
	// tells (see PredictorSourcer).
	Predictor string `json:"predictor,omitempty"`
	// Probes lists every simulation in the order run.
	Probes []ProbeResult `json:"probes"`
}

// Value returns quantile q of metric m at the capacity probe (NaN when the
// capacity is zero or the quantile was not recorded).
func (c *Capacity) Value(m Metric, q float64) float64 {
	if c.At == nil {
		return math.NaN()
	}
	return valueOf(c.Quantiles, c.At.Outcome, m, q)
}

func valueOf(specs []QuantileSpec, o Outcome, m Metric, q float64) float64 {
	i := indexOf(specs, QuantileSpec{m, q})
	if i < 0 || i >= len(o.Values) {
		return math.NaN()
	}
	return o.Values[i]
}

// FindCapacity returns the highest QPS at which a simulation of p meets
// every SLO, to relative tolerance opts.Tolerance, assuming the SLO metrics
// grow with the arrival rate.
//
// It probes opts.StartQPS first. If the SLOs hold it doubles the rate until
// one fails or opts.MaxQPS is reached. If they fail it probes opts.MinQPS
// next: when that fails too the capacity is zero (2 probes, where halving
// down to MinQPS took 12 at the defaults, all at the low rates whose
// simulations run longest); when it holds the bracket is [MinQPS,
// StartQPS]. It then bisects the bracket [lo (met), hi (violated)] —
// geometrically while hi/lo > 2, arithmetically after (see bisectQPS) —
// until hi − lo ≤ Tolerance · lo, so the true capacity c* (for a monotone
// system) satisfies QPS ≤ c* < QPS · (1 + Tolerance). The answer is the
// same as halving's under that monotonicity (capacity within the tolerance,
// zero capacity exactly when MinQPS fails). At most opts.MaxProbes
// simulations run.
// Every probe simulates the same requests (same seed), time-scaled to its
// rate, so results are deterministic given a deterministic Evaluator.
//
// When ev implements Preparer, its Prepare runs first and its per-point
// evaluator serves the probes. opts must be normalized (as ParseSpace
// leaves it) and slos non-empty.
func FindCapacity(ctx context.Context, ev Evaluator, p Point, slos []SLO, opts CapacityOptions) (Capacity, error) {
	if len(slos) == 0 {
		panic("search: FindCapacity without SLOs")
	}
	specs := probeQuantiles(slos)
	c := Capacity{Quantiles: specs}
	if pr, ok := ev.(Preparer); ok {
		pev, release, err := pr.Prepare(ctx, p)
		if err != nil {
			return c, fmt.Errorf("prepare %s: %w", p.Label(), err)
		}
		if release != nil {
			defer release()
		}
		ev = pev
		if ps, ok := pev.(PredictorSourcer); ok {
			c.Predictor = ps.PredictorSource()
		}
	}
	var stop []SLO
	if !opts.FullProbes {
		stop = slos
	}
	probe := func(qps float64) (*ProbeResult, error) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		o, err := ev.Evaluate(ctx, Probe{Point: p, QPS: qps, Quantiles: specs, Stop: stop})
		if err != nil {
			return nil, fmt.Errorf("simulate %s at %g QPS: %w", p.Label(), qps, err)
		}
		if err := checkOutcome(o, specs); err != nil {
			return nil, fmt.Errorf("simulate %s at %g QPS: %w", p.Label(), qps, err)
		}
		ok := len(violations(slos, specs, o)) == 0
		if o.Stopped != nil && ok {
			// A run stops only once a violation is certain, and then the
			// samples so far show it too (sim.Params.Stop).
			return nil, fmt.Errorf("simulate %s at %g QPS: %w: stopped early on %s but no SLO is violated", p.Label(), qps, errBadOutcome, o.Stopped.SLO.Name())
		}
		r := ProbeResult{QPS: qps, OK: ok, Outcome: o}
		c.Probes = append(c.Probes, r)
		return &c.Probes[len(c.Probes)-1], nil
	}
	budgetLeft := func() bool { return len(c.Probes) < opts.MaxProbes }

	var lo, hi ProbeResult
	haveHi := false
	first, err := probe(opts.StartQPS)
	if err != nil {
		return c, err
	}
	if first.OK {
		lo = *first
		for !haveHi {
			if lo.QPS >= opts.MaxQPS {
				c.Capped = true
				break
			}
			if !budgetLeft() {
				c.Truncated = true
				break
			}
			r, err := probe(math.Min(2*lo.QPS, opts.MaxQPS))
			if err != nil {
				return c, err
			}
			if r.OK {
				lo = *r
			} else {
				hi, haveHi = *r, true
			}
		}
	} else {
		hi, haveHi = *first, true
		if hi.QPS <= opts.MinQPS {
			c.Above = &hi
			c.Why = explainZero(slos, specs, hi)
			return c, nil
		}
		if !budgetLeft() {
			return truncatedZero(c, slos, specs, opts, hi), nil
		}
		r, err := probe(opts.MinQPS)
		if err != nil {
			return c, err
		}
		if !r.OK {
			c.Above = r
			c.Why = explainZero(slos, specs, *r)
			return c, nil
		}
		lo = *r
	}
	for haveHi && hi.QPS-lo.QPS > opts.Tolerance*lo.QPS {
		if !budgetLeft() {
			c.Truncated = true
			break
		}
		r, err := probe(bisectQPS(lo.QPS, hi.QPS))
		if err != nil {
			return c, err
		}
		if r.OK {
			lo = *r
		} else {
			hi = *r
		}
	}
	c.QPS = lo.QPS
	c.At = &lo
	switch {
	case haveHi:
		c.Above = &hi
		c.Why = fmt.Sprintf("limited by %s at %s QPS%s", describeViolations(slos, specs, hi.Outcome), formatQPS(hi.QPS), stoppedNote(hi.Outcome))
	case c.Capped:
		c.Why = fmt.Sprintf("every SLO still holds at max_qps %s; raise search.max_qps", formatQPS(opts.MaxQPS))
	default:
		c.Why = fmt.Sprintf("no violation found within %d probes (highest probed %s QPS)", opts.MaxProbes, formatQPS(lo.QPS))
	}
	return c, nil
}

// geometricRatio is the bracket ratio hi/lo above which bisectQPS splits
// the bracket at its geometric mean.
const geometricRatio = 2

// bisectQPS returns the next rate to probe inside the bracket (lo, hi),
// 0 < lo < hi: the geometric mean √(lo·hi) while hi/lo > geometricRatio —
// each probe then halves log(hi/lo), so the bracket [min_qps, start_qps]
// (ratio 1600 at the defaults 0.01 and 16) shrinks to ratio 2 in 4 probes
// where halving from start_qps takes up to 11 — and the arithmetic midpoint
// (lo+hi)/2 after, which halves hi − lo and so reaches the tolerance
// hi − lo ≤ Tolerance·lo as halving-then-bisecting did.
func bisectQPS(lo, hi float64) float64 {
	if hi > geometricRatio*lo {
		return math.Sqrt(lo * hi)
	}
	return (lo + hi) / 2
}

// truncatedZero is the result when MaxProbes ran out before any rate met
// the SLOs; hi is the lowest rate probed.
func truncatedZero(c Capacity, slos []SLO, specs []QuantileSpec, opts CapacityOptions, hi ProbeResult) Capacity {
	c.Truncated = true
	c.Above = &hi
	c.Why = fmt.Sprintf("no rate met the SLOs within %d probes (lowest probed %g QPS): %s%s", opts.MaxProbes, hi.QPS, describeViolations(slos, specs, hi.Outcome), stoppedNote(hi.Outcome))
	return c
}

// errBadOutcome marks an Evaluator that broke its contract.
var errBadOutcome = errors.New("invalid simulation outcome")

func checkOutcome(o Outcome, specs []QuantileSpec) error {
	if len(o.Values) != len(specs) {
		return fmt.Errorf("%w: %d values for %d quantiles", errBadOutcome, len(o.Values), len(specs))
	}
	for i, v := range o.Values {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return fmt.Errorf("%w: %s %s = %v", errBadOutcome, specs[i].Metric.Label(), quantileName(specs[i].Quantile), v)
		}
	}
	if o.Requests <= 0 && o.Stopped == nil {
		return fmt.Errorf("%w: no request completed", errBadOutcome)
	}
	return nil
}

// violations returns the indices of the SLOs o breaks.
func violations(slos []SLO, specs []QuantileSpec, o Outcome) []int {
	var v []int
	for i, s := range slos {
		if valueOf(specs, o, s.Metric, s.Quantile) > s.MaxS {
			v = append(v, i)
		}
	}
	return v
}

// describeViolations is e.g. "TTFT p90 = 3.1 s > 2 s; TBT p99 = 250 ms > 200 ms".
func describeViolations(slos []SLO, specs []QuantileSpec, o Outcome) string {
	var parts []string
	for _, i := range violations(slos, specs, o) {
		s := slos[i]
		parts = append(parts, fmt.Sprintf("%s = %s > %s", s.Name(), formatSecondsSig(valueOf(specs, o, s.Metric, s.Quantile), 4), formatSeconds(s.MaxS)))
	}
	return strings.Join(parts, "; ")
}

// explainZero says why even the lowest probed rate r violates the SLOs. At
// such a rate requests rarely overlap, so a violated latency is the service
// time itself, not queueing; the explanation quotes the figures that show it.
func explainZero(slos []SLO, specs []QuantileSpec, r ProbeResult) string {
	o := r.Outcome
	v := func(m Metric, q float64) string { return formatSeconds(valueOf(specs, o, m, q)) }
	var parts []string
	for _, i := range violations(slos, specs, o) {
		s := slos[i]
		msg := fmt.Sprintf("%s = %s > %s even at %s QPS", s.Name(), v(s.Metric, s.Quantile), formatSeconds(s.MaxS), formatQPS(r.QPS))
		switch s.Metric {
		case TTFT:
			msg += fmt.Sprintf(": requests barely queue there (scheduling delay p99 = %s), so the prefill itself is too slow — the longest prompts take up to %s to their first token",
				v(SchedulingDelay, 0.99), v(TTFT, 1))
		case TBT:
			msg += fmt.Sprintf(": at this load batches are small, so single decode iterations are too slow (TBT p50 = %s, max %s)", v(TBT, 0.5), v(TBT, 1))
		case SchedulingDelay:
			msg += fmt.Sprintf(": requests wait for batch slots or KV-cache blocks even without load (scheduling delay max = %s)", v(SchedulingDelay, 1))
		case E2E:
			msg += fmt.Sprintf(": serving one request alone takes this long (E2E p50 = %s)", v(E2E, 0.5))
		}
		parts = append(parts, msg)
	}
	return strings.Join(parts, "; ") + stoppedNote(o)
}

// stoppedNote says, for a probe that stopped early, that its figures cover
// the part simulated and why it stopped.
func stoppedNote(o Outcome) string {
	st := o.Stopped
	if st == nil {
		return ""
	}
	return fmt.Sprintf(" (figures over the first %s simulated: the probe stopped once %d of the run's %d %s samples exceeded %s, enough to decide its %s)",
		formatSecondsSig(o.DurationS, 4), st.SamplesOver, st.Samples, st.SLO.Metric.Label(), formatSeconds(st.SLO.MaxS), quantileName(st.SLO.Quantile))
}

// formatQPS writes a rate with 4 significant digits.
func formatQPS(q float64) string {
	return fmt.Sprintf("%.4g", q)
}
