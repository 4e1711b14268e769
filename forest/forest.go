package forest

import (
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
)

// ForestParams are the hyper-parameters of a random forest regressor: an
// average of NEstimators CART trees, each grown on a bootstrap sample of the
// rows. The zero value is not usable; start from DefaultForestParams.
type ForestParams struct {
	// NEstimators is the number of trees. scikit-learn: n_estimators,
	// default 100; must be >= 1.
	NEstimators int
	// Bootstrap draws each tree's rows with replacement (as many draws as
	// rows); otherwise every tree sees every row once. scikit-learn:
	// bootstrap, default true.
	Bootstrap bool
	// TreeParams are the per-tree limits. RandomForestRegressor's defaults
	// are DefaultTreeParams (all features per split).
	TreeParams
}

// DefaultForestParams returns scikit-learn's RandomForestRegressor defaults:
// 100 trees, bootstrap, unlimited depth, min_samples_split 2,
// min_samples_leaf 1, max_features 1.0 (all).
func DefaultForestParams() ForestParams {
	return ForestParams{NEstimators: 100, Bootstrap: true, TreeParams: DefaultTreeParams()}
}

func (p ForestParams) validate() error {
	if p.NEstimators < 1 {
		return fmt.Errorf("n_estimators %d: want >= 1", p.NEstimators)
	}
	return p.TreeParams.validate()
}

// String implements Estimator (sklearn parameter names, alphabetical).
func (p ForestParams) String() string {
	return "bootstrap=" + pyBool(p.Bootstrap) + ", max_depth=" + depthString(p.MaxDepth) +
		", max_features=" + featString(p.MaxFeatures) + ", min_samples_leaf=" + strconv.Itoa(p.MinSamplesLeaf) +
		", min_samples_split=" + strconv.Itoa(p.MinSamplesSplit) + ", n_estimators=" + strconv.Itoa(p.NEstimators)
}

func pyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// Fit implements Estimator.
func (p ForestParams) Fit(X [][]float64, y []float64, opts FitOptions) (Regressor, error) {
	f, err := p.FitForest(X, y, opts)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// FitForest fits a forest on all rows. Tree i is grown from its own random
// stream derived from (opts.Seed, i), so the result is byte-identical for any
// opts.Workers.
func (p ForestParams) FitForest(X [][]float64, y []float64, opts FitOptions) (*Forest, error) {
	if err := p.validate(); err != nil {
		return nil, fmt.Errorf("forest: %w", err)
	}
	d, err := newDataset(X, y)
	if err != nil {
		return nil, fmt.Errorf("forest: %w", err)
	}
	rows := make([]int, d.rows())
	for i := range rows {
		rows[i] = i
	}
	return p.fit(d, rows, opts.Seed, opts.workers(), nil), nil
}

// fit grows the forest on the given rows of d (ids into d). onTree, if not
// nil, is called (possibly concurrently) after each tree.
func (p ForestParams) fit(d *dataset, rows []int, seed uint64, workers int, onTree func()) *Forest {
	sorted := presort(d, rows)
	trees := make([]Tree, p.NEstimators)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, p.NEstimators) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := newBuilder(d, sorted, p.TreeParams)
			w := make([]float64, d.rows())
			for {
				i := int(next.Add(1) - 1)
				if i >= p.NEstimators {
					return
				}
				rng := streamRand(seed, uint64(i))
				p.weights(w, rows, rng)
				trees[i] = b.build(w, rng)
				if onTree != nil {
					onTree()
				}
			}
		}()
	}
	wg.Wait()
	return &Forest{nFeatures: d.features(), params: p, trees: trees}
}

// weights fills w (indexed by row id) with the tree's sample weights: the
// bootstrap counts of len(rows) uniform draws from rows, or 1 per row.
func (p ForestParams) weights(w []float64, rows []int, rng interface{ IntN(int) int }) {
	clear(w)
	if !p.Bootstrap {
		for _, r := range rows {
			w[r] = 1
		}
		return
	}
	for range rows {
		w[rows[rng.IntN(len(rows))]]++
	}
}

// Forest is a fitted random forest: the prediction is the mean of its trees'.
type Forest struct {
	nFeatures int
	params    ForestParams
	trees     []Tree
}

// NumFeatures implements Regressor.
func (f *Forest) NumFeatures() int { return f.nFeatures }

// Params returns the hyper-parameters the forest was fitted with.
func (f *Forest) Params() ForestParams { return f.params }

// Trees returns the fitted trees. The slice must not be modified.
func (f *Forest) Trees() []Tree { return f.trees }

// Predict implements Regressor: (Σ_i tree_i(x)) / NEstimators, summed in tree
// order. It allocates nothing.
func (f *Forest) Predict(x []float64) float64 {
	if len(x) != f.nFeatures {
		panic(fmt.Sprintf("forest: Forest.Predict got %d features, want %d", len(x), f.nFeatures))
	}
	var sum float64
	for i := range f.trees {
		sum += f.trees[i].predict(x)
	}
	return sum / float64(len(f.trees))
}

// PredictBatch writes r.Predict(X[i]) into dst[i] and returns dst,
// allocating it when dst is too short. For a *Forest it uses the faster
// Forest.PredictBatch (same results).
func PredictBatch(r Regressor, X [][]float64, dst []float64) []float64 {
	if f, ok := r.(*Forest); ok {
		return f.PredictBatch(X, dst)
	}
	if cap(dst) < len(X) {
		dst = make([]float64, len(X))
	}
	dst = dst[:len(X)]
	for i, x := range X {
		dst[i] = r.Predict(x)
	}
	return dst
}

// PredictBatch writes Predict(X[i]) into dst[i] and returns dst, allocating
// it when dst is too short. It walks tree by tree over all rows (blocks of
// rows at a time), which keeps each tree in cache and is several times
// faster than calling Predict per row on large forests; per row the trees are
// summed in the same order, so the results equal Predict's bit for bit.
func (f *Forest) PredictBatch(X [][]float64, dst []float64) []float64 {
	if cap(dst) < len(X) {
		dst = make([]float64, len(X))
	}
	dst = dst[:len(X)]
	for _, x := range X {
		if len(x) != f.nFeatures {
			panic(fmt.Sprintf("forest: Forest.PredictBatch got %d features, want %d", len(x), f.nFeatures))
		}
	}
	const block = 4096
	for lo := 0; lo < len(X); lo += block {
		hi := min(lo+block, len(X))
		out := dst[lo:hi]
		clear(out)
		for ti := range f.trees {
			t := &f.trees[ti]
			for i, x := range X[lo:hi] {
				out[i] += t.predict(x)
			}
		}
		n := float64(len(f.trees))
		for i := range out {
			out[i] /= n
		}
	}
	return dst
}
