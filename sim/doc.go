// Package sim is vidur-go's discrete-event simulator of an LLM serving
// cluster, a reimplementation of Microsoft Vidur's simulator core (see
// ../shared/spec/vidur-behaviour.md §3–§8, §10). Requests arrive, a global
// scheduler routes them to replicas, each replica's scheduler forms batches
// under a paged KV-cache budget, batches flow through pipeline stages whose
// durations come from a predictor.BatchTimer, and metrics are collected.
//
// Fidelity: event ordering, memory planning, every replica scheduler's
// decisions and the request state machine are Vidur's, so the same inputs
// give the same batches (TestGoldenSarathi compares against Vidur's own
// outputs). Deliberate differences are listed in
// docs/differences-from-vidur.md.
//
// Entry points, from cheapest to most convenient:
//
//   - Simulate(params, requests, timer, rng): one run on resolved inputs,
//     no files; what the deployment search calls thousands of times.
//   - Prepare(config, timer) then (*Setup).Run: resolve a Config against
//     the model and hardware catalogs, generate the workload, load the
//     predictor artifact (or build the analytical fallback) once, run many
//     times.
//   - Run(config, timer): both in one call.
//
// Package layout: event (the (time, id) heap), cluster (requests, batches,
// replicas), scheduler (routers and replica schedulers), memory (the KV
// memory planner), metrics (collection and exact quantiles), output (files,
// trace, plots).
package sim
