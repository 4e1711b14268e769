// Package forest fits the runtime-prediction models Vidur uses (spec §9.2):
// CART regression trees, random forests and polynomial linear regression,
// chosen by grid search with k-fold cross-validation scored by Vidur's MAPE.
// It depends only on the standard library and gonum.
//
// # API in one screen
//
//	X := [][]float64{{1}, {2}, ...}  // rows of features (1–2 features in Vidur)
//	y := []float64{0.01, 0.02, ...}  // targets (ms)
//
//	// Vidur's search: 27 random-forest candidates, 10 contiguous folds
//	// (2 if fewer than 10 rows), best by mean MAPE, refit on all rows.
//	res, err := forest.GridSearch(X, y, forest.VidurForestGrid().Candidates(),
//		forest.SearchOptions{Seed: 1, Context: ctx, Progress: func(done, total int) {...}})
//	res.Model.Predict([]float64{128})   // forest.Regressor, allocation-free
//	forest.PredictBatch(res.Model, grid, dst) // tree-major for forests: ~3× faster per row
//	res.BestEstimator().String()        // "bootstrap=True, max_depth=16, ..."
//	res.MeanMAPE                        // per candidate, percent
//	b, _ := forest.MarshalModel(res.Model) // deterministic bytes for an artifact
//	m, _ := forest.UnmarshalModel(b)
//
//	// Vidur's linear_regression: forest.VidurLinearGrid().Candidates().
//	// Single fits: forest.ForestParams{...}.FitForest(X, y, forest.FitOptions{Seed: 1}),
//	// forest.TreeParams{...}.FitTree, forest.LinearParams{...}.FitLinear.
//
// Every Estimator (TreeParams, ForestParams, LinearParams) documents its
// hyper-parameters with their scikit-learn names and defaults; String prints
// them in sklearn spelling.
//
// # Trees
//
// A tree is grown depth-first like sklearn's DepthFirstTreeBuilder with the
// BestSplitter and the squared-error criterion: at each node every candidate
// feature is scanned in sorted order with running weighted sums (the rows of
// each feature are sorted once per training set and children keep their
// order by stable partitioning), the split maximising
// Σ_left²/W_left + Σ_right²/W_right wins, and the threshold is the midpoint
// of the two adjacent distinct values. Nodes live in one flat []Node; Predict
// walks indices and allocates nothing.
//
// # Forests and determinism
//
// Tree i draws its bootstrap sample (and feature subsets, if any) from a PCG
// stream seeded by SplitMix64 mixes of (seed, i), so a forest is
// byte-identical for a seed whatever the number of workers. Vidur passes no
// random_state, so its forests differ run to run; ours are reproducible.
// Differences from sklearn that can change individual trees: ties between
// equally good splits on different features go to the lower feature index
// (sklearn: a random feature order); features stay float64 (sklearn casts
// them to float32).
//
// # Grid search
//
// GridSearch mirrors GridSearchCV(cv=KFold(k), scoring=-MAPE, refit=True).
// For forest grids it grows one forest of deep trees per fold and reads every
// candidate from it (a shallower or more conservatively split tree is a
// prefix-cut of the deep one); the scores are bit-identical to fitting each
// candidate alone. See GridSearch.
package forest
