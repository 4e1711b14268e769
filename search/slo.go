package search

import (
	"context"
	"fmt"
	"math"
	"strconv"
)

// Metric names a per-request (or per-token) latency the simulator reports.
type Metric string

// The metrics an SLO can constrain, all in seconds.
const (
	// TTFT is time to first token: arrival to the end of the prefill
	// (Vidur's prefill_e2e_time).
	TTFT Metric = "ttft"
	// TBT is time between tokens: the gap between consecutive decode tokens
	// of a request.
	TBT Metric = "tbt"
	// SchedulingDelay is arrival to first scheduling (Vidur's
	// request_scheduling_delay), the metric Vidur's own search checks.
	SchedulingDelay Metric = "scheduling_delay"
	// E2E is arrival to completion.
	E2E Metric = "e2e"
)

var metricLabels = map[Metric]string{TTFT: "TTFT", TBT: "TBT", SchedulingDelay: "scheduling delay", E2E: "E2E"}

// Metrics lists the known metrics in a fixed order.
func Metrics() []Metric { return []Metric{TTFT, TBT, SchedulingDelay, E2E} }

// Label is the metric's display name.
func (m Metric) Label() string {
	if l, ok := metricLabels[m]; ok {
		return l
	}
	return string(m)
}

// SLO bounds one quantile of one metric: Quantile(Metric, Quantile) ≤ MaxS.
type SLO struct {
	Metric Metric `json:"metric"`
	// Quantile is in (0, 1]; 0.9 is p90, 1 the maximum.
	Quantile float64 `json:"quantile"`
	// MaxS is the threshold in seconds.
	MaxS float64 `json:"max_s"`
}

func (s SLO) validate() error {
	if _, ok := metricLabels[s.Metric]; !ok {
		return fmt.Errorf("metric: unknown %q (want ttft, tbt, scheduling_delay or e2e)", s.Metric)
	}
	if !(s.Quantile > 0 && s.Quantile <= 1) {
		return fmt.Errorf("quantile: must be in (0, 1], got %v", s.Quantile)
	}
	if !(s.MaxS > 0) || math.IsInf(s.MaxS, 0) {
		return fmt.Errorf("max_s: must be a positive number of seconds, got %v", s.MaxS)
	}
	return nil
}

// Name is e.g. "TTFT p90".
func (s SLO) Name() string { return s.Metric.Label() + " " + quantileName(s.Quantile) }

// String is e.g. "TTFT p90 ≤ 2 s".
func (s SLO) String() string { return s.Name() + " ≤ " + formatSeconds(s.MaxS) }

func quantileName(q float64) string {
	if q == 1 {
		return "max"
	}
	return "p" + strconv.FormatFloat(q*100, 'f', -1, 64)
}

// formatSeconds writes a duration in seconds with a unit a reader scans
// easily, to 3 significant digits: "2 s", "200 ms", "3.1 s".
func formatSeconds(s float64) string { return formatSecondsSig(s, 3) }

// formatSecondsSig is formatSeconds with n significant digits (violations
// use 4, so that "200.4 ms > 200 ms" does not read "200 ms > 200 ms").
func formatSecondsSig(s float64, n int) string {
	switch {
	case math.IsNaN(s):
		return "n/a"
	case s != 0 && math.Abs(s) < 1:
		return strconv.FormatFloat(roundSig(s*1000, n), 'f', -1, 64) + " ms"
	default:
		return strconv.FormatFloat(roundSig(s, n), 'f', -1, 64) + " s"
	}
}

// roundSig rounds x to n significant digits.
func roundSig(x float64, n int) float64 {
	if x == 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	p := math.Pow(10, float64(n-1)-math.Floor(math.Log10(math.Abs(x))))
	return math.Round(x*p) / p
}

// QuantileSpec asks for one quantile of one metric.
type QuantileSpec struct {
	Metric   Metric  `json:"metric"`
	Quantile float64 `json:"quantile"`
}

// Probe is one simulation request: a configuration at an arrival rate,
// with the quantiles the search needs.
type Probe struct {
	Point Point
	// QPS is the Poisson arrival rate in requests per second.
	QPS float64
	// Quantiles lists the metric quantiles the Outcome must report, in this
	// order.
	Quantiles []QuantileSpec
	// Stop, when non-empty, lets the evaluator end the simulation as soon
	// as one of these SLOs is certain to be violated whatever the rest of
	// the run does, and report it in Outcome.Stopped. Evaluators may ignore
	// it and always simulate to the end.
	Stop []SLO
}

// Outcome is what one simulation reports to the search.
type Outcome struct {
	// Values holds one value in seconds per Probe.Quantiles entry, same
	// order. A metric with no samples (e.g. TBT when every request has one
	// output token) reports 0.
	Values []float64 `json:"values"`
	// Requests is the number of completed requests, OutputTokens their
	// decode tokens, DurationS the simulated time of the last completion.
	Requests     int     `json:"requests"`
	OutputTokens int64   `json:"output_tokens"`
	DurationS    float64 `json:"duration_s"`
	// Stopped is set when the simulation ended early because an SLO of
	// Probe.Stop was certain to be violated. Values then cover the samples
	// recorded until then, Requests the requests completed and DurationS
	// the simulated time reached.
	Stopped *Stop `json:"stopped,omitempty"`
}

// Stop says why a simulation ended early: SLO was certain to be violated
// once SamplesOver of the Samples a full run records exceeded its limit.
type Stop struct {
	SLO         SLO `json:"slo"`
	SamplesOver int `json:"samples_over"`
	Samples     int `json:"samples"`
}

// Evaluator runs one simulation. Implementations must be deterministic (the
// same probe gives the same outcome) and safe for concurrent use: the
// search calls Evaluate from several goroutines, for different points.
type Evaluator interface {
	Evaluate(ctx context.Context, p Probe) (Outcome, error)
}

// Preparer is an optional interface of an Evaluator that sets up
// per-configuration state once (loading or building a batch-time
// predictor, say) before the probes of a capacity search. FindCapacity
// calls Prepare once per configuration, sends every probe of that
// configuration to the returned Evaluator from one goroutine, and calls
// release (when non-nil) afterwards.
type Preparer interface {
	Prepare(ctx context.Context, p Point) (ev Evaluator, release func(), err error)
}

// PredictorSourcer is an optional interface of the Evaluator a Preparer
// returns: PredictorSource describes where the configuration's batch times
// come from (e.g. "analytical, not measured: ..." or "artifact ..."), and is
// recorded in Capacity.Predictor so that reports say which results rest on
// measured profiles.
type PredictorSourcer interface {
	PredictorSource() string
}

// reportQuantiles are the quantiles every probe asks for besides the SLOs',
// for the report and the zero-capacity explanation.
var reportQuantiles = []QuantileSpec{
	{TTFT, 0.5}, {TTFT, 0.9}, {TTFT, 0.99}, {TTFT, 1},
	{TBT, 0.5}, {TBT, 0.9}, {TBT, 0.99}, {TBT, 1},
	{SchedulingDelay, 0.5}, {SchedulingDelay, 0.99}, {SchedulingDelay, 1},
	{E2E, 0.5}, {E2E, 0.9}, {E2E, 0.99},
}

// probeQuantiles is reportQuantiles followed by the SLO quantiles not
// already in it, in SLO order.
func probeQuantiles(slos []SLO) []QuantileSpec {
	qs := append([]QuantileSpec(nil), reportQuantiles...)
	for _, s := range slos {
		q := QuantileSpec{s.Metric, s.Quantile}
		if indexOf(qs, q) < 0 {
			qs = append(qs, q)
		}
	}
	return qs
}

func indexOf(qs []QuantileSpec, q QuantileSpec) int {
	for i, x := range qs {
		if x == q {
			return i
		}
	}
	return -1
}
