package predictor

import (
	"fmt"
	"math"
)

// TableDiff compares one operator's table in two artifacts.
type TableDiff struct {
	Op     string
	Points int
	// MAPE is the mean of |a − b| / b · 100 over the grid points both
	// artifacts cover (b is the reference; points where b is 0 count 0 if a
	// is 0, else 100, like Vidur's MAPE); MaxAPE its maximum.
	MAPE, MaxAPE float64
}

// CompareTables compares every operator the two artifacts share, on the
// grid points both cover, with ref as the reference. Operators only one
// artifact has are skipped.
func CompareTables(a, ref *Artifact) ([]TableDiff, error) {
	ga, gr := a.Header.Grid, ref.Header.Grid
	if ga.KVGranularity != gr.KVGranularity {
		return nil, fmt.Errorf("artifacts have kv granularities %d and %d; compare needs the same step", ga.KVGranularity, gr.KVGranularity)
	}
	common := Grid{MaxTokens: min(ga.MaxTokens, gr.MaxTokens), MaxBatchSize: min(ga.MaxBatchSize, gr.MaxBatchSize),
		MaxKVTokens: min(ga.MaxKVTokens, gr.MaxKVTokens), KVGranularity: ga.KVGranularity, MaxPrefillChunk: min(ga.MaxPrefillChunk, gr.MaxPrefillChunk)}
	var out []TableDiff
	for _, o := range ref.Header.Ops {
		if _, ok := a.Table(o.Name); !ok {
			continue
		}
		kind, _ := KindOf(o.Name)
		d := TableDiff{Op: o.Name}
		add := func(key ...int) {
			x, ok1 := a.Lookup(o.Name, key...)
			y, ok2 := ref.Lookup(o.Name, key...)
			if !ok1 || !ok2 {
				return
			}
			ape := 0.0
			switch {
			case y != 0:
				ape = math.Abs(x-y) / y * 100
			case x != 0:
				ape = 100
			}
			d.Points++
			d.MAPE += ape
			d.MaxAPE = math.Max(d.MaxAPE, ape)
		}
		switch kind {
		case KindTokens:
			for n := 1; n <= common.MaxTokens; n++ {
				add(n)
			}
		case KindBatch:
			for n := 1; n <= common.MaxBatchSize; n++ {
				add(n)
			}
		case KindDecode:
			for b := 1; b <= common.MaxBatchSize; b++ {
				for kv := 0; kv <= common.MaxKVTokens; kv += common.KVGranularity {
					add(b, kv)
				}
			}
		case KindPrefill:
			for kv := 0; kv <= common.MaxKVTokens; kv += common.KVGranularity {
				for c := 1; c <= common.MaxPrefillChunk; c++ {
					add(kv, c)
				}
			}
		}
		if d.Points > 0 {
			d.MAPE /= float64(d.Points)
		}
		out = append(out, d)
	}
	return out, nil
}
