// Command gotrain is the Go half of the scikit-learn comparison: it trains
// every operator model of Meta-Llama-3-8B / a100 / TP1 with forest.GridSearch
// over Vidur's default grid (27 candidates, 10 folds) on the training rows of
// the hold-out split written by vidur_grid.py, and reports wall time, peak
// memory and hold-out MAPE per operator. With -sklearn it also refits the
// parameters scikit-learn chose and scores them on the same split.
//
//	go run ./bench/sklearn/gotrain -data $VIDUR_DATA -split /tmp/vidur-bench/split.json \
//	    -sklearn /tmp/vidur-bench/sklearn.json
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/vidur-go/vidur-go/bench/sklearn/opdata"
	"github.com/vidur-go/vidur-go/forest"
)

type split struct {
	Ops map[string]struct {
		Rows int     `json:"rows"`
		YSum float64 `json:"y_sum"`
		Test []int   `json:"test"`
	} `json:"ops"`
}

type skResult struct {
	Ops map[string]struct {
		Best struct {
			MaxDepth        int `json:"max_depth"`
			MinSamplesSplit int `json:"min_samples_split"`
			NEstimators     int `json:"n_estimators"`
		} `json:"best"`
		HoldoutMAPE float64 `json:"holdout_mape"`
		FullGridS   float64 `json:"full_grid_s"`
		Mode        string  `json:"mode"`
	} `json:"ops"`
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	return nil
}

func main() {
	data := flag.String("data", os.Getenv("VIDUR_DATA"), "Vidur data root")
	splitPath := flag.String("split", "/tmp/vidur-bench/split.json", "hold-out split from vidur_grid.py")
	skPath := flag.String("sklearn", "", "sklearn.json from vidur_grid.py (optional)")
	seed := flag.Uint64("seed", 1, "forest seed")
	workers := flag.Int("workers", 0, "goroutines (0 = GOMAXPROCS)")
	only := flag.String("ops", "", "comma-separated operators (default: all in the split)")
	noShared := flag.Bool("no-shared-trees", false, "fit every (candidate, fold) separately (same result, slower)")
	flag.Parse()
	opts := forest.SearchOptions{Seed: *seed, Workers: *workers, NoSharedTrees: *noShared}
	if err := run(*data, *splitPath, *skPath, *only, opts); err != nil {
		fmt.Fprintln(os.Stderr, "gotrain:", err)
		os.Exit(1)
	}
}

func run(data, splitPath, skPath, only string, opts forest.SearchOptions) error {
	seed, workers := opts.Seed, opts.Workers
	var sp split
	if err := readJSON(splitPath, &sp); err != nil {
		return err
	}
	var sk skResult
	if skPath != "" {
		if err := readJSON(skPath, &sk); err != nil {
			return err
		}
	}
	ops, err := opdata.Load(data)
	if err != nil {
		return err
	}
	fmt.Printf("GOMAXPROCS=%d workers=%d seed=%d shared-trees=%v\n", runtime.GOMAXPROCS(0), workers, seed, !opts.NoSharedTrees)
	fmt.Printf("%-26s %6s %9s %-28s %9s %9s %9s\n", "op", "rows", "train_s", "best (depth,split,trees)", "go_MAPE", "sk_MAPE", "go@skbest")
	var total time.Duration
	for _, op := range ops {
		s, ok := sp.Ops[op.Name]
		if !ok || (only != "" && !slices.Contains(strings.Split(only, ","), op.Name)) {
			continue
		}
		var ysum float64
		for _, y := range op.Y {
			ysum += y
		}
		if s.Rows != len(op.Y) || math.Abs(s.YSum-ysum) > 1e-6*math.Abs(ysum) {
			return fmt.Errorf("%s: split has %d rows (Σy %g), data has %d (Σy %g): not the same data set", op.Name, s.Rows, s.YSum, len(op.Y), ysum)
		}
		isTest := make([]bool, len(op.Y))
		for _, i := range s.Test {
			isTest[i] = true
		}
		var trX, teX [][]float64
		var trY, teY []float64
		for i := range op.Y {
			if isTest[i] {
				teX, teY = append(teX, op.X[i]), append(teY, op.Y[i])
			} else {
				trX, trY = append(trX, op.X[i]), append(trY, op.Y[i])
			}
		}
		start := time.Now()
		res, err := forest.GridSearch(trX, trY, forest.VidurForestGrid().Candidates(), opts)
		if err != nil {
			return fmt.Errorf("%s: %w", op.Name, err)
		}
		el := time.Since(start)
		total += el
		hold := forest.MAPE(teY, forest.PredictBatch(res.Model, teX, nil))
		b := res.BestEstimator().(forest.ForestParams)
		skM, goAtSk := math.NaN(), math.NaN()
		if r, ok := sk.Ops[op.Name]; ok {
			skM = r.HoldoutMAPE
			p := forest.DefaultForestParams()
			p.MaxDepth, p.MinSamplesSplit, p.NEstimators = r.Best.MaxDepth, r.Best.MinSamplesSplit, r.Best.NEstimators
			m, err := p.FitForest(trX, trY, forest.FitOptions{Seed: seed, Workers: workers})
			if err != nil {
				return fmt.Errorf("%s: %w", op.Name, err)
			}
			goAtSk = forest.MAPE(teY, forest.PredictBatch(m, teX, nil))
		}
		fmt.Printf("%-26s %6d %9.2f %-28s %9.3f %9.3f %9.3f\n", op.Name, len(op.Y), el.Seconds(),
			fmt.Sprintf("%d,%d,%d", b.MaxDepth, b.MinSamplesSplit, b.NEstimators), hold, skM, goAtSk)
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return err
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("total grid-search wall time %.2f s; peak RSS %.1f MiB; Go heap sys %.1f MiB; total allocated %.1f MiB\n",
		total.Seconds(), float64(ru.Maxrss)/1024, float64(ms.HeapSys)/(1<<20), float64(ms.TotalAlloc)/(1<<20))
	return nil
}
