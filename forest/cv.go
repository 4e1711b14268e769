package forest

import (
	"fmt"
	"math"
)

// Fold is one train/test split of k-fold cross-validation: row indices in
// ascending order.
type Fold struct {
	Train, Test []int
}

// KFold splits rows 0..n-1 like scikit-learn's KFold(nSplits) without
// shuffling: fold i tests a contiguous block; the first n%nSplits folds have
// n/nSplits+1 rows, the others n/nSplits; the training rows are all others,
// in order. It returns an error unless 2 <= nSplits <= n.
func KFold(n, nSplits int) ([]Fold, error) {
	if nSplits < 2 {
		return nil, fmt.Errorf("k-fold: %d splits: want >= 2", nSplits)
	}
	if nSplits > n {
		return nil, fmt.Errorf("k-fold: cannot have %d splits with only %d rows", nSplits, n)
	}
	folds := make([]Fold, nSplits)
	start := 0
	for i := range folds {
		size := n / nSplits
		if i < n%nSplits {
			size++
		}
		f := Fold{Test: make([]int, 0, size), Train: make([]int, 0, n-size)}
		for r := range n {
			if r >= start && r < start+size {
				f.Test = append(f.Test, r)
			} else {
				f.Train = append(f.Train, r)
			}
		}
		folds[i] = f
		start += size
	}
	return folds, nil
}

// VidurFolds returns the number of CV folds Vidur uses for n rows:
// 2 if n < kFoldSplits, else kFoldSplits (spec §9.2; Vidur's default
// k_fold_cv_splits is 10).
func VidurFolds(n, kFoldSplits int) int {
	if n < kFoldSplits {
		return 2
	}
	return kFoldSplits
}

// MAPE is Vidur's mean absolute percentage error, in percent:
// mean over rows of |(y−ŷ)/y|·100, where a row with y == 0 counts 0 if
// ŷ == 0 and 100 otherwise. len(pred) must equal len(y); MAPE of no rows is
// NaN.
func MAPE(y, pred []float64) float64 {
	if len(y) != len(pred) {
		panic(fmt.Sprintf("forest: MAPE got %d targets and %d predictions", len(y), len(pred)))
	}
	if len(y) == 0 {
		return math.NaN()
	}
	var s float64
	for i, t := range y {
		s += ape(t, pred[i])
	}
	return s / float64(len(y))
}

// ape is one row's absolute percentage error under Vidur's zero rule.
func ape(y, pred float64) float64 {
	if y == 0 {
		if pred == 0 {
			return 0
		}
		return 100
	}
	return math.Abs((y-pred)/y) * 100
}
