package metrics

import (
	"math"
	"slices"
	"testing"

	"github.com/vidur-go/vidur-go/sim/rng"
)

// Quantiles (selection) equals Quantile on the sorted copy, bit for bit,
// with ties, tiny and large samples.
func TestQuantilesMatchSortedQuantile(t *testing.T) {
	qs := []float64{0, 0.5, 0.9, 0.99, 0.999, 1, 0.25}
	py := rng.NewPython(5)
	for trial := range 400 {
		n := py.RandBelow(3000)
		if trial%10 == 0 {
			n = py.RandBelow(5)
		}
		v := make([]float64, n)
		for i := range v {
			switch trial % 3 {
			case 0:
				v[i] = py.Random()
			case 1:
				v[i] = float64(py.RandBelow(7)) // many ties
			default:
				v[i] = 0.05 // all equal
			}
		}
		sorted := slices.Clone(v)
		slices.Sort(sorted)
		got := Quantiles(v, qs)
		for i, q := range qs {
			want := Quantile(sorted, q)
			if got[i] != want && !(math.IsNaN(got[i]) && math.IsNaN(want)) {
				t.Fatalf("n=%d q=%g: Quantiles %v, Quantile %v", n, q, got[i], want)
			}
		}
	}
}

func BenchmarkQuantiles(b *testing.B) {
	py := rng.NewPython(1)
	src := make([]float64, 580_000)
	for i := range src {
		src[i] = py.Random()
	}
	v := make([]float64, len(src))
	qs := []float64{0.5, 0.9, 0.99, 1}
	b.Run("select", func(b *testing.B) {
		for b.Loop() {
			copy(v, src)
			Quantiles(v, qs)
		}
	})
	b.Run("sort", func(b *testing.B) {
		for b.Loop() {
			copy(v, src)
			slices.Sort(v)
			for _, q := range qs {
				Quantile(v, q)
			}
		}
	})
}
