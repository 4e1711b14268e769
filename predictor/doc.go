// Package predictor turns profiled operator timings into runtime
// predictions: per-operator models (which profile rows, which features,
// which target; spec §9.1), dense prediction tables over Vidur's grid
// (§9.3), versioned artifacts on disk, and the batch execution-time model of
// §8.2 that the simulator calls through BatchTimer.
package predictor
