package rng

import "math/bits"

// Python reproduces the draws of CPython's random.Random (the module-level
// functions of the random module) bit for bit.
//
// The zero value is not usable; call NewPython. A Python value may be copied
// to snapshot the stream: the copy continues independently from the same
// point. Methods never allocate. Not safe for concurrent use.
type Python struct {
	mt mt19937
}

// NewPython returns a generator in the state CPython's random.seed(seed)
// leaves: MT19937 init_by_array with the 32-bit words of seed, least
// significant first (one word [0] for seed 0, two words for seed ≥ 2^32).
func NewPython(seed uint64) *Python {
	p := &Python{}
	p.Seed(seed)
	return p
}

// Seed re-seeds p exactly like random.seed(seed) for a non-negative int.
func (p *Python) Seed(seed uint64) {
	var key [2]uint32
	key[0] = uint32(seed)
	key[1] = uint32(seed >> 32)
	n := 1
	if key[1] != 0 {
		n = 2
	}
	p.mt.initByArray(key[:n])
}

// Random returns random.random(): a float64 uniform on [0, 1) built from two
// 32-bit outputs a, b as ((a>>5)*2^26 + (b>>6)) / 2^53.
func (p *Python) Random() float64 { return p.mt.res53() }

// Uint32 returns the next raw 32-bit MT19937 output (getrandbits(32)).
func (p *Python) Uint32() uint32 { return p.mt.uint32() }

// GetRandBits returns random.getrandbits(k) for 0 ≤ k ≤ 64: for k ≤ 32 the
// top k bits of one 32-bit output; for k > 32 the low word is drawn first
// and the second word keeps its top k-32 bits. Panics if k is outside [0, 64].
func (p *Python) GetRandBits(k int) uint64 {
	switch {
	case k < 0 || k > 64:
		panic("rng: GetRandBits: k must be in [0, 64]")
	case k == 0:
		return 0
	case k <= 32:
		return uint64(p.mt.uint32() >> (32 - k))
	default:
		lo := uint64(p.mt.uint32())
		hi := uint64(p.mt.uint32() >> (64 - k))
		return hi<<32 | lo
	}
}

// RandBelow returns random._randbelow(n): with k = n.bit_length(), draw
// getrandbits(k) until the value is < n. It consumes at least one 32-bit
// output even for n = 1. Panics if n ≤ 0.
func (p *Python) RandBelow(n int) int {
	if n <= 0 {
		panic("rng: RandBelow: n must be positive")
	}
	k := bits.Len64(uint64(n))
	for {
		r := p.GetRandBits(k)
		if r < uint64(n) {
			return int(r)
		}
	}
}

// RandInt returns random.randint(a, b): a + _randbelow(b - a + 1), uniform on
// the closed interval [a, b]. Panics if b < a.
func (p *Python) RandInt(a, b int) int {
	if b < a {
		panic("rng: RandInt: empty range")
	}
	return a + p.RandBelow(b-a+1)
}

// Uniform returns random.uniform(a, b) = a + (b-a)*random().
func (p *Python) Uniform(a, b float64) float64 { return a + (b-a)*p.Random() }
