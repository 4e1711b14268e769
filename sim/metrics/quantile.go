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

// Quantiles returns Quantile(sorted(v), q) for each q in qs, exactly, in
// expected O(len(v)) per distinct quantile instead of a full sort: each
// order statistic the interpolation needs is put in place by selection. v
// is reordered (partially sorted); NaN results for an empty v.
func Quantiles(v []float64, qs []float64) []float64 {
	out := make([]float64, len(qs))
	n := len(v)
	if n == 0 {
		for i := range out {
			out[i] = math.NaN()
		}
		return out
	}
	ranks := make([]int, 0, 2*len(qs))
	for _, q := range qs {
		lo := min(max(int(math.Floor(float64(n-1)*q)), 0), n-1)
		ranks = append(ranks, lo)
		if lo < n-1 {
			ranks = append(ranks, lo+1)
		}
	}
	slices.Sort(ranks)
	ranks = slices.Compact(ranks)
	from := 0
	for _, k := range ranks {
		selectRank(v, from, n, k)
		from = k + 1
	}
	for i, q := range qs {
		// The same arithmetic as Quantile on the sorted slice.
		h := float64(n-1) * q
		lo := int(math.Floor(h))
		switch {
		case lo >= n-1:
			out[i] = v[n-1]
		case lo < 0:
			out[i] = v[0]
		default:
			out[i] = v[lo] + (h-float64(lo))*(v[lo+1]-v[lo])
		}
	}
	return out
}

// selectRank reorders v[from:to] so that v[k] holds the value a sort would
// put there, with v[from:k] ≤ v[k] ≤ v[k+1:to]. Quickselect with a
// median-of-three pivot; after too many rounds it sorts what is left.
func selectRank(v []float64, from, to, k int) {
	rounds := 0
	for to-from > 16 {
		if rounds++; rounds > 64 {
			break
		}
		mid := from + (to-from)/2
		a, b, c := v[from], v[mid], v[to-1]
		pivot := max(min(a, b), min(max(a, b), c))
		// Three-way partition: < pivot | == pivot | > pivot.
		lt, i, gt := from, from, to
		for i < gt {
			switch x := v[i]; {
			case x < pivot:
				v[lt], v[i] = v[i], v[lt]
				lt++
				i++
			case x > pivot:
				gt--
				v[gt], v[i] = v[i], v[gt]
			default:
				i++
			}
		}
		switch {
		case k < lt:
			to = lt
		case k >= gt:
			from = gt
		default:
			return // v[k] == pivot, in place
		}
	}
	slices.Sort(v[from:to])
}
