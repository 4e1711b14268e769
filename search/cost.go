package search

import (
	"fmt"
	"math"
	"sort"
)

// Record is the result of one configuration as persisted in a results file:
// exactly one of Infeasible, Error or Capacity is set.
type Record struct {
	Point Point `json:"point"`
	// Infeasible is why the configuration was not simulated.
	Infeasible string `json:"infeasible,omitempty"`
	// Error is a simulation failure (e.g. a batch outside the predictor's
	// grid); such a configuration is reported, not retried on resume.
	Error    string    `json:"error,omitempty"`
	Capacity *Capacity `json:"capacity,omitempty"`
}

// Row is one configuration of a report with its cost figures.
type Row struct {
	Record
	// PricePerGPUHour is the price used, in US dollars per GPU-hour.
	PricePerGPUHour float64
	// GPUsUsed = Replicas × TP × PP.
	GPUsUsed int
	// QPSPerDollar = capacity / (GPUsUsed × PricePerGPUHour): requests per
	// second sustained per dollar per hour (Vidur's capacity_per_dollar).
	QPSPerDollar float64
	// CostPerMTokens is the cluster's cost per million output tokens at
	// capacity: GPUsUsed × price / (capacity × mean output tokens per
	// request × 3600) × 10^6, in US dollars (NaN at zero capacity).
	CostPerMTokens float64
	// TTFTp90S and TBTp99S are the latencies at capacity (NaN at zero
	// capacity), the axes of the Pareto plot.
	TTFTp90S, TBTp99S float64
	// Pareto is true when no other configuration is at least as good in QPS
	// per dollar, TTFT p90 and TBT p99 and better in one of them.
	Pareto bool
}

// HasCapacity reports whether the configuration met the SLOs at some rate.
func (r *Row) HasCapacity() bool { return r.Capacity != nil && r.Capacity.QPS > 0 }

// QPS is the capacity (0 when none).
func (r *Row) QPS() float64 {
	if r.Capacity == nil {
		return 0
	}
	return r.Capacity.QPS
}

// Prices maps device names to US dollars per GPU-hour.
type Prices map[string]float64

// rowOf computes the cost figures of one record.
func rowOf(rec Record, prices Prices) (Row, error) {
	r := Row{Record: rec, GPUsUsed: rec.Point.GPUsUsed(), CostPerMTokens: math.NaN(), TTFTp90S: math.NaN(), TBTp99S: math.NaN()}
	price, ok := prices[rec.Point.Device]
	if !ok || !(price > 0) {
		return r, fmt.Errorf("no price for device %s (set cost.gpu_price_per_hour.%s)", rec.Point.Device, rec.Point.Device)
	}
	r.PricePerGPUHour = price
	if !r.HasCapacity() {
		return r, nil
	}
	c := r.Capacity
	dollarsPerHour := float64(r.GPUsUsed) * price
	r.QPSPerDollar = c.QPS / dollarsPerHour
	o := c.At.Outcome
	if o.OutputTokens > 0 {
		tokensPerHour := c.QPS * float64(o.OutputTokens) / float64(o.Requests) * 3600
		r.CostPerMTokens = dollarsPerHour / tokensPerHour * 1e6
	}
	r.TTFTp90S = c.Value(TTFT, 0.9)
	r.TBTp99S = c.Value(TBT, 0.99)
	return r, nil
}

// markPareto sets Pareto on the rows with capacity that no other such row
// dominates in (QPS per dollar ↑, TTFT p90 ↓, TBT p99 ↓).
func markPareto(rows []Row) {
	for i := range rows {
		if !rows[i].HasCapacity() {
			continue
		}
		dominated := false
		for j := range rows {
			if i != j && rows[j].HasCapacity() && dominates(&rows[j], &rows[i]) {
				dominated = true
				break
			}
		}
		rows[i].Pareto = !dominated
	}
}

func dominates(a, b *Row) bool {
	ge := a.QPSPerDollar >= b.QPSPerDollar && a.TTFTp90S <= b.TTFTp90S && a.TBTp99S <= b.TBTp99S
	gt := a.QPSPerDollar > b.QPSPerDollar || a.TTFTp90S < b.TTFTp90S || a.TBTp99S < b.TBTp99S
	return ge && gt
}

// frontier2D returns the indices of rows (with capacity) on the Pareto
// frontier of QPS per dollar (maximize) against x (minimize), sorted by x.
func frontier2D(rows []Row, x func(*Row) float64) []int {
	var idx []int
	for i := range rows {
		if rows[i].HasCapacity() {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool {
		xa, xb := x(&rows[idx[a]]), x(&rows[idx[b]])
		if xa != xb {
			return xa < xb
		}
		return rows[idx[a]].QPSPerDollar > rows[idx[b]].QPSPerDollar
	})
	var front []int
	best := math.Inf(-1)
	for _, i := range idx {
		if rows[i].QPSPerDollar > best {
			front = append(front, i)
			best = rows[i].QPSPerDollar
		}
	}
	return front
}

// rankRows orders rows for the report: configurations with capacity by QPS
// per dollar (descending), then zero-capacity ones, failed ones and
// infeasible ones, each group by expansion index.
func rankRows(rows []Row) {
	group := func(r *Row) int {
		switch {
		case r.HasCapacity():
			return 0
		case r.Capacity != nil:
			return 1
		case r.Error != "":
			return 2
		default:
			return 3
		}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := &rows[i], &rows[j]
		if ga, gb := group(a), group(b); ga != gb {
			return ga < gb
		}
		if a.HasCapacity() && a.QPSPerDollar != b.QPSPerDollar {
			return a.QPSPerDollar > b.QPSPerDollar
		}
		return a.Point.Index < b.Point.Index
	})
}
