package forest

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func column(xs ...float64) [][]float64 {
	X := make([][]float64, len(xs))
	for i, x := range xs {
		X[i] = []float64{x}
	}
	return X
}

func TestTreeFitsStepFunctionExactly(t *testing.T) {
	X := column(1, 2, 3, 4, 5, 6, 7, 8)
	y := []float64{1, 1, 1, 5, 5, 5, 9, 9}
	tr, err := DefaultTreeParams().FitTree(X, y, 1)
	if err != nil {
		t.Fatal(err)
	}
	for i, x := range X {
		if got := tr.Predict(x); got != y[i] {
			t.Errorf("Predict(%v) = %v, want %v", x, got, y[i])
		}
	}
	// Thresholds are midpoints between adjacent distinct values.
	want := "x[0] <= 3.5 samples=8\n  leaf value=1 samples=3\n  x[0] <= 6.5 samples=5\n    leaf value=5 samples=3\n    leaf value=9 samples=2\n"
	if got := tr.String(); got != want {
		t.Errorf("tree:\n%s\nwant:\n%s", got, want)
	}
	if got := tr.Predict([]float64{3.49}); got != 1 {
		t.Errorf("Predict(3.49) = %v, want 1", got)
	}
	if got := tr.Predict([]float64{100}); got != 9 {
		t.Errorf("Predict(100) = %v, want 9", got)
	}
}

// refTree is a brute-force CART (every feature, every midpoint, unit
// weights) used to check the presorted builder.
func refPredict(X [][]float64, y []float64, rows []int, p TreeParams, depth int, x []float64) float64 {
	var s float64
	for _, r := range rows {
		s += y[r]
	}
	n := len(rows)
	mean := s / float64(n)
	var q float64
	for _, r := range rows {
		q += y[r] * y[r]
	}
	if depth >= p.maxDepth() || n < p.MinSamplesSplit || n < 2*p.MinSamplesLeaf || q/float64(n)-mean*mean <= epsilon {
		return mean
	}
	best, bf, bt := math.Inf(-1), -1, 0.0
	for f := range X[0] {
		vals := map[float64]bool{}
		for _, r := range rows {
			vals[X[r][f]] = true
		}
		var sortedVals []float64
		for v := range vals {
			sortedVals = append(sortedVals, v)
		}
		sortFloats(sortedVals)
		for i := 1; i < len(sortedVals); i++ {
			thr := sortedVals[i-1]/2 + sortedVals[i]/2
			var wl, sl, sr float64
			nl := 0
			for _, r := range rows {
				if X[r][f] <= thr {
					wl++
					sl += y[r]
					nl++
				} else {
					sr += y[r]
				}
			}
			if nl < p.MinSamplesLeaf || n-nl < p.MinSamplesLeaf {
				continue
			}
			if proxy := sl*sl/wl + sr*sr/(float64(n)-wl); bf < 0 || proxy > best+1e-9*math.Abs(best) {
				best, bf, bt = proxy, f, thr
			}
		}
	}
	if bf < 0 {
		return mean
	}
	var l, r []int
	for _, i := range rows {
		if X[i][bf] <= bt {
			l = append(l, i)
		} else {
			r = append(r, i)
		}
	}
	if x[bf] <= bt {
		return refPredict(X, y, l, p, depth+1, x)
	}
	return refPredict(X, y, r, p, depth+1, x)
}

func sortFloats(v []float64) {
	for i := 1; i < len(v); i++ {
		for j := i; j > 0 && v[j] < v[j-1]; j-- {
			v[j], v[j-1] = v[j-1], v[j]
		}
	}
}

func randomData(seed uint64, n, nf, distinct int) ([][]float64, []float64) {
	rng := rand.New(rand.NewPCG(seed, 7))
	X := make([][]float64, n)
	y := make([]float64, n)
	for i := range X {
		X[i] = make([]float64, nf)
		for f := range X[i] {
			X[i][f] = float64(rng.IntN(distinct)) * 1.5
		}
		y[i] = X[i][0]*X[i][0]/10 + rng.Float64()
		if nf > 1 {
			y[i] += 3 * X[i][1]
		}
	}
	return X, y
}

func TestTreeMatchesBruteForce(t *testing.T) {
	for _, tc := range []struct {
		name  string
		p     TreeParams
		nf    int
		probe bool // also compare off the training rows
	}{
		{"defaults-1f", DefaultTreeParams(), 1, true},
		// Fully grown 2-feature trees meet exact ties (two features giving
		// the same partition) that round-off may break either way; such
		// ties only change predictions away from the training rows.
		{"defaults-2f", DefaultTreeParams(), 2, false},
		{"depth3", TreeParams{MaxDepth: 3, MinSamplesSplit: 2, MinSamplesLeaf: 1}, 2, true},
		{"split7-leaf3", TreeParams{MinSamplesSplit: 7, MinSamplesLeaf: 3}, 2, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			X, y := randomData(3, 120, tc.nf, 25)
			tr, err := tc.p.FitTree(X, y, 1)
			if err != nil {
				t.Fatal(err)
			}
			rows := make([]int, len(X))
			for i := range rows {
				rows[i] = i
			}
			probe, _ := randomData(4, 50, tc.nf, 30)
			if !tc.probe {
				probe = nil
			}
			for _, x := range append(X, probe...) {
				got, want := tr.Predict(x), refPredict(X, y, rows, tc.p, 0, x)
				if math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
					t.Fatalf("Predict(%v) = %v, brute force %v", x, got, want)
				}
			}
		})
	}
}

// checkLimits walks the tree and checks every structural limit.
func TestTreeLimits(t *testing.T) {
	X, y := randomData(5, 400, 2, 200)
	for _, p := range []TreeParams{
		{MaxDepth: 1, MinSamplesSplit: 2, MinSamplesLeaf: 1},
		{MaxDepth: 4, MinSamplesSplit: 2, MinSamplesLeaf: 1},
		{MinSamplesSplit: 50, MinSamplesLeaf: 1},
		{MinSamplesSplit: 2, MinSamplesLeaf: 20},
		{MaxDepth: 6, MinSamplesSplit: 10, MinSamplesLeaf: 5, MaxFeatures: 1},
	} {
		t.Run(p.String(), func(t *testing.T) {
			tr, err := p.FitTree(X, y, 9)
			if err != nil {
				t.Fatal(err)
			}
			if p.MaxDepth > 0 && tr.Depth() > p.MaxDepth {
				t.Errorf("depth %d > max_depth %d", tr.Depth(), p.MaxDepth)
			}
			if p.MaxDepth > 0 && tr.Depth() < p.MaxDepth && p.MinSamplesSplit == 2 && p.MinSamplesLeaf == 1 {
				t.Errorf("depth %d < max_depth %d on noisy data", tr.Depth(), p.MaxDepth)
			}
			for i, n := range tr.Nodes() {
				if n.Samples < int32(p.MinSamplesLeaf) {
					t.Errorf("node %d has %d samples < min_samples_leaf %d", i, n.Samples, p.MinSamplesLeaf)
				}
				if n.Left >= 0 {
					if n.Samples < int32(p.MinSamplesSplit) {
						t.Errorf("node %d with %d samples was split (min_samples_split %d)", i, n.Samples, p.MinSamplesSplit)
					}
					if l, r := tr.Nodes()[n.Left].Samples, tr.Nodes()[n.Right].Samples; l+r != n.Samples {
						t.Errorf("node %d: children %d+%d != %d", i, l, r, n.Samples)
					}
				}
			}
		})
	}
}

func TestDegenerateInputs(t *testing.T) {
	t.Run("all-equal-y", func(t *testing.T) {
		tr, err := DefaultTreeParams().FitTree(column(1, 2, 3, 4), []float64{2, 2, 2, 2}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(tr.Nodes()) != 1 || tr.Predict([]float64{9}) != 2 {
			t.Errorf("want a single leaf of 2, got\n%s", tr)
		}
	})
	t.Run("all-equal-x", func(t *testing.T) {
		tr, err := DefaultTreeParams().FitTree(column(3, 3, 3), []float64{1, 2, 3}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(tr.Nodes()) != 1 || tr.Predict([]float64{3}) != 2 {
			t.Errorf("want a single leaf of 2, got\n%s", tr)
		}
	})
	t.Run("single-row", func(t *testing.T) {
		for _, e := range []Estimator{DefaultTreeParams(), DefaultForestParams(), LinearParams{Degree: 2, IncludeBias: true, FitIntercept: true}} {
			m, err := e.Fit(column(5), []float64{7}, FitOptions{Seed: 1})
			if err != nil {
				t.Fatalf("%s: %v", e, err)
			}
			if got := m.Predict([]float64{5}); math.Abs(got-7) > 1e-12 {
				t.Errorf("%s: Predict = %v, want 7", e, got)
			}
		}
		if _, err := GridSearch(column(5), []float64{7}, VidurForestGrid().Candidates(), SearchOptions{}); err == nil {
			t.Error("GridSearch on one row: want an error (2 folds need 2 rows)")
		}
	})
	bad := []struct {
		name string
		X    [][]float64
		y    []float64
		want string
	}{
		{"nan-x", [][]float64{{1}, {math.NaN()}}, []float64{1, 2}, "row 1 feature 0 is NaN"},
		{"inf-y", [][]float64{{1}, {2}}, []float64{1, math.Inf(1)}, "row 1 target is +Inf"},
		{"ragged", [][]float64{{1, 2}, {2}}, []float64{1, 2}, "row 1 has 1 features, want 2"},
		{"len-mismatch", [][]float64{{1}}, []float64{1, 2}, "X has 1 rows but y has 2"},
		{"empty", nil, nil, "no training rows"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			for _, e := range []Estimator{DefaultTreeParams(), DefaultForestParams(), LinearParams{Degree: 1}} {
				_, err := e.Fit(tc.X, tc.y, FitOptions{})
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("%T: err = %v, want it to contain %q", e, err, tc.want)
				}
			}
			if _, err := GridSearch(tc.X, tc.y, VidurLinearGrid().Candidates(), SearchOptions{}); err == nil {
				t.Error("GridSearch: want an error")
			}
		})
	}
	t.Run("bad-params", func(t *testing.T) {
		for _, e := range []Estimator{
			TreeParams{MinSamplesSplit: 1, MinSamplesLeaf: 1},
			TreeParams{MinSamplesSplit: 2},
			TreeParams{MaxDepth: -1, MinSamplesSplit: 2, MinSamplesLeaf: 1},
			ForestParams{TreeParams: DefaultTreeParams()},
			LinearParams{},
		} {
			if _, err := e.Fit(column(1, 2), []float64{1, 2}, FitOptions{}); err == nil {
				t.Errorf("%s: want an error", e)
			}
		}
	})
}

func TestPredictAllocatesNothing(t *testing.T) {
	X, y := randomData(1, 200, 2, 50)
	f, err := ForestParams{NEstimators: 10, Bootstrap: true, TreeParams: DefaultTreeParams()}.FitForest(X, y, FitOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	l, err := LinearParams{Degree: 3, IncludeBias: true, FitIntercept: true}.FitLinear(X, y)
	if err != nil {
		t.Fatal(err)
	}
	x := []float64{3, 4}
	for _, m := range []Regressor{f, &f.Trees()[0], l} {
		if a := testing.AllocsPerRun(100, func() { m.Predict(x) }); a != 0 {
			t.Errorf("%T.Predict allocates %v times", m, a)
		}
	}
}
