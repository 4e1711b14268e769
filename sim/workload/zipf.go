package workload

import (
	"hash/fnv"
	"math"
	"strconv"

	"github.com/vidur-go/vidur-go/sim/rng"
)

// zipf is Vidur's ZipfGenerator (the YCSB/Gray et al. "quickly generating
// billion-record" method) over the integers [min, max], with its own numpy
// RandomState(seed) stream (spec §2.3).
type zipf struct {
	min, items int
	theta      float64
	alpha      float64
	zetan      float64
	eta        float64
	halfPow    float64 // 0.5^theta
	scramble   bool
	seedStr    string
	np         rng.NumPy
}

func newZipf(min, max int, theta float64, scramble bool, seed uint64) *zipf {
	z := &zipf{min: min, items: max - min + 1, theta: theta, scramble: scramble}
	z.np.Seed(uint32(seed))
	zeta2 := zeta(2, theta)
	z.alpha = 1.0 / (1.0 - theta)
	z.zetan = zeta(z.items, theta)
	z.eta = (1 - math.Pow(2.0/float64(z.items), 1-theta)) / (1 - zeta2/(z.zetan+1e-8))
	z.halfPow = math.Pow(0.5, theta)
	z.seedStr = strconv.FormatUint(seed, 10)
	return z
}

// next draws one Zipf-distributed integer: u = random_sample(); uz = u·ζ(n);
// min if uz < 1; min+1 if uz < 1 + 0.5^θ; else min + int(n·(η·u − η + 1)^α).
func (z *zipf) next() int {
	u := z.np.RandomSample()
	uz := u * z.zetan
	var v int
	switch {
	case uz < 1:
		v = z.min
	case uz < 1+z.halfPow:
		v = z.min + 1
	default:
		v = z.min + int(float64(z.items)*math.Pow(z.eta*u-z.eta+1, z.alpha))
	}
	if z.scramble {
		v = z.min + int(scrambleHash(v, z.seedStr)%uint64(z.items))
	}
	return v
}

// scrambleHash replaces Python's hash(str(v) + str(seed)), which is
// randomized per process (PYTHONHASHSEED), with 64-bit FNV-1a of the same
// decimal string. Deterministic, but not Vidur's (unreproducible) values.
func scrambleHash(v int, seedStr string) uint64 {
	var buf [40]byte
	b := strconv.AppendInt(buf[:0], int64(v), 10)
	b = append(b, seedStr...)
	h := fnv.New64a()
	h.Write(b)
	return h.Sum64()
}

// zeta returns Vidur's ζ(count) = Σ_{i=1}^{count-1} 1/i^θ (the upper bound
// is count-1, spec §14.5), summed in numpy's pairwise order.
func zeta(count int, theta float64) float64 {
	n := count - 1
	if n <= 0 {
		return 0
	}
	return pairwiseSum(1, n, func(i int) float64 { return 1 / math.Pow(float64(i), theta) })
}

// pairwiseSum reproduces numpy's pairwise_sum for float64 over the n terms
// term(first), term(first+1), …: fewer than 8 terms are added left to
// right; up to 128 use eight interleaved accumulators combined as
// ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)) followed by the remainder; larger
// blocks split at n/2 rounded down to a multiple of 8.
func pairwiseSum(first, n int, term func(int) float64) float64 {
	switch {
	case n < 8:
		res := 0.0
		for i := 0; i < n; i++ {
			res += term(first + i)
		}
		return res
	case n <= 128:
		var r [8]float64
		for j := range r {
			r[j] = term(first + j)
		}
		i := 8
		for ; i < n-n%8; i += 8 {
			for j := range r {
				r[j] += term(first + i + j)
			}
		}
		res := ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
		for ; i < n; i++ {
			res += term(first + i)
		}
		return res
	default:
		n2 := n / 2
		n2 -= n2 % 8
		return pairwiseSum(first, n2, term) + pairwiseSum(first+n2, n-n2, term)
	}
}
