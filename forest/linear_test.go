package forest

import (
	"fmt"
	"math"
	"testing"
)

func TestPolynomialTerms(t *testing.T) {
	// Expected orders are sklearn's PolynomialFeatures(...).powers_ written
	// as index lists, e.g. powers [1,1] -> [0 1].
	for _, tc := range []struct {
		nf, deg           int
		bias, interaction bool
		want              string
	}{
		{2, 2, true, false, "[[] [0] [1] [0 0] [0 1] [1 1]]"},
		{2, 2, false, false, "[[0] [1] [0 0] [0 1] [1 1]]"},
		{2, 2, true, true, "[[] [0] [1] [0 1]]"},
		{2, 2, false, true, "[[0] [1] [0 1]]"},
		{2, 3, true, false, "[[] [0] [1] [0 0] [0 1] [1 1] [0 0 0] [0 0 1] [0 1 1] [1 1 1]]"},
		{2, 3, false, true, "[[0] [1] [0 1]]"},
		{3, 3, false, true, "[[0] [1] [2] [0 1] [0 2] [1 2] [0 1 2]]"},
		{1, 3, true, false, "[[] [0] [0 0] [0 0 0]]"},
		{1, 5, true, true, "[[] [0]]"},
	} {
		name := fmt.Sprintf("n%d-d%d-bias%v-io%v", tc.nf, tc.deg, tc.bias, tc.interaction)
		t.Run(name, func(t *testing.T) {
			terms := PolynomialTerms(tc.nf, tc.deg, tc.bias, tc.interaction)
			if got := fmt.Sprint(terms); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
			if n := NumPolynomialTerms(tc.nf, tc.deg, tc.bias, tc.interaction, 1000); n != len(terms) {
				t.Errorf("NumPolynomialTerms = %d, want %d", n, len(terms))
			}
		})
	}
}

func TestLinearRecoversCoefficients(t *testing.T) {
	// y = 3 + 2a - b + 0.5a² + 0.25ab  (exact)
	var X [][]float64
	var y []float64
	for a := 0.0; a < 6; a++ {
		for b := 0.0; b < 5; b++ {
			X = append(X, []float64{a, b})
			y = append(y, 3+2*a-b+0.5*a*a+0.25*a*b)
		}
	}
	for _, tc := range []struct {
		p         LinearParams
		intercept float64
		coef      []float64
	}{
		// No intercept: the bias column carries the constant.
		{LinearParams{Degree: 2, IncludeBias: true}, 0, []float64{3, 2, -1, 0.5, 0.25, 0}},
		{LinearParams{Degree: 2, FitIntercept: true}, 3, []float64{2, -1, 0.5, 0.25, 0}},
		// Bias column plus intercept: rank-deficient; lstsq's minimum-norm
		// solution gives the centred bias column a zero coefficient.
		{LinearParams{Degree: 2, IncludeBias: true, FitIntercept: true}, 3, []float64{0, 2, -1, 0.5, 0.25, 0}},
	} {
		t.Run(tc.p.String(), func(t *testing.T) {
			l, err := tc.p.FitLinear(X, y)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(l.Intercept()-tc.intercept) > 1e-9 {
				t.Errorf("intercept %v, want %v", l.Intercept(), tc.intercept)
			}
			for i, c := range l.Coef() {
				if math.Abs(c-tc.coef[i]) > 1e-9 {
					t.Errorf("coef %v, want %v", l.Coef(), tc.coef)
					break
				}
			}
			if got := l.Predict([]float64{10, 3}); math.Abs(got-(3+20-3+50+7.5)) > 1e-8 {
				t.Errorf("Predict(10,3) = %v", got)
			}
		})
	}
}

func TestLinearUnderdetermined(t *testing.T) {
	// 3 rows, 6 unknowns: the minimum-norm solution interpolates the data.
	X := [][]float64{{1, 2}, {2, 1}, {3, 3}}
	y := []float64{1, 2, 4}
	l, err := LinearParams{Degree: 2, IncludeBias: true}.FitLinear(X, y)
	if err != nil {
		t.Fatal(err)
	}
	for i, x := range X {
		if got := l.Predict(x); math.Abs(got-y[i]) > 1e-9 {
			t.Errorf("row %d: %v, want %v", i, got, y[i])
		}
	}
}

func TestNumPolynomialTerms(t *testing.T) {
	for nf := 1; nf <= 4; nf++ {
		for deg := 1; deg <= 5; deg++ {
			for _, bias := range []bool{true, false} {
				for _, io := range []bool{true, false} {
					want := len(PolynomialTerms(nf, deg, bias, io))
					if got := NumPolynomialTerms(nf, deg, bias, io, 1<<20); got != want {
						t.Errorf("n=%d d=%d bias=%v io=%v: %d, want %d", nf, deg, bias, io, got, want)
					}
					if want > 3 {
						if got := NumPolynomialTerms(nf, deg, bias, io, 3); got != 4 {
							t.Errorf("n=%d d=%d: limit 3 gave %d, want 4", nf, deg, got)
						}
					}
				}
			}
		}
	}
	if got := NumPolynomialTerms(1<<30, 1<<20, true, false, 100); got != 101 {
		t.Errorf("huge: %d, want 101 (saturated)", got)
	}
}
