package forest

import (
	"bytes"
	"errors"
	"testing"
)

func TestCodecRoundTrip(t *testing.T) {
	X, y := randomData(12, 120, 2, 30)
	tr, _ := DefaultTreeParams().FitTree(X, y, 1)
	fo, _ := ForestParams{NEstimators: 4, Bootstrap: true, TreeParams: TreeParams{MaxDepth: 5, MinSamplesSplit: 3, MinSamplesLeaf: 2, MaxFeatures: 0.5}}.FitForest(X, y, FitOptions{Seed: 2})
	li, _ := LinearParams{Degree: 3, InteractionOnly: true, FitIntercept: true}.FitLinear(X, y)
	for _, m := range []Regressor{tr, fo, li} {
		b, err := MarshalModel(m)
		if err != nil {
			t.Fatal(err)
		}
		back, err := UnmarshalModel(b)
		if err != nil {
			t.Fatalf("%T: %v", m, err)
		}
		b2, _ := MarshalModel(back)
		if !bytes.Equal(b, b2) {
			t.Errorf("%T: re-encoding differs", m)
		}
		for _, x := range X {
			if back.Predict(x) != m.Predict(x) {
				t.Fatalf("%T: prediction differs after decoding", m)
			}
		}
		// Every truncation and a trailing byte are errors, never panics.
		for n := range len(b) {
			if _, err := UnmarshalModel(b[:n]); !errors.Is(err, ErrFormat) {
				t.Fatalf("%T truncated to %d bytes: err = %v, want ErrFormat", m, n, err)
			}
		}
		if _, err := UnmarshalModel(append(b, 0)); !errors.Is(err, ErrFormat) {
			t.Errorf("%T with a trailing byte: err = %v", m, err)
		}
	}
	if fo.Params().MaxFeatures != 0.5 {
		t.Error("params lost")
	}
}

func TestCodecRejectsCycles(t *testing.T) {
	tr, _ := DefaultTreeParams().FitTree(column(1, 2, 3), []float64{1, 2, 3}, 1)
	b, _ := tr.MarshalBinary()
	// Point the root's left child at itself: offset 4 magic + 4 nf + 4 count + 16.
	b[28] = 0
	if _, err := UnmarshalModel(b); !errors.Is(err, ErrFormat) {
		t.Errorf("self-loop: err = %v, want ErrFormat", err)
	}
}

// FuzzUnmarshalModel checks that arbitrary bytes (e.g. a corrupted artifact)
// never panic the decoder, and that anything accepted re-encodes to the same
// bytes and predicts without panicking or looping.
func FuzzUnmarshalModel(f *testing.F) {
	X, y := randomData(1, 30, 2, 10)
	tr, _ := DefaultTreeParams().FitTree(X, y, 1)
	fo, _ := ForestParams{NEstimators: 2, Bootstrap: true, TreeParams: TreeParams{MaxDepth: 3, MinSamplesSplit: 2, MinSamplesLeaf: 1}}.FitForest(X, y, FitOptions{Seed: 1})
	li, _ := LinearParams{Degree: 2, IncludeBias: true}.FitLinear(X, y)
	for _, m := range []Regressor{tr, fo, li} {
		b, _ := MarshalModel(m)
		f.Add(b)
	}
	f.Add([]byte("VGF1"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := UnmarshalModel(b)
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error %v does not wrap ErrFormat", err)
			}
			return
		}
		again, err := MarshalModel(m)
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("accepted bytes do not re-encode identically (err %v)", err)
		}
		m.Predict(make([]float64, m.NumFeatures()))
	})
}
