package forest

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// LinearParams are the hyper-parameters of Vidur's "linear_regression"
// model: scikit-learn's make_pipeline(PolynomialFeatures(degree,
// include_bias, interaction_only), LinearRegression(fit_intercept)).
type LinearParams struct {
	// Degree is the maximal total degree of the polynomial terms
	// (polynomialfeatures__degree); must be >= 1.
	Degree int
	// IncludeBias adds the constant term 1 as the first feature
	// (polynomialfeatures__include_bias; sklearn default true).
	IncludeBias bool
	// InteractionOnly keeps only products of distinct features, no powers
	// (polynomialfeatures__interaction_only; sklearn default false).
	InteractionOnly bool
	// FitIntercept fits an intercept by centring the expanded features and
	// the target before the least-squares solve
	// (linearregression__fit_intercept; sklearn default true).
	FitIntercept bool
}

// String implements Estimator (Vidur's pipeline parameter names, sorted).
func (p LinearParams) String() string {
	return fmt.Sprintf("linearregression__fit_intercept=%s, polynomialfeatures__degree=%d, "+
		"polynomialfeatures__include_bias=%s, polynomialfeatures__interaction_only=%s",
		pyBool(p.FitIntercept), p.Degree, pyBool(p.IncludeBias), pyBool(p.InteractionOnly))
}

// PolynomialTerms lists the terms of sklearn's PolynomialFeatures in its
// output order: the bias (an empty term) if includeBias, then for each total
// degree 1..degree the combinations_with_replacement (combinations when
// interactionOnly) of the feature indices in lexicographic order. Each term is
// the list of feature indices multiplied together, e.g. for 2 features and
// degree 2: [], [0], [1], [0 0], [0 1], [1 1].
func PolynomialTerms(nFeatures, degree int, includeBias, interactionOnly bool) [][]int {
	var out [][]int
	if includeBias {
		out = append(out, []int{})
	}
	var rec func(prefix []int, start, left int)
	rec = func(prefix []int, start, left int) {
		if left == 0 {
			out = append(out, append([]int(nil), prefix...))
			return
		}
		for f := start; f < nFeatures; f++ {
			next := f
			if interactionOnly {
				next = f + 1
			}
			rec(append(prefix, f), next, left-1)
		}
	}
	for d := 1; d <= degree; d++ {
		rec(make([]int, 0, d), 0, d)
	}
	return out
}

// NumPolynomialTerms returns len(PolynomialTerms(...)) without building
// the terms, saturating at limit+1 when the count exceeds limit.
func NumPolynomialTerms(nFeatures, degree int, includeBias, interactionOnly bool, limit int) int {
	total := 0
	if includeBias {
		total = 1
	}
	// Number of multisets (or sets) of size d from n items:
	// C(n+d-1, d) (or C(n, d)), built incrementally: c_d = c_{d-1}·(m+d-1)/d
	// with m = n (multisets) or c_d = c_{d-1}·(n-d+1)/d (sets).
	c := 1
	for d := 1; d <= degree; d++ {
		num := nFeatures + d - 1
		if interactionOnly {
			num = nFeatures - d + 1
		}
		if num <= 0 {
			break
		}
		if c > (limit+1)*d/num+1 {
			return limit + 1
		}
		c = c * num / d
		total += c
		if total > limit {
			return limit + 1
		}
	}
	return total
}

// Linear is a fitted polynomial linear regression:
// ŷ = Intercept + Σ_t Coef[t] · Π_{j ∈ term t} x[j].
type Linear struct {
	params    LinearParams
	nFeatures int
	termIdx   []int32 // feature indices of all terms, concatenated
	termOff   []int32 // term t uses termIdx[termOff[t]:termOff[t+1]]
	coef      []float64
	intercept float64
}

func newLinear(p LinearParams, nFeatures int) *Linear {
	l := &Linear{params: p, nFeatures: nFeatures, termOff: []int32{0}}
	for _, t := range PolynomialTerms(nFeatures, p.Degree, p.IncludeBias, p.InteractionOnly) {
		for _, j := range t {
			l.termIdx = append(l.termIdx, int32(j))
		}
		l.termOff = append(l.termOff, int32(len(l.termIdx)))
	}
	l.coef = make([]float64, len(l.termOff)-1)
	return l
}

// NumFeatures implements Regressor.
func (l *Linear) NumFeatures() int { return l.nFeatures }

// Params returns the hyper-parameters.
func (l *Linear) Params() LinearParams { return l.params }

// Coef returns the coefficients of the expanded features in PolynomialTerms
// order (sklearn's coef_). The slice must not be modified.
func (l *Linear) Coef() []float64 { return l.coef }

// Intercept returns sklearn's intercept_ (0 when FitIntercept is false).
func (l *Linear) Intercept() float64 { return l.intercept }

func (l *Linear) term(t int, x []float64) float64 {
	v := 1.0
	for _, j := range l.termIdx[l.termOff[t]:l.termOff[t+1]] {
		v *= x[j]
	}
	return v
}

// Predict implements Regressor; it allocates nothing.
func (l *Linear) Predict(x []float64) float64 {
	if len(x) != l.nFeatures {
		panic(fmt.Sprintf("forest: Linear.Predict got %d features, want %d", len(x), l.nFeatures))
	}
	s := l.intercept
	for t, c := range l.coef {
		s += c * l.term(t, x)
	}
	return s
}

// Fit implements Estimator.
func (p LinearParams) Fit(X [][]float64, y []float64, _ FitOptions) (Regressor, error) {
	l, err := p.FitLinear(X, y)
	if err != nil {
		return nil, err
	}
	return l, nil
}

// FitLinear expands X with PolynomialTerms and solves the least-squares
// problem min ‖Z·coef − y‖₂ (after centring Z's columns and y when
// FitIntercept) with the SVD minimum-norm solution, treating singular values
// ≤ ε·σ_max as zero (ε = float64 machine epsilon) like scipy.linalg.lstsq
// (gelsd), which sklearn's LinearRegression calls. Rank-deficient designs
// (e.g. a bias column together with an intercept) are therefore fine.
func (p LinearParams) FitLinear(X [][]float64, y []float64) (*Linear, error) {
	if p.Degree < 1 {
		return nil, fmt.Errorf("linear: polynomialfeatures__degree %d: want >= 1", p.Degree)
	}
	d, err := newDataset(X, y)
	if err != nil {
		return nil, fmt.Errorf("linear: %w", err)
	}
	return p.fit(d)
}

func (p LinearParams) fit(d *dataset) (*Linear, error) {
	l := newLinear(p, d.features())
	n, nt := d.rows(), len(l.coef)
	if nt == 0 {
		return l, nil
	}
	z := mat.NewDense(n, nt, nil)
	x := make([]float64, d.features())
	for i := range n {
		d.row(i, x)
		for t := range nt {
			z.Set(i, t, l.term(t, x))
		}
	}
	b := mat.NewVecDense(n, append([]float64(nil), d.y...))
	var zMean []float64
	var yMean float64
	if p.FitIntercept {
		zMean = make([]float64, nt)
		for t := range nt {
			zMean[t] = mean(mat.Col(nil, t, z))
		}
		yMean = mean(d.y)
		for i := range n {
			for t := range nt {
				z.Set(i, t, z.At(i, t)-zMean[t])
			}
			b.SetVec(i, b.AtVec(i)-yMean)
		}
	}
	var svd mat.SVD
	if !svd.Factorize(z, mat.SVDThin) {
		return nil, fmt.Errorf("linear: %s: SVD of the %d×%d design matrix did not converge", p, n, nt)
	}
	if rank := svd.Rank(0x1p-52); rank > 0 {
		var sol mat.VecDense
		svd.SolveVecTo(&sol, b, rank)
		for t := range nt {
			l.coef[t] = sol.AtVec(t)
		}
	}
	if p.FitIntercept {
		l.intercept = yMean
		for t := range nt {
			l.intercept -= zMean[t] * l.coef[t]
		}
	}
	for _, c := range l.coef {
		if !isFinite(c) || !isFinite(l.intercept) {
			return nil, fmt.Errorf("linear: %s: least squares gave a non-finite coefficient (features too large for degree %d?)", p, p.Degree)
		}
	}
	return l, nil
}

func mean(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// isFinite reports whether v is neither NaN nor ±Inf.
func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
