package forest_test

import (
	"fmt"

	"github.com/vidur-go/vidur-go/forest"
)

func ExampleForestParams_FitForest() {
	// Runtime (ms) of an operator as a step function of the token count.
	var X [][]float64
	var y []float64
	for tokens := 1; tokens <= 64; tokens++ {
		X = append(X, []float64{float64(tokens)})
		y = append(y, 0.01*float64((tokens+15)/16))
	}
	p := forest.DefaultForestParams()
	p.NEstimators, p.MaxDepth = 50, 8
	f, err := p.FitForest(X, y, forest.FitOptions{Seed: 1})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%.3f %.3f\n", f.Predict([]float64{8}), f.Predict([]float64{60}))
	// Output: 0.010 0.040
}

func ExampleGridSearch() {
	var X [][]float64
	var y []float64
	for tokens := 1; tokens <= 40; tokens++ {
		X = append(X, []float64{float64(tokens)})
		y = append(y, 0.5+0.02*float64(tokens)) // linear in tokens
	}
	res, err := forest.GridSearch(X, y, forest.VidurLinearGrid().Candidates(), forest.SearchOptions{})
	if err != nil {
		panic(err)
	}
	// Several candidates fit a line exactly; the first with the lowest
	// mean CV MAPE wins.
	fmt.Println(len(res.Candidates), res.Folds, res.MeanMAPE[res.Best] < 1e-9)
	fmt.Printf("%.2f\n", res.Model.Predict([]float64{100}))
	// Output:
	// 40 10 true
	// 2.50
}
