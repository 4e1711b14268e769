// Package predictor turns profiled operator timings into runtime
// predictions: per-operator models (which profile rows, which features,
// which target; spec §9.1), dense prediction tables over Vidur's grid
// (§9.3), versioned artifacts on disk, and the batch execution-time model of
// §8.2 that the simulator calls through BatchTimer.
//
// # Batch execution time
//
// Timer (built by NewTimer from an *Artifact and a TimerConfig; Vidur's
// defaults come from DefaultTimerConfig) implements BatchTimer with Vidur's
// exact arithmetic: token tables are read at ceil_to(Σtokens, 8) (the
// kv-cache save at the exact Σ), decode attention at (B_d,
// ceil_to(trunc(mean processed), 64)), prefill attention at
// (Σ ceil_to(processed, 64), round(√Σc²)), batching overheads only for GQA
// models, the all-reduce twice per layer, send/recv on non-last stages, and
// the sum taken left to right. StageTime allocates nothing; a lookup outside
// the grid returns a *GridError (errors.Is ErrOutOfGrid) that names the
// operator, key and limit and the flag that enlarges the grid.
//
// # Artifacts
//
// An Artifact holds one dense float64 table (ms) per operator plus a JSON
// Header (model and its config, device, node, TP, grid, per-operator
// provenance, predictor, hyper-parameters, MAPEs, source files with sha256,
// tool version, seed). Save writes it atomically in a versioned, checksummed
// binary format (docs/artifact-format.md); Load verifies it. Identical
// content gives identical bytes. ArtifactFileName, DefaultDir and Find give
// the naming convention the simulator uses to locate the artifact of a
// (model, device, node, TP).
//
// # Sources of tables
//
//   - ImportVidurPredictions copies Vidur's cached prediction CSVs bit for
//     bit (the golden fidelity path).
//   - Fit trains one model per operator from profiles (MLPDatasets,
//     AttentionDatasets, AllReduceDataset, SendRecvDataset,
//     CPUOverheadDatasets reproduce Vidur's row filters, features, targets
//     and drop_duplicates), by Vidur's k-fold grid search (TrainOp, with a
//     seeded 20 % hold-out MAPE), and evaluates it on the grid
//     (PredictTable). Same inputs and seed give identical bytes.
//   - Analytical / AnalyticalOnGrid / DefaultAnalytical build roofline
//     tables (OpWork, OpTimeMs) with efficiency factors fitted by Calibrate
//     (least squares on log-times) and shipped in
//     data/calibration/efficiency.json; Fit uses them for attention when a
//     model has no attention profile, marking those ops "analytical".
//
// vidur-train (internal/traincmd) wraps all of these: fit, eval, inspect,
// import-vidur, analytical, calibrate, compare.
package predictor
