// Package output writes a simulation's results to a directory:
// summary.json, requests.csv, batches.csv, config.yaml, a Chrome/Perfetto
// trace (trace.json) and PNG plots, all through internal/atomicfile. File
// contents depend only on the simulation (no wall-clock time, no map
// order), so the same configuration and seed give byte-identical files.
// docs/metrics.md defines every file and column.
package output
