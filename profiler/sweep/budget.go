package sweep

import "math"

// MinAxisPoints is the fewest points a thinned grid axis keeps (fewer if
// the axis is shorter): enough for a piecewise-linear fit of a curve with
// one bend.
const MinAxisPoints = 4

// selectPoints keeps a fraction density ∈ [0, 1] of the ascending candidate
// values xs (at least MinAxisPoints of them), placed where the runtime
// curve f bends. density ≥ 1 returns xs unchanged.
//
// Method (greedy error-driven refinement, as in adaptive sampling of a
// 1-D function): start from the two ends plus a few log-spaced seeds,
// then repeatedly add the candidate at which the piecewise-linear
// interpolation between the points chosen so far is worst, measured as
// |ln interp(x) − ln f(x)| (relative error, so small and large sizes
// count alike). f is the roofline estimate, which has a kink at the
// compute/memory crossover and steps at every GEMM/attention tile
// boundary (multiples of 64/128 tokens); points therefore concentrate
// there and stay sparse where the curve is linear (memory-bound ranges)
// or flat (launch-bound small sizes). Ties (a flat surrogate) go to the
// candidate farthest in log-size from its neighbours, which degrades to
// log spacing.
func selectPoints(xs []int, density float64, f func(int) float64) []int {
	n := len(xs)
	if density >= 1 || n <= MinAxisPoints {
		return xs
	}
	want := max(min(n, MinAxisPoints), int(math.Ceil(density*float64(n))))
	if want >= n {
		return xs
	}
	y := make([]float64, n)
	lx := make([]float64, n)
	for i, x := range xs {
		y[i] = math.Log(math.Max(f(x), 1e-12))
		lx[i] = math.Log(float64(x) + 1)
	}
	chosen := make([]bool, n)
	chosen[0], chosen[n-1] = true, true
	count := 2
	// Log-spaced seeds: a quarter of the points.
	seeds := want / 4
	for k := 1; k <= seeds && count < want; k++ {
		target := lx[0] + (lx[n-1]-lx[0])*float64(k)/float64(seeds+1)
		best := 0
		for i := range n {
			if math.Abs(lx[i]-target) < math.Abs(lx[best]-target) {
				best = i
			}
		}
		if !chosen[best] {
			chosen[best] = true
			count++
		}
	}
	score := make([]float64, n)
	rescore := func(a, b int) { // chosen a < b, no chosen between
		span := lx[b] - lx[a]
		for i := a + 1; i < b; i++ {
			w := float64(xs[i]-xs[a]) / float64(xs[b]-xs[a])
			interp := math.Log((1-w)*math.Exp(y[a]) + w*math.Exp(y[b]))
			gap := math.Min(lx[i]-lx[a], lx[b]-lx[i])
			score[i] = math.Abs(interp-y[i]) + 1e-3*gap + 1e-6*span
		}
	}
	prev := 0
	for i := 1; i < n; i++ {
		if chosen[i] {
			rescore(prev, i)
			prev = i
		}
	}
	for count < want {
		best := -1
		for i := range n {
			if !chosen[i] && (best < 0 || score[i] > score[best]) {
				best = i
			}
		}
		chosen[best] = true
		count++
		a, b := best-1, best+1
		for !chosen[a] {
			a--
		}
		for !chosen[b] {
			b++
		}
		rescore(a, best)
		rescore(best, b)
	}
	out := make([]int, 0, want)
	for i, c := range chosen {
		if c {
			out = append(out, xs[i])
		}
	}
	return out
}
