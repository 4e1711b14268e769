package predictor

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/vidur-go/vidur-go/forest"
)

// Grid-search names accepted by TrainOptions.Search.
const (
	// SearchVidur is Vidur's grid: 27 forests (n_estimators 250/500/750 ×
	// max_depth 8/16/32 × min_samples_split 2/5/10) or 40 linear pipelines.
	SearchVidur = "vidur"
	// SearchFast is a small grid for quick runs and tests: forests of 32
	// trees, max_depth 8/16, min_samples_split 2; polynomial degree 1–3 with
	// bias and intercept.
	SearchFast = "fast"
)

// TrainOptions are the settings of TrainOp.
type TrainOptions struct {
	// Predictor is PredictorRandomForest (default) or PredictorLinearRegression.
	Predictor string
	// Search is SearchVidur (default) or SearchFast.
	Search string
	// Seed seeds every forest fit and the hold-out split.
	Seed uint64
	// Workers bounds the goroutines of one fit (0: GOMAXPROCS).
	Workers int
	// HoldOut is the fraction of rows held out to measure HeldOutMAPE
	// (default 0.2; negative disables).
	HoldOut float64
	// Progress, if set, receives (done, total) work units of the current op.
	Progress func(done, total int)
}

// Candidates returns the hyper-parameter candidates of a predictor kind and
// grid, in scikit-learn ParameterGrid order.
func Candidates(predictor, search string) ([]forest.Estimator, error) {
	switch predictor {
	case "", PredictorRandomForest:
		g := forest.VidurForestGrid()
		switch search {
		case "", SearchVidur:
		case SearchFast:
			g.NEstimators, g.MaxDepth, g.MinSamplesSplit = []int{32}, []int{8, 16}, []int{2}
		default:
			return nil, fmt.Errorf("unknown grid %q: want %s or %s", search, SearchVidur, SearchFast)
		}
		return g.Candidates(), nil
	case PredictorLinearRegression:
		g := forest.VidurLinearGrid()
		switch search {
		case "", SearchVidur:
		case SearchFast:
			g.Degree, g.IncludeBias, g.InteractionOnly, g.FitIntercept = []int{1, 2, 3}, []bool{true}, []bool{false}, []bool{true}
		default:
			return nil, fmt.Errorf("unknown grid %q: want %s or %s", search, SearchVidur, SearchFast)
		}
		return g.Candidates(), nil
	}
	return nil, fmt.Errorf("unknown predictor %q: want %s or %s", predictor, PredictorRandomForest, PredictorLinearRegression)
}

// OpResult is the outcome of training one operator model.
type OpResult struct {
	Op   string
	Rows int
	// CVMAPE is the best candidate's mean k-fold MAPE (%); HeldOutMAPE the
	// MAPE (%) of the same hyper-parameters refitted on the other rows and
	// scored on a seeded hold-out (NaN when disabled or too few rows).
	CVMAPE, HeldOutMAPE float64
	// Params are the chosen hyper-parameters in scikit-learn spelling.
	Params string
	Model  forest.Regressor
	// Elapsed is the wall time of the search, refit and hold-out fit.
	Elapsed time.Duration
}

// HyperParams parses Params ("k=v, k=v") into a map for artifact headers.
func (r *OpResult) HyperParams() map[string]string {
	m := map[string]string{}
	for _, kv := range strings.Split(r.Params, ", ") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}

// TrainOp grid-searches d's model like Vidur (spec §9.2: contiguous k-fold,
// 10 folds or 2 below 10 rows, lowest mean MAPE wins, refit on all rows) and
// measures the hold-out MAPE.
func TrainOp(d Dataset, opts TrainOptions) (*OpResult, error) {
	if len(d.Y) == 0 {
		return nil, fmt.Errorf("training data for %s is empty", d.Op)
	}
	cands, err := Candidates(opts.Predictor, opts.Search)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	res, err := forest.GridSearch(d.X, d.Y, cands, forest.SearchOptions{Seed: opts.Seed, Workers: opts.Workers, Progress: opts.Progress})
	if err != nil {
		return nil, fmt.Errorf("train %s on %d rows of %s: %w", d.Op, len(d.Y), d.Source, err)
	}
	out := &OpResult{Op: d.Op, Rows: len(d.Y), CVMAPE: res.MeanMAPE[res.Best], Params: res.BestEstimator().String(), Model: res.Model, HeldOutMAPE: nan()}
	frac := opts.HoldOut
	if frac == 0 {
		frac = 0.2
	}
	if frac > 0 && len(d.Y) >= 5 {
		train, test := holdOut(len(d.Y), frac, opts.Seed)
		xt, yt := pick(d.X, d.Y, train)
		m, err := res.BestEstimator().Fit(xt, yt, forest.FitOptions{Seed: opts.Seed, Workers: opts.Workers})
		if err != nil {
			return nil, fmt.Errorf("train %s (hold-out fit): %w", d.Op, err)
		}
		xs, ys := pick(d.X, d.Y, test)
		pred := forest.PredictBatch(m, xs, nil)
		out.HeldOutMAPE = forest.MAPE(ys, pred)
	}
	out.Elapsed = time.Since(start)
	return out, nil
}

// holdOut splits 0..n-1 into train and test index sets (each ascending):
// test is a seeded random ⌈frac·n⌉-subset.
func holdOut(n int, frac float64, seed uint64) (train, test []int) {
	r := rand.New(rand.NewPCG(seed, 0x686f6c646f7574)) // "holdout"
	perm := r.Perm(n)
	k := int(frac*float64(n) + 0.999999)
	isTest := make([]bool, n)
	for _, i := range perm[:k] {
		isTest[i] = true
	}
	for i := range n {
		if isTest[i] {
			test = append(test, i)
		} else {
			train = append(train, i)
		}
	}
	return train, test
}

func pick(X [][]float64, y []float64, idx []int) ([][]float64, []float64) {
	xs := make([][]float64, len(idx))
	ys := make([]float64, len(idx))
	for j, i := range idx {
		xs[j], ys[j] = X[i], y[i]
	}
	return xs, ys
}

// PredictTable evaluates a trained model on the op's grid (Vidur's feature
// values, spec §9.3) and returns the dense table. Negative predictions (a
// polynomial can dip below zero) are clamped to 0; the count is returned.
func PredictTable(op string, m forest.Regressor, g Grid) ([]float64, int, error) {
	kind, ok := KindOf(op)
	if !ok {
		return nil, 0, fmt.Errorf("unknown operator %q", op)
	}
	vals := make([]float64, g.Len(kind))
	x1 := make([]float64, 1)
	x2 := make([]float64, 2)
	want := len(Features(op))
	if m.NumFeatures() != want {
		return nil, 0, fmt.Errorf("model for %s takes %d features, want %d", op, m.NumFeatures(), want)
	}
	nkv := g.NumKV()
	switch kind {
	case KindTokens, KindBatch:
		for i := range vals {
			x1[0] = float64(i + 1)
			vals[i] = m.Predict(x1)
		}
	case KindDecode:
		for b := 1; b <= g.MaxBatchSize; b++ {
			for j := range nkv {
				x2[0], x2[1] = float64(b), float64(j*g.KVGranularity)
				vals[(b-1)*nkv+j] = m.Predict(x2)
			}
		}
	case KindPrefill:
		for j := range nkv {
			for c := 1; c <= g.MaxPrefillChunk; c++ {
				x2[0], x2[1] = float64(j*g.KVGranularity), float64(c*c)
				vals[j*g.MaxPrefillChunk+c-1] = m.Predict(x2)
			}
		}
	}
	clamped := 0
	for i, v := range vals {
		if v < 0 || v != v {
			vals[i] = 0
			clamped++
		}
	}
	return vals, clamped, nil
}
