package forest_test

import (
	"math"
	"math/rand/v2"
	"os"
	"sync"
	"testing"

	"github.com/vidur-go/vidur-go/bench/sklearn/opdata"
	"github.com/vidur-go/vidur-go/forest"
)

// benchOps returns mlp_up_proj, attn_prefill and attn_decode for
// Meta-Llama-3-8B/a100/TP1 from VIDUR_DATA, or synthetic sets of the same
// shape (456, ~2.4k and ~15.6k rows) when VIDUR_DATA is unset.
var benchOps = sync.OnceValues(func() (map[string]opdata.Op, error) {
	out := map[string]opdata.Op{}
	if root := os.Getenv("VIDUR_DATA"); root != "" {
		ops, err := opdata.Load(root)
		if err != nil {
			return nil, err
		}
		for _, op := range ops {
			out[op.Name] = op
		}
		return out, nil
	}
	rng := rand.New(rand.NewPCG(1, 2))
	noise := func() float64 { return 1 + 0.03*rng.NormFloat64() }
	mlp := opdata.Op{Name: "mlp_up_proj"}
	for i := range 456 {
		tok := float64(1 + i*9)
		mlp.X = append(mlp.X, []float64{tok})
		mlp.Y = append(mlp.Y, (0.01+2e-4*tok)*noise())
	}
	pre := opdata.Op{Name: "attn_prefill"}
	for chunk := 16.0; chunk <= 4096; chunk *= 1.25 {
		for kv := 0.0; kv <= 16384-chunk; kv += 256 {
			pre.X = append(pre.X, []float64{kv, chunk * chunk})
			pre.Y = append(pre.Y, (0.01+1e-8*chunk*chunk+3e-8*chunk*kv)*noise())
		}
	}
	dec := opdata.Op{Name: "attn_decode"}
	for bs := 1.0; bs <= 128; bs++ {
		for kv := 64.0; kv <= 8192*1.5; kv *= 1.04 {
			dec.X = append(dec.X, []float64{bs, math.Round(kv)})
			dec.Y = append(dec.Y, (0.01+2e-6*bs*kv/64)*noise())
		}
	}
	out[mlp.Name], out[pre.Name], out[dec.Name] = mlp, pre, dec
	return out, nil
})

func benchOp(b *testing.B, name string) opdata.Op {
	ops, err := benchOps()
	if err != nil {
		b.Fatal(err)
	}
	return ops[name]
}

// BenchmarkFitForest fits one Vidur candidate (250 trees, max_depth 16,
// min_samples_split 2) on all rows of each operator.
func BenchmarkFitForest(b *testing.B) {
	for _, name := range []string{"mlp_up_proj", "attn_prefill", "attn_decode"} {
		b.Run(name, func(b *testing.B) {
			op := benchOp(b, name)
			p := forest.DefaultForestParams()
			p.NEstimators, p.MaxDepth = 250, 16
			for b.Loop() {
				if _, err := p.FitForest(op.X, op.Y, forest.FitOptions{Seed: 1}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(op.Y)), "rows")
		})
	}
}

// BenchmarkGridSearch runs Vidur's full forest search (27 candidates, 10
// folds, refit) per operator, and the 40-candidate linear search.
func BenchmarkGridSearch(b *testing.B) {
	for _, name := range []string{"mlp_up_proj", "attn_prefill", "attn_decode"} {
		b.Run("forest/"+name, func(b *testing.B) {
			op := benchOp(b, name)
			for b.Loop() {
				if _, err := forest.GridSearch(op.X, op.Y, forest.VidurForestGrid().Candidates(), forest.SearchOptions{Seed: 1}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("linear/attn_decode", func(b *testing.B) {
		op := benchOp(b, "attn_decode")
		for b.Loop() {
			if _, err := forest.GridSearch(op.X, op.Y, forest.VidurLinearGrid().Candidates(), forest.SearchOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkPredict times one prediction of a 750-tree, depth-32 forest and of
// a degree-5 polynomial; both must report 0 allocs/op.
func BenchmarkPredict(b *testing.B) {
	op := benchOp(b, "attn_decode")
	p := forest.DefaultForestParams()
	p.NEstimators, p.MaxDepth = 750, 32
	f, err := p.FitForest(op.X, op.Y, forest.FitOptions{Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	l, err := forest.LinearParams{Degree: 5, IncludeBias: true, FitIntercept: true}.FitLinear(op.X, op.Y)
	if err != nil {
		b.Fatal(err)
	}
	// Vidur's decode prediction grid: batch 1..128 × kv 0..4096 step 64.
	var grid [][]float64
	for bs := 1; bs <= 128; bs++ {
		for kv := 0; kv <= 4096; kv += 64 {
			grid = append(grid, []float64{float64(bs), float64(kv)})
		}
	}
	dst := make([]float64, len(grid))
	nodes := 0
	for _, t := range f.Trees() {
		nodes += len(t.Nodes())
	}
	enc, _ := f.MarshalBinary()
	b.Run("forest750-batch-decode-grid", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			f.PredictBatch(grid, dst)
		}
		b.ReportMetric(float64(nodes), "nodes")
		b.ReportMetric(float64(len(enc))/(1<<20), "MiB-encoded")
		b.ReportMetric(float64(len(grid)), "rows")
	})
	for _, m := range []struct {
		name string
		r    forest.Regressor
	}{{"forest750", f}, {"linear5", l}} {
		b.Run(m.name, func(b *testing.B) {
			b.ReportAllocs()
			var s float64
			i := 0
			for b.Loop() {
				s += m.r.Predict(op.X[i])
				i = (i + 1) % len(op.X)
			}
			_ = s
		})
	}
}
