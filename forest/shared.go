package forest

import (
	"context"
	"sync"
)

// combo is one (depth limit, min_samples_split) pair of the candidates.
type combo struct{ depth, mss int }

// sharedFold is one CV fold's state in searchShared.
type sharedFold struct {
	train  []int
	testX  [][]float64
	testY  []float64
	sorted [][]int32
	sums   [][]float64 // [combo][test row]: Σ over trees so far
}

// searchShared evaluates forest candidates that differ only in NEstimators,
// MaxDepth and MinSamplesSplit from one forest per fold (see GridSearch).
// Trees are grown in waves of `workers` (fold-major order); each wave's
// per-tree test predictions are added to the fold sums in tree order, so the
// sums are bit-identical to Forest.Predict's and independent of workers.
func searchShared(ctx context.Context, d *dataset, folds []Fold, cands []Estimator, full ForestParams, seed uint64, workers int, res *SearchResult, prog *progress) error {
	var combos []combo
	candCombo := make([]int, len(cands))
	byN := map[int][]int{} // n_estimators -> candidates
	for c, e := range cands {
		p := e.(ForestParams)
		cb := combo{p.maxDepth(), p.MinSamplesSplit}
		idx := -1
		for i, x := range combos {
			if x == cb {
				idx = i
			}
		}
		if idx < 0 {
			idx = len(combos)
			combos = append(combos, cb)
		}
		candCombo[c] = idx
		byN[p.NEstimators] = append(byN[p.NEstimators], c)
	}
	fs := make([]*sharedFold, len(folds))
	for k, f := range folds {
		sf := &sharedFold{train: f.Train, sorted: presort(d, f.Train), testY: make([]float64, len(f.Test))}
		for j, r := range f.Test {
			x := make([]float64, d.features())
			d.row(r, x)
			sf.testX = append(sf.testX, x)
			sf.testY[j] = d.y[r]
		}
		sf.sums = make([][]float64, len(combos))
		for c := range sf.sums {
			sf.sums[c] = make([]float64, len(f.Test))
		}
		fs[k] = sf
	}
	type slot struct {
		fold    int
		b       *builder
		w       []float64
		pathV   []float64
		pathS   []int32
		buf     [][]float64 // [combo][test row] this tree's predictions
		tree    int
		pending bool
	}
	slots := make([]slot, workers)
	for i := range slots {
		slots[i].fold = -1
		slots[i].w = make([]float64, d.rows())
		slots[i].buf = make([][]float64, len(combos))
	}
	nTrees := full.NEstimators
	total := len(folds) * nTrees
	pred := make([]float64, 0)
	for start := 0; start < total; start += workers {
		if err := ctx.Err(); err != nil {
			return err
		}
		var wg sync.WaitGroup
		for j := range slots {
			task := start + j
			s := &slots[j]
			s.pending = task < total
			if !s.pending {
				continue
			}
			k, t := task/nTrees, task%nTrees
			s.tree = t
			if s.fold != k {
				s.fold = k
				s.b = newBuilder(d, fs[k].sorted, full.TreeParams)
				for c := range s.buf {
					s.buf[c] = make([]float64, len(fs[k].testY))
				}
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				sf := fs[s.fold]
				rng := streamRand(seed, uint64(t))
				full.weights(s.w, sf.train, rng)
				tree := s.b.buildScratch(s.w, rng)
				for r, x := range sf.testX {
					s.pathV, s.pathS = tree.path(x, s.pathV[:0], s.pathS[:0])
					leaf := len(s.pathV) - 1
					for c, cb := range combos {
						stop := min(cb.depth, leaf)
						for i := 0; i < stop; i++ {
							if int(s.pathS[i]) < cb.mss {
								stop = i
								break
							}
						}
						s.buf[c][r] = s.pathV[stop]
					}
				}
			}()
		}
		wg.Wait()
		done := 0
		for j := range slots {
			s := &slots[j]
			if !s.pending {
				continue
			}
			done++
			sf := fs[s.fold]
			for c := range combos {
				sum := sf.sums[c]
				for r, v := range s.buf[c] {
					sum[r] += v
				}
			}
			n := s.tree + 1
			for _, c := range byN[n] {
				sum := sf.sums[candCombo[c]]
				pred = pred[:0]
				for _, v := range sum {
					pred = append(pred, v/float64(n))
				}
				res.FoldMAPE[c][s.fold] = MAPE(sf.testY, pred)
			}
		}
		prog.stepN(done)
	}
	return nil
}

// path appends the value and sample count of every node from the root to
// x's leaf.
func (t *Tree) path(x []float64, vals []float64, samples []int32) ([]float64, []int32) {
	nodes := t.nodes
	i := int32(0)
	for {
		n := &nodes[i]
		vals = append(vals, n.Value)
		samples = append(samples, n.Samples)
		if n.Left < 0 {
			return vals, samples
		}
		if x[n.Feature] <= n.Threshold {
			i = n.Left
		} else {
			i = n.Right
		}
	}
}
