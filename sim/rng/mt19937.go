package rng

// Mersenne Twister MT19937 (Matsumoto & Nishimura, 1998), the generator
// behind both CPython's random module and numpy's legacy RandomState.

const (
	mtN         = 624
	mtM         = 397
	mtMatrixA   = 0x9908b0df
	mtUpperMask = 0x80000000
	mtLowerMask = 0x7fffffff
)

// mt19937 is the raw 32-bit generator state.
type mt19937 struct {
	state [mtN]uint32
	index int // next word to return; mtN means "twist before the next draw"
}

// initGenrand is the reference init_genrand(s): Knuth's linear
// recurrence state[i] = 1812433253*(state[i-1] ^ (state[i-1] >> 30)) + i.
func (m *mt19937) initGenrand(s uint32) {
	m.state[0] = s
	for i := 1; i < mtN; i++ {
		prev := m.state[i-1]
		m.state[i] = 1812433253*(prev^(prev>>30)) + uint32(i)
	}
	m.index = mtN
}

// initByArray is the reference init_by_array(key), used by CPython's
// random.seed(int) with the integer's 32-bit words, least significant first.
func (m *mt19937) initByArray(key []uint32) {
	m.initGenrand(19650218)
	i, j := 1, 0
	k := mtN
	if len(key) > k {
		k = len(key)
	}
	for ; k > 0; k-- {
		prev := m.state[i-1]
		m.state[i] = (m.state[i] ^ ((prev ^ (prev >> 30)) * 1664525)) + key[j] + uint32(j)
		i++
		j++
		if i >= mtN {
			m.state[0] = m.state[mtN-1]
			i = 1
		}
		if j >= len(key) {
			j = 0
		}
	}
	for k = mtN - 1; k > 0; k-- {
		prev := m.state[i-1]
		m.state[i] = (m.state[i] ^ ((prev ^ (prev >> 30)) * 1566083941)) - uint32(i)
		i++
		if i >= mtN {
			m.state[0] = m.state[mtN-1]
			i = 1
		}
	}
	m.state[0] = 0x80000000 // MSB is 1, assuring a non-zero initial array
	m.index = mtN
}

// twist regenerates all mtN words of the state.
func (m *mt19937) twist() {
	s := &m.state
	mix := func(y uint32) uint32 {
		if y&1 != 0 {
			return (y >> 1) ^ mtMatrixA
		}
		return y >> 1
	}
	i := 0
	for ; i < mtN-mtM; i++ {
		y := (s[i] & mtUpperMask) | (s[i+1] & mtLowerMask)
		s[i] = s[i+mtM] ^ mix(y)
	}
	for ; i < mtN-1; i++ {
		y := (s[i] & mtUpperMask) | (s[i+1] & mtLowerMask)
		s[i] = s[i+mtM-mtN] ^ mix(y)
	}
	y := (s[mtN-1] & mtUpperMask) | (s[0] & mtLowerMask)
	s[mtN-1] = s[mtM-1] ^ mix(y)
	m.index = 0
}

// uint32 returns the next tempered 32-bit output (genrand_uint32).
func (m *mt19937) uint32() uint32 {
	if m.index >= mtN {
		m.twist()
	}
	y := m.state[m.index]
	m.index++
	y ^= y >> 11
	y ^= (y << 7) & 0x9d2c5680
	y ^= (y << 15) & 0xefc60000
	y ^= y >> 18
	return y
}

// res53 is genrand_res53: a uniform float64 in [0, 1) with 53 random bits,
// (a*2^26 + b) / 2^53 with a = u32>>5 and b = u32>>6, drawn in that order.
func (m *mt19937) res53() float64 {
	a := m.uint32() >> 5
	b := m.uint32() >> 6
	return (float64(a)*67108864.0 + float64(b)) * (1.0 / 9007199254740992.0)
}
