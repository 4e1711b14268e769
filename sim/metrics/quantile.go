package metrics

import (
	"math"
	"slices"
)

// Quantile returns the q-quantile (0 ≤ q ≤ 1) of sorted, interpolating
// linearly between closest ranks: with h = (n−1)·q, the value is
// x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]) (numpy's default "linear"
// method). sorted must be in ascending order; it returns NaN when empty.
func Quantile(sorted []float64, q float64) float64 {
	n := len(sorted)
	if n == 0 {
		return math.NaN()
	}
	h := float64(n-1) * q
	lo := int(math.Floor(h))
	if lo >= n-1 {
		return sorted[n-1]
	}
	if lo < 0 {
		return sorted[0]
	}
	frac := h - float64(lo)
	return sorted[lo] + frac*(sorted[lo+1]-sorted[lo])
}

// Dist summarises a sample. Percentiles are exact (see Quantile).
type Dist struct {
	Count int     `json:"count"`
	Mean  float64 `json:"mean"`
	Min   float64 `json:"min"`
	P50   float64 `json:"p50"`
	P90   float64 `json:"p90"`
	P95   float64 `json:"p95"`
	P99   float64 `json:"p99"`
	Max   float64 `json:"max"`
}

// Describe sorts values in place and summarises them. The mean is a plain
// left-to-right sum divided by the count. An empty sample gives a zero Dist.
func Describe(values []float64) Dist {
	if len(values) == 0 {
		return Dist{}
	}
	sum := 0.0
	for _, v := range values {
		sum += v
	}
	slices.Sort(values)
	return Dist{
		Count: len(values),
		Mean:  sum / float64(len(values)),
		Min:   values[0],
		P50:   Quantile(values, 0.50),
		P90:   Quantile(values, 0.90),
		P95:   Quantile(values, 0.95),
		P99:   Quantile(values, 0.99),
		Max:   values[len(values)-1],
	}
}

// SamplesAboveToExceed returns how many of n samples must exceed a value x
// for Quantile(sorted, q) > x to hold whatever the other samples are: with
// lo = ⌊(n−1)·q⌋ as in Quantile, the quantile is at least sorted[lo], which
// exceeds x once n − lo samples do. It is 0 when n is 0 and never larger
// than n. The count only grows with n, so a bound on n gives a safe count.
func SamplesAboveToExceed(n int, q float64) int {
	if n <= 0 {
		return 0
	}
	lo := int(math.Floor(float64(n-1) * q))
	lo = min(max(lo, 0), n-1)
	return n - lo
}
