package forest

import (
	"fmt"
	"math"
	"testing"
)

func TestKFoldMatchesSklearn(t *testing.T) {
	// sklearn: [test.tolist() for _, test in KFold(10).split(range(23))]
	want := "[[0 1 2] [3 4 5] [6 7 8] [9 10] [11 12] [13 14] [15 16] [17 18] [19 20] [21 22]]"
	folds, err := KFold(23, 10)
	if err != nil {
		t.Fatal(err)
	}
	var tests [][]int
	for i, f := range folds {
		tests = append(tests, f.Test)
		if len(f.Train)+len(f.Test) != 23 {
			t.Errorf("fold %d: %d train + %d test != 23", i, len(f.Train), len(f.Test))
		}
		for _, r := range f.Train {
			if r >= f.Test[0] && r <= f.Test[len(f.Test)-1] {
				t.Errorf("fold %d: row %d in train and test", i, r)
			}
		}
	}
	if got := fmt.Sprint(tests); got != want {
		t.Errorf("test folds %s, want %s", got, want)
	}
	for _, tc := range [][2]int{{5, 1}, {3, 4}, {0, 2}} {
		if _, err := KFold(tc[0], tc[1]); err == nil {
			t.Errorf("KFold(%d, %d): want an error", tc[0], tc[1])
		}
	}
	if VidurFolds(9, 10) != 2 || VidurFolds(10, 10) != 10 {
		t.Error("VidurFolds: want 2 below 10 rows, 10 from 10 rows")
	}
}

func TestMAPE(t *testing.T) {
	for _, tc := range []struct {
		name    string
		y, pred []float64
		want    float64
	}{
		{"exact", []float64{1, 2}, []float64{1, 2}, 0},
		{"ten-percent", []float64{10, 20}, []float64{11, 18}, 10},
		{"zero-y-zero-pred", []float64{0, 1}, []float64{0, 1}, 0},
		{"zero-y-nonzero-pred", []float64{0, 1}, []float64{1e-9, 1}, 50},
		{"negative-y-uses-abs", []float64{-2}, []float64{-1}, 50},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := MAPE(tc.y, tc.pred); math.Abs(got-tc.want) > 1e-12 {
				t.Errorf("MAPE = %v, want %v", got, tc.want)
			}
		})
	}
	if !math.IsNaN(MAPE(nil, nil)) {
		t.Error("MAPE of no rows: want NaN")
	}
}
