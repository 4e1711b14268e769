package rng

import "math"

// Log returns the natural logarithm of x rounded to nearest, computed in
// double-double arithmetic (error below 2^-90 relative before the final
// rounding). The C library's log, which CPython's math.log and numpy call,
// is correctly rounded in all but vanishingly rare cases, whereas Go's
// math.Log is off by one ulp for roughly 7% of arguments in (0, 1]; Vidur's
// poisson intervals -ln(1-u)/qps need the C library's bits to reproduce its
// arrival times exactly. Special cases follow math.Log (Log(0) = -Inf,
// Log(x<0) = NaN, Log(+Inf) = +Inf, Log(NaN) = NaN). About 4x the cost of
// math.Log; allocation-free.
func Log(x float64) float64 {
	switch {
	case math.IsNaN(x) || x < 0:
		return math.NaN()
	case x == 0:
		return math.Inf(-1)
	case math.IsInf(x, 1):
		return x
	case x == 1:
		return 0
	}
	// x = m·2^k with m in [1/√2, √2), so |log m| < ln2/2 and k·ln2 + log m
	// never cancels badly.
	m, k := math.Frexp(x) // m in [0.5, 1)
	if m < math.Sqrt2/2 {
		m *= 2
		k--
	}
	// log m = 2·atanh(u), u = (m-1)/(m+1), |u| ≤ 0.1716.
	f := m - 1 // exact (Sterbenz)
	sHi, sLo := twoSum(m, 1)
	uHi := f / sHi
	r := math.FMA(-uHi, sHi, f) - uHi*sLo
	uLo := r / sHi
	// v = u² as double-double.
	vHi := uHi * uHi
	vLo := math.FMA(uHi, uHi, -vHi) + 2*uHi*uLo
	// atanh(u)/u = Σ_j v^j/(2j+1): terms j ≥ 6 (below 2^-30 relative) in
	// double, j = 5 … 1 by double-double Horner, j = 0 is 1.
	// v ≤ 0.0295, so v^16 < 2^-81.
	tail := 0.0
	for j := 15; j >= 6; j-- {
		tail = tail*vHi + oddRecip[j]
	}
	aHi, aLo := ddMul(vHi, vLo, tail, 0)
	for j := 5; j >= 1; j-- {
		aHi, aLo = ddAdd(recipOdd[j][0], recipOdd[j][1], aHi, aLo)
		aHi, aLo = ddMul(aHi, aLo, vHi, vLo)
	}
	aHi, aLo = ddAdd(1, 0, aHi, aLo)
	lHi, lLo := ddMul(2*uHi, 2*uLo, aHi, aLo)
	if k != 0 {
		fk := float64(k)
		pHi := fk * ln2Hi
		pLo := math.FMA(fk, ln2Hi, -pHi) + fk*ln2Lo
		lHi, lLo = ddAdd(pHi, pLo, lHi, lLo)
	}
	return lHi + lLo
}

// ln2 = ln2Hi + ln2Lo to about 2^-106.
const (
	ln2Hi = 0x1.62e42fefa39efp-1
	ln2Lo = 0x1.abc9e3b39803fp-56
)

// oddRecip[j] = 1/(2j+1) rounded to double.
var oddRecip = func() (t [16]float64) {
	for j := range t {
		t[j] = 1 / float64(2*j+1)
	}
	return t
}()

// recipOdd[j] = 1/(2j+1) as a double-double.
var recipOdd = func() (t [6][2]float64) {
	for j := 1; j < 6; j++ {
		d := float64(2*j + 1)
		hi := 1 / d
		t[j] = [2]float64{hi, math.FMA(-hi, d, 1) / d}
	}
	return t
}()

// twoSum returns s = fl(a+b) and the exact rounding error e: a+b = s+e.
func twoSum(a, b float64) (s, e float64) {
	s = a + b
	bb := s - a
	e = (a - (s - bb)) + (b - bb)
	return s, e
}

// ddAdd adds two double-doubles.
func ddAdd(aHi, aLo, bHi, bLo float64) (float64, float64) {
	s, e := twoSum(aHi, bHi)
	e += aLo + bLo
	hi := s + e
	return hi, e - (hi - s)
}

// ddMul multiplies two double-doubles.
func ddMul(aHi, aLo, bHi, bLo float64) (float64, float64) {
	p := aHi * bHi
	e := math.FMA(aHi, bHi, -p) + (aHi*bLo + aLo*bHi)
	hi := p + e
	return hi, e - (hi - p)
}
