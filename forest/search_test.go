package forest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
)

func TestGridOrderIsSklearns(t *testing.T) {
	c := VidurForestGrid().Candidates()
	if len(c) != 27 {
		t.Fatalf("%d forest candidates, want 27", len(c))
	}
	first := []string{"8 2 250", "8 2 500", "8 2 750", "8 5 250"}
	for i, w := range first {
		p := c[i].(ForestParams)
		if got := fmt.Sprint(p.MaxDepth, p.MinSamplesSplit, p.NEstimators); got != w {
			t.Errorf("candidate %d = %s, want %s", i, got, w)
		}
	}
	l := VidurLinearGrid().Candidates()
	if len(l) != 40 {
		t.Fatalf("%d linear candidates, want 40", len(l))
	}
	want0 := "linearregression__fit_intercept=True, polynomialfeatures__degree=1, polynomialfeatures__include_bias=True, polynomialfeatures__interaction_only=True"
	if l[0].String() != want0 {
		t.Errorf("candidate 0 = %s", l[0])
	}
	if p := l[1].(LinearParams); !p.FitIntercept || p.Degree != 1 || !p.IncludeBias || p.InteractionOnly {
		t.Errorf("candidate 1 = %s, want interaction_only to vary fastest", p)
	}
	if p := l[20].(LinearParams); p.FitIntercept || p.Degree != 1 {
		t.Errorf("candidate 20 = %s, want fit_intercept=False, degree=1", p)
	}
}

func smallForestGrid() ForestGrid {
	return ForestGrid{NEstimators: []int{3, 8}, MaxDepth: []int{2, 0, 5}, MinSamplesSplit: []int{2, 9}, Base: DefaultForestParams()}
}

func TestSharedTreesMatchSeparateFits(t *testing.T) {
	X, y := randomData(8, 157, 2, 40)
	cands := smallForestGrid().Candidates()
	shared, err := GridSearch(X, y, cands, SearchOptions{Seed: 3, Folds: 4, Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	sep, err := GridSearch(X, y, cands, SearchOptions{Seed: 3, Folds: 4, Workers: 2, NoSharedTrees: true})
	if err != nil {
		t.Fatal(err)
	}
	for c := range cands {
		for k := range 4 {
			if a, b := shared.FoldMAPE[c][k], sep.FoldMAPE[c][k]; a != b {
				t.Errorf("%s fold %d: shared %v != separate %v", cands[c], k, a, b)
			}
		}
	}
	if shared.Best != sep.Best {
		t.Errorf("best %d vs %d", shared.Best, sep.Best)
	}
	b1, _ := MarshalModel(shared.Model)
	b2, _ := MarshalModel(sep.Model)
	if !bytes.Equal(b1, b2) {
		t.Error("refitted models differ")
	}
	one, err := GridSearch(X, y, cands, SearchOptions{Seed: 3, Folds: 4, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	b3, _ := MarshalModel(one.Model)
	if fmt.Sprint(one.FoldMAPE) != fmt.Sprint(shared.FoldMAPE) || !bytes.Equal(b1, b3) {
		t.Error("1 worker and 3 workers disagree")
	}
}

func TestGridSearchTieGoesToFirst(t *testing.T) {
	X, y := randomData(9, 60, 1, 30)
	worse := LinearParams{Degree: 1, FitIntercept: false}
	good := LinearParams{Degree: 3, IncludeBias: true, FitIntercept: true}
	for _, tc := range []struct {
		name  string
		cands []Estimator
		want  int
	}{
		{"dup-after-worse", []Estimator{worse, good, good}, 1},
		{"dup-first", []Estimator{good, worse, good}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := GridSearch(X, y, tc.cands, SearchOptions{Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			if res.Best != tc.want {
				t.Errorf("best %d (MAPE %v), want %d", res.Best, res.MeanMAPE, tc.want)
			}
		})
	}
	// Forest candidates identical except a duplicated entry (shared path).
	p := ForestParams{NEstimators: 5, Bootstrap: true, TreeParams: DefaultTreeParams()}
	q := p
	q.MaxDepth = 1
	res, err := GridSearch(X, y, []Estimator{q, p, p}, SearchOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.MeanMAPE[1] != res.MeanMAPE[2] || res.Best != 1 {
		t.Errorf("best %d, MAPE %v: want a tie won by 1", res.Best, res.MeanMAPE)
	}
}

func TestGridSearchProgress(t *testing.T) {
	X, y := randomData(9, 40, 1, 30)
	for _, tc := range []struct {
		name  string
		cands []Estimator
	}{
		{"forest", smallForestGrid().Candidates()},
		{"linear", VidurLinearGrid().Candidates()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			last, lastTotal := 0, -1
			_, err := GridSearch(X, y, tc.cands, SearchOptions{Progress: func(done, total int) {
				if done <= last || done > total || (lastTotal >= 0 && total != lastTotal) {
					t.Errorf("progress %d/%d after %d/%d", done, total, last, lastTotal)
				}
				last, lastTotal = done, total
			}})
			if err != nil {
				t.Fatal(err)
			}
			if last != lastTotal {
				t.Errorf("progress ended at %d/%d", last, lastTotal)
			}
		})
	}
}

func TestGridSearchCancel(t *testing.T) {
	X, y := randomData(9, 80, 1, 30)
	for _, cands := range [][]Estimator{smallForestGrid().Candidates(), VidurLinearGrid().Candidates()} {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := GridSearch(X, y, cands, SearchOptions{Context: ctx}); !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	}
}
