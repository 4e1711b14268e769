package forest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
)

// SearchOptions are the settings of GridSearch.
type SearchOptions struct {
	// Folds is the number of contiguous CV folds. 0 means Vidur's rule,
	// VidurFolds(rows, 10).
	Folds int
	// Seed seeds every fit; each (candidate, fold) fit and the refit get
	// the same seed, like sklearn's GridSearchCV with an int random_state.
	Seed uint64
	// Workers bounds the goroutines; 0 means runtime.GOMAXPROCS(0).
	Workers int
	// Progress, if not nil, is called after each unit of work with the
	// units done so far and the total (calls are serialised; done rises to
	// total).
	Progress func(done, total int)
	// NoSharedTrees disables the shared-forest evaluation of forest grids
	// (see GridSearch) and fits every (candidate, fold) separately. The
	// result is identical; only the time differs.
	NoSharedTrees bool
	// Context, if not nil, cancels the search between units of work;
	// GridSearch then returns its error.
	Context context.Context
}

// SearchResult is the outcome of GridSearch.
type SearchResult struct {
	// Candidates are the searched estimators, in search order.
	Candidates []Estimator
	// MeanMAPE[c] is candidate c's mean over folds of the test-fold MAPE
	// (percent); sklearn's mean_test_score is its negation.
	MeanMAPE []float64
	// FoldMAPE[c][k] is candidate c's MAPE on test fold k.
	FoldMAPE [][]float64
	// Best is the index of the lowest MeanMAPE (the first on ties).
	Best int
	// Folds is the number of CV folds used.
	Folds int
	// Model is Candidates[Best] refitted on all rows.
	Model Regressor
}

// BestEstimator returns Candidates[Best].
func (r *SearchResult) BestEstimator() Estimator { return r.Candidates[r.Best] }

// GridSearch is scikit-learn's GridSearchCV(estimator, grid,
// scoring=-MAPE, cv=KFold(Folds), refit=True) as Vidur uses it (spec §9.2):
// each candidate is fitted on the training rows of each contiguous,
// unshuffled fold and scored by MAPE on the test rows; the candidate with the
// lowest mean MAPE wins (ties: the first in candidates), and is refitted on
// all rows.
//
// When every candidate is a ForestParams using all features per split and
// the candidates differ only in NEstimators, MaxDepth and MinSamplesSplit
// (true of VidurForestGrid), the forests are not fitted per candidate: a
// tree grown with max_depth d and min_samples_split m is exactly the tree
// grown with the largest depth and smallest min_samples_split, cut where
// depth >= d or a node has fewer than m rows (the split chosen at a node
// depends only on its rows), and a forest of n trees is the first n trees of
// a larger one (tree i's randomness depends only on (seed, i)). So each fold
// grows one forest of max(NEstimators) deep trees and evaluates every
// candidate from it. The scores are bit-identical to fitting each candidate
// separately (SearchOptions.NoSharedTrees), at a fraction of the cost.
//
// Work runs in parallel over Workers goroutines; the result does not depend
// on Workers.
func GridSearch(X [][]float64, y []float64, candidates []Estimator, opts SearchOptions) (*SearchResult, error) {
	if len(candidates) == 0 {
		return nil, errors.New("grid search: no candidates")
	}
	d, err := newDataset(X, y)
	if err != nil {
		return nil, fmt.Errorf("grid search: %w", err)
	}
	k := opts.Folds
	if k == 0 {
		k = VidurFolds(d.rows(), 10)
	}
	folds, err := KFold(d.rows(), k)
	if err != nil {
		return nil, fmt.Errorf("grid search: %w", err)
	}
	workers := FitOptions{Workers: opts.Workers}.workers()
	res := &SearchResult{Candidates: candidates, Folds: k, FoldMAPE: make([][]float64, len(candidates))}
	for c := range res.FoldMAPE {
		res.FoldMAPE[c] = make([]float64, k)
	}
	ctx := opts.Context
	if ctx == nil {
		ctx = context.Background()
	}
	prog := &progress{fn: opts.Progress}
	shared, ok := sharedForest(candidates, d.features())
	if ok && !opts.NoSharedTrees {
		for _, c := range candidates {
			if err := c.(ForestParams).validate(); err != nil {
				return nil, fmt.Errorf("grid search: candidate %s: %w", c, err)
			}
		}
		// Units: trees. The refit is counted as the largest forest up front
		// and completed when the (possibly smaller) best one is done.
		prog.total = (k + 1) * shared.NEstimators
		if err := searchShared(ctx, d, folds, candidates, shared, opts.Seed, workers, res, prog); err != nil {
			return nil, fmt.Errorf("grid search: %w", err)
		}
		res.MeanMAPE = meanRows(res.FoldMAPE)
		res.Best = argmin(res.MeanMAPE)
		p := candidates[res.Best].(ForestParams)
		rows := make([]int, d.rows())
		for i := range rows {
			rows[i] = i
		}
		res.Model = p.fit(d, rows, opts.Seed, workers, prog.step)
		prog.stepN(shared.NEstimators - p.NEstimators)
		return res, nil
	}
	if err := searchEach(ctx, X, y, folds, candidates, opts.Seed, workers, res, prog); err != nil {
		return nil, err
	}
	res.MeanMAPE = meanRows(res.FoldMAPE)
	res.Best = argmin(res.MeanMAPE)
	m, err := candidates[res.Best].Fit(X, y, FitOptions{Seed: opts.Seed, Workers: workers})
	if err != nil {
		return nil, fmt.Errorf("grid search: refit %s: %w", candidates[res.Best], err)
	}
	prog.step()
	res.Model = m
	return res, nil
}

// progress serialises Progress callbacks.
type progress struct {
	mu          sync.Mutex
	fn          func(done, total int)
	done, total int
}

func (p *progress) stepN(n int) {
	if p.fn == nil || n == 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done += n
	p.fn(p.done, p.total)
}

func (p *progress) step() { p.stepN(1) }

// searchEach fits every (candidate, fold) pair separately, in parallel.
func searchEach(ctx context.Context, X [][]float64, y []float64, folds []Fold, cands []Estimator, seed uint64, workers int, res *SearchResult, prog *progress) error {
	nItems := len(cands) * len(folds)
	prog.total = nItems + 1
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, nItems)
	for range min(workers, nItems) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var pred []float64
			for {
				i := int(next.Add(1) - 1)
				if i >= nItems {
					return
				}
				if err := ctx.Err(); err != nil {
					errs[i] = fmt.Errorf("grid search: %w", err)
					return
				}
				c, k := i/len(folds), i%len(folds)
				f := folds[k]
				xt, yt := pick(X, y, f.Train)
				m, err := cands[c].Fit(xt, yt, FitOptions{Seed: seed, Workers: 1})
				if err != nil {
					errs[i] = fmt.Errorf("grid search: candidate %s fold %d: %w", cands[c], k, err)
					continue
				}
				xs, ys := pick(X, y, f.Test)
				pred = PredictBatch(m, xs, pred)
				res.FoldMAPE[c][k] = MAPE(ys, pred)
				prog.step()
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func pick(X [][]float64, y []float64, idx []int) ([][]float64, []float64) {
	xs, ys := make([][]float64, len(idx)), make([]float64, len(idx))
	for j, i := range idx {
		xs[j], ys[j] = X[i], y[i]
	}
	return xs, ys
}

func meanRows(m [][]float64) []float64 {
	out := make([]float64, len(m))
	for i, r := range m {
		out[i] = mean(r)
	}
	return out
}

// argmin returns the index of the smallest value, the first on ties; NaN
// counts as larger than any number.
func argmin(v []float64) int {
	best := 0
	for i, x := range v {
		b := v[best]
		if x < b || (math.IsNaN(b) && !math.IsNaN(x)) {
			best = i
		}
	}
	return best
}

// sharedForest reports whether the candidates can share trees and returns
// the parameters of the forest that contains them all.
func sharedForest(cands []Estimator, nFeatures int) (ForestParams, bool) {
	var full ForestParams
	for i, c := range cands {
		p, ok := c.(ForestParams)
		if !ok || p.featuresPerSplit(nFeatures) != nFeatures {
			return ForestParams{}, false
		}
		if i == 0 {
			full = p
			full.MaxFeatures = 0
			continue
		}
		if p.Bootstrap != full.Bootstrap || p.MinSamplesLeaf != full.MinSamplesLeaf {
			return ForestParams{}, false
		}
		if p.maxDepth() > full.maxDepth() {
			full.MaxDepth = p.MaxDepth
		}
		full.MinSamplesSplit = min(full.MinSamplesSplit, p.MinSamplesSplit)
		full.NEstimators = max(full.NEstimators, p.NEstimators)
	}
	return full, true
}
