package forest

import (
	"bytes"
	"math"
	"testing"
)

func TestForestDeterministicAcrossWorkers(t *testing.T) {
	X, y := randomData(11, 300, 2, 60)
	p := ForestParams{NEstimators: 23, Bootstrap: true, TreeParams: TreeParams{MaxDepth: 10, MinSamplesSplit: 2, MinSamplesLeaf: 1}}
	var ref []byte
	for _, w := range []int{1, 4, 3} {
		f, err := p.FitForest(X, y, FitOptions{Seed: 42, Workers: w})
		if err != nil {
			t.Fatal(err)
		}
		b, err := f.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if ref == nil {
			ref = b
		} else if !bytes.Equal(ref, b) {
			t.Errorf("workers=%d: serialization differs from workers=1", w)
		}
	}
	f2, _ := p.FitForest(X, y, FitOptions{Seed: 43, Workers: 2})
	b2, _ := f2.MarshalBinary()
	if bytes.Equal(ref, b2) {
		t.Error("seed 43 gave the same forest as seed 42")
	}
}

func TestForestTreesDiffer(t *testing.T) {
	X, y := randomData(2, 200, 1, 100)
	f, err := DefaultForestParams().FitForest(X, y, FitOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	trees := f.Trees()
	if len(trees) != 100 {
		t.Fatalf("%d trees, want 100", len(trees))
	}
	x := []float64{33}
	same := 0
	for _, tr := range trees[1:] {
		if tr.Predict(x) == trees[0].Predict(x) && len(tr.Nodes()) == len(trees[0].Nodes()) {
			same++
		}
	}
	if same > 10 {
		t.Errorf("%d of 99 bootstrap trees look identical to tree 0", same)
	}
	// Without bootstrap and with all features, every tree is the same.
	p := DefaultForestParams()
	p.Bootstrap, p.NEstimators = false, 5
	g, _ := p.FitForest(X, y, FitOptions{Seed: 1})
	t0, _ := g.Trees()[0].MarshalBinary()
	for _, tr := range g.Trees()[1:] {
		if b, _ := tr.MarshalBinary(); !bytes.Equal(b, t0) {
			t.Error("trees differ without bootstrap")
		}
	}
}

func TestForestPredictIsTreeMean(t *testing.T) {
	X, y := randomData(6, 150, 2, 40)
	f, err := ForestParams{NEstimators: 7, Bootstrap: true, TreeParams: DefaultTreeParams()}.FitForest(X, y, FitOptions{Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	pred := f.PredictBatch(X[:20], nil)
	for i, x := range X[:20] {
		if p := f.Predict(x); p != pred[i] {
			t.Errorf("row %d: PredictBatch %v != Predict %v", i, pred[i], p)
		}
		var s float64
		for _, tr := range f.Trees() {
			s += tr.Predict(x)
		}
		if want := s / 7; math.Abs(pred[i]-want) > 1e-12 {
			t.Errorf("row %d: %v, want %v", i, pred[i], want)
		}
	}
}
