package forest

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
)

// Regressor predicts a scalar target from one feature vector. Implementations
// in this package (*Tree, *Forest, *Linear) are immutable after fitting, safe
// for concurrent use, and allocate nothing in Predict.
type Regressor interface {
	// Predict returns the prediction for x. len(x) must equal NumFeatures();
	// Predict panics otherwise (a programmer error).
	Predict(x []float64) float64
	// NumFeatures is the number of features the model was fitted on.
	NumFeatures() int
}

// Estimator is one hyper-parameter set of a model family: it fits a
// Regressor to data. TreeParams, ForestParams and LinearParams implement it;
// GridSearch takes a slice of them as its candidates.
type Estimator interface {
	// Fit fits a model to the rows X (each of the same length, no NaN or Inf)
	// and targets y (len(y) == len(X), finite). It returns an error for
	// invalid hyper-parameters or data.
	Fit(X [][]float64, y []float64, opts FitOptions) (Regressor, error)
	// String names the hyper-parameters in scikit-learn's spelling with keys
	// in alphabetical order, e.g. "max_depth=8, min_samples_split=2,
	// n_estimators=250".
	String() string
}

// FitOptions are the run settings of a fit, as opposed to hyper-parameters.
type FitOptions struct {
	// Seed seeds every random draw (bootstrap samples, feature subsets). The
	// same seed gives byte-identical models whatever Workers is.
	Seed uint64
	// Workers bounds the goroutines used by one fit (forests train trees in
	// parallel). 0 means runtime.GOMAXPROCS(0).
	Workers int
}

func (o FitOptions) workers() int {
	if o.Workers > 0 {
		return o.Workers
	}
	return runtime.GOMAXPROCS(0)
}

// ErrEmpty is returned when a fit or search gets no rows.
var ErrEmpty = errors.New("no training rows")

// dataset is the validated, column-major form of (X, y).
type dataset struct {
	cols [][]float64 // cols[f][i] is feature f of row i
	y    []float64
}

func (d *dataset) rows() int     { return len(d.y) }
func (d *dataset) features() int { return len(d.cols) }

// newDataset validates X and y and transposes X. Every row must have the same
// positive number of features and every value must be finite.
func newDataset(X [][]float64, y []float64) (*dataset, error) {
	if len(X) == 0 {
		return nil, ErrEmpty
	}
	if len(X) != len(y) {
		return nil, fmt.Errorf("X has %d rows but y has %d values", len(X), len(y))
	}
	nf := len(X[0])
	if nf == 0 {
		return nil, errors.New("row 0 has no features")
	}
	d := &dataset{cols: make([][]float64, nf), y: y}
	flat := make([]float64, nf*len(X))
	for f := range d.cols {
		d.cols[f] = flat[f*len(X) : (f+1)*len(X) : (f+1)*len(X)]
	}
	for i, row := range X {
		if len(row) != nf {
			return nil, fmt.Errorf("row %d has %d features, want %d like row 0", i, len(row), nf)
		}
		for f, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("row %d feature %d is %v, want a finite number", i, f, v)
			}
			d.cols[f][i] = v
		}
		if v := y[i]; math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("row %d target is %v, want a finite number", i, v)
		}
	}
	return d, nil
}

// subset returns the rows idx of d (copied, in that order).
func (d *dataset) subset(idx []int) *dataset {
	s := &dataset{cols: make([][]float64, len(d.cols)), y: make([]float64, len(idx))}
	for f, c := range d.cols {
		s.cols[f] = make([]float64, len(idx))
		for j, i := range idx {
			s.cols[f][j] = c[i]
		}
	}
	for j, i := range idx {
		s.y[j] = d.y[i]
	}
	return s
}

// row copies row i into dst (len = features).
func (d *dataset) row(i int, dst []float64) {
	for f, c := range d.cols {
		dst[f] = c[i]
	}
}

// splitmix64 is the finaliser of SplitMix64; it spreads nearby seeds apart.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// streamRand returns the random source of stream `stream` (e.g. a tree index)
// under seed: a PCG whose two state words are SplitMix64 mixes of both.
func streamRand(seed, stream uint64) *rand.Rand {
	a := splitmix64(seed ^ splitmix64(stream))
	b := splitmix64(a ^ 0x6a09e667f3bcc909 ^ stream)
	return rand.New(rand.NewPCG(a, b))
}
