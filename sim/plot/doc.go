// Package plot renders the PNG figures vidur-go writes: empirical CDFs of
// latency samples, step-line time series (memory, busy time, queue length),
// histograms, and labelled scatter plots with a highlighted Pareto front
// (deployment search: capacity per dollar against latency). It is a thin
// layer on gonum.org/v1/plot.
//
//	err := plot.CDF("out/ttft_cdf.png", "Time to first token", "TTFT (s)",
//		plot.Series{Name: "sarathi", Values: ttft})
//
// Every function writes its file atomically (internal/atomicfile) and
// returns an error naming the file, or naming the series and index of a
// non-finite value. Output is deterministic: the same input gives the same
// PNG bytes (gonum's rasteriser and image/png are deterministic; tests
// render twice and compare bytes).
//
// Cost is bounded for large inputs: a CDF of more than CDFPoints samples is
// drawn through CDFPoints+1 quantiles (the sample sorted once, O(n log n)),
// and a time series of more than MaxLinePoints points keeps, in each of
// MaxLinePoints/2 buckets, the minimum and maximum y (so spikes survive).
// Figures are 6×4 inches at 96 dpi (576×384 pixels).
package plot
