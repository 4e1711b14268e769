// Package rng holds random number generators that reproduce, draw for draw,
// the two streams Vidur's results depend on:
//
//   - Python: CPython's random module (MT19937 seeded by init_by_array with
//     the seed's 32-bit words). Vidur's poisson intervals, uniform lengths
//     and the random global scheduler (randint(1, N) - 1) draw from it.
//   - NumPy: numpy's legacy RandomState (MT19937 seeded by init_genrand).
//     Vidur's gamma intervals (through scipy), Zipf lengths and the shuffle
//     of trace lengths (pandas DataFrame.sample) draw from it.
//
// Both are plain values with no hidden global state; a caller creates one
// with NewPython / NewNumPy and passes it where randomness is needed. No
// draw allocates (Permutation allocates its result). Copying a generator
// value snapshots its stream.
//
// Typical use, the random global scheduler continuing the stream that
// request generation used:
//
//	py := rng.NewPython(42)
//	u := py.Random()            // random.random()
//	replica := py.RandInt(1, n) - 1 // random.randint(1, n) - 1
//
// Correctness is checked against testdata/vectors.json, produced by
// testdata/gen.py from CPython and numpy themselves (see that script for
// how to regenerate). Integer outputs and uniform floats match exactly.
// Logarithms use Log, a correctly rounded log that agrees with the C
// library's log (which CPython and numpy call) on all but ~0.05% of
// arguments, where glibc itself is off by one ulp; Go's math.Log differs on
// ~7%. Gamma variates for shape < 1 also go through math.Pow, so Gaussian,
// exponential and gamma variates are compared with a relative tolerance of
// 1e-13.
package rng
