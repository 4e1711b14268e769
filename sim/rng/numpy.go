package rng

import "math"

// NumPy reproduces the draws of numpy's legacy numpy.random.RandomState
// (also the global numpy.random.* functions) bit for bit, up to rare
// last-ulp differences between Log/math.Pow and the C library's log/pow in
// the exponential, Gaussian and gamma paths.
//
// The zero value is not usable; call NewNumPy. A NumPy value may be copied
// to snapshot the stream (the cached Gaussian is copied too). Methods other
// than Permutation never allocate. Not safe for concurrent use.
type NumPy struct {
	mt       mt19937
	hasGauss bool
	gauss    float64
}

// NewNumPy returns a generator in the state numpy.random.RandomState(seed)
// (or numpy.random.seed(seed)) leaves: MT19937 init_genrand(seed) and no
// cached Gaussian. numpy accepts integer seeds in [0, 2^32-1] only, hence
// the uint32.
func NewNumPy(seed uint32) *NumPy {
	n := &NumPy{}
	n.Seed(seed)
	return n
}

// Seed re-seeds n like numpy.random.seed(seed), clearing the cached Gaussian.
func (n *NumPy) Seed(seed uint32) {
	n.mt.initGenrand(seed)
	n.hasGauss = false
	n.gauss = 0
}

// Uint32 returns the next raw 32-bit MT19937 output.
func (n *NumPy) Uint32() uint32 { return n.mt.uint32() }

// RandomSample returns random_sample(): a float64 uniform on [0, 1) with the
// same 53-bit construction as Python.Random.
func (n *NumPy) RandomSample() float64 { return n.mt.res53() }

// StandardExponential returns legacy standard_exponential(): -ln(1 - U).
func (n *NumPy) StandardExponential() float64 { return -Log(1.0 - n.mt.res53()) }

// Gauss returns legacy_gauss(), the standard normal used by
// standard_normal and standard_gamma: the polar Box–Muller method. Draw
// x1 = 2U-1, x2 = 2U-1 until 0 < r² = x1²+x2² < 1; f = sqrt(-2 ln r² / r²);
// return f·x2 and cache f·x1 for the next call.
func (n *NumPy) Gauss() float64 {
	if n.hasGauss {
		g := n.gauss
		n.hasGauss = false
		n.gauss = 0
		return g
	}
	var x1, x2, r2 float64
	for {
		x1 = 2.0*n.mt.res53() - 1.0
		x2 = 2.0*n.mt.res53() - 1.0
		r2 = x1*x1 + x2*x2
		if r2 < 1.0 && r2 != 0.0 {
			break
		}
	}
	f := math.Sqrt(-2.0 * Log(r2) / r2)
	n.gauss = f * x1
	n.hasGauss = true
	return f * x2
}

// StandardGamma returns legacy standard_gamma(shape), a Gamma(shape, 1)
// variate (mean shape):
//   - shape == 1: StandardExponential;
//   - shape == 0: 0 (no draw);
//   - shape < 1: Johnk-type rejection — U uniform, V exponential; if
//     U ≤ 1-shape: X = U^(1/shape), accept if X ≤ V; else Y = -ln((1-U)/shape),
//     X = (1-shape+shape·Y)^(1/shape), accept if X ≤ V+Y;
//   - shape > 1: Marsaglia–Tsang with b = shape-1/3, c = 1/sqrt(9b): repeat
//     X = Gauss(), V = 1+cX until V > 0; V = V³; U uniform; accept b·V if
//     U < 1-0.0331·X⁴ or ln U < X²/2 + b(1-V+ln V).
//
// Panics if shape is negative or NaN (numpy raises ValueError).
func (n *NumPy) StandardGamma(shape float64) float64 {
	if !(shape >= 0) {
		panic("rng: StandardGamma: shape must be non-negative")
	}
	switch {
	case shape == 1.0:
		return n.StandardExponential()
	case shape == 0.0:
		return 0.0
	case shape < 1.0:
		for {
			u := n.mt.res53()
			v := n.StandardExponential()
			if u <= 1.0-shape {
				x := math.Pow(u, 1.0/shape)
				if x <= v {
					return x
				}
			} else {
				y := -Log((1 - u) / shape)
				x := math.Pow(1.0-shape+shape*y, 1.0/shape)
				if x <= v+y {
					return x
				}
			}
		}
	default:
		b := shape - 1.0/3.0
		c := 1.0 / math.Sqrt(9*b)
		for {
			var x, v float64
			for {
				x = n.Gauss()
				v = 1.0 + c*x
				if v > 0.0 {
					break
				}
			}
			v = v * v * v
			u := n.mt.res53()
			if u < 1.0-0.0331*(x*x)*(x*x) {
				return b * v
			}
			if Log(u) < 0.5*x*x+b*(1.0-v+Log(v)) {
				return b * v
			}
		}
	}
}

// Interval returns numpy's random_interval(max): a uniform integer in
// [0, max] by masked rejection — mask = smallest 2^k-1 ≥ max, draw 32-bit
// outputs & mask until ≤ max (64-bit outputs, two words, for max ≥ 2^32).
// Returns 0 without drawing when max == 0.
func (n *NumPy) Interval(max uint64) uint64 {
	if max == 0 {
		return 0
	}
	mask := max
	mask |= mask >> 1
	mask |= mask >> 2
	mask |= mask >> 4
	mask |= mask >> 8
	mask |= mask >> 16
	mask |= mask >> 32
	if max <= 0xffffffff {
		for {
			v := uint64(n.mt.uint32()) & mask
			if v <= max {
				return v
			}
		}
	}
	for {
		// next_uint64 for MT19937 is (first << 32) | second.
		hi := uint64(n.mt.uint32())
		v := (hi<<32 | uint64(n.mt.uint32())) & mask
		if v <= max {
			return v
		}
	}
}

// Shuffle permutes a in place exactly like legacy RandomState.shuffle on a
// 1-d array: for i = len(a)-1 down to 1, j = Interval(i), swap a[i], a[j].
func (n *NumPy) Shuffle(a []int) {
	for i := len(a) - 1; i >= 1; i-- {
		j := int(n.Interval(uint64(i)))
		a[i], a[j] = a[j], a[i]
	}
}

// Permutation returns RandomState.permutation(size): Shuffle applied to
// [0, 1, …, size-1]. It is also what pandas DataFrame.sample(frac=1,
// random_state=seed) uses (choice without replacement = permutation[:n]).
// Allocates the result. Panics if size < 0.
func (n *NumPy) Permutation(size int) []int {
	if size < 0 {
		panic("rng: Permutation: negative size")
	}
	a := make([]int, size)
	for i := range a {
		a[i] = i
	}
	n.Shuffle(a)
	return a
}

// RandInt returns legacy randint(low, high) for the default int64 dtype: a
// uniform integer in [low, high). With r = high-1-low it returns low without
// drawing when r == 0, low + one raw 32-bit output when r == 2^32-1, and
// otherwise low + masked rejection as in Interval(r). Panics if high ≤ low.
func (n *NumPy) RandInt(low, high int64) int64 {
	if high <= low {
		panic("rng: RandInt: low >= high")
	}
	r := uint64(high) - 1 - uint64(low)
	if r == 0xffffffff {
		return low + int64(n.mt.uint32())
	}
	return low + int64(n.Interval(r))
}
