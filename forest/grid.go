package forest

// ForestGrid is a grid over the three random-forest hyper-parameters Vidur
// searches; every other setting comes from Base.
type ForestGrid struct {
	NEstimators     []int
	MaxDepth        []int // 0 = unlimited
	MinSamplesSplit []int
	Base            ForestParams
}

// VidurForestGrid is Vidur's random_forrest grid (spec §1.7, §9.2):
// n_estimators [250 500 750] × max_depth [8 16 32] × min_samples_split
// [2 5 10] over sklearn's RandomForestRegressor defaults (bootstrap, all
// features, min_samples_leaf 1).
func VidurForestGrid() ForestGrid {
	return ForestGrid{
		NEstimators:     []int{250, 500, 750},
		MaxDepth:        []int{8, 16, 32},
		MinSamplesSplit: []int{2, 5, 10},
		Base:            DefaultForestParams(),
	}
}

// Candidates enumerates the grid in scikit-learn ParameterGrid order: keys
// sorted alphabetically (max_depth, min_samples_split, n_estimators), the
// last key varying fastest, values in the order given.
func (g ForestGrid) Candidates() []Estimator {
	var out []Estimator
	for _, d := range g.MaxDepth {
		for _, m := range g.MinSamplesSplit {
			for _, n := range g.NEstimators {
				p := g.Base
				p.MaxDepth, p.MinSamplesSplit, p.NEstimators = d, m, n
				out = append(out, p)
			}
		}
	}
	return out
}

// LinearGrid is a grid over the four linear_regression hyper-parameters.
type LinearGrid struct {
	Degree          []int
	IncludeBias     []bool
	InteractionOnly []bool
	FitIntercept    []bool
}

// VidurLinearGrid is Vidur's linear_regression grid (spec §1.7): degree
// 1..5, include_bias, interaction_only and fit_intercept each [True, False]
// (40 candidates).
func VidurLinearGrid() LinearGrid {
	tf := []bool{true, false}
	return LinearGrid{Degree: []int{1, 2, 3, 4, 5}, IncludeBias: tf, InteractionOnly: tf, FitIntercept: tf}
}

// Candidates enumerates the grid in scikit-learn ParameterGrid order over
// Vidur's pipeline keys sorted alphabetically: linearregression__fit_intercept,
// polynomialfeatures__degree, polynomialfeatures__include_bias,
// polynomialfeatures__interaction_only (last fastest).
func (g LinearGrid) Candidates() []Estimator {
	var out []Estimator
	for _, fi := range g.FitIntercept {
		for _, d := range g.Degree {
			for _, b := range g.IncludeBias {
				for _, io := range g.InteractionOnly {
					out = append(out, LinearParams{Degree: d, IncludeBias: b, InteractionOnly: io, FitIntercept: fi})
				}
			}
		}
	}
	return out
}
