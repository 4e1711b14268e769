// Package search finds the cheapest deployment of an LLM that meets latency
// SLOs: it expands a search space (models × clusters × parallelism ×
// replica schedulers and their knobs) into configurations, drops the
// infeasible ones with a reason, finds each configuration's capacity — the
// highest request rate (QPS) whose simulation meets every SLO at once — by
// bracketing and bisection, and ranks the configurations by cost (QPS per
// dollar, cost per million output tokens) with a Pareto frontier.
//
// It is the Go counterpart of Vidur's config optimizer (spec §11), with
// three deliberate differences: every SLO (by default TTFT p90 ≤ 2 s, TBT
// p99 ≤ 200 ms and scheduling delay p99 ≤ 5 s) is checked during the
// capacity search, not only scheduling delay with the others applied
// afterwards; the bisection stops at a stated relative tolerance; and the
// results are persisted as each configuration finishes (JSON lines, synced)
// so that an interrupted search resumes, and a search split into shards
// (configuration i goes to shard i mod N) merges into the same report as an
// unsharded one.
//
// The simulator sits behind the small Evaluator interface (one simulation
// at one QPS → the SLO metrics), and the model/hardware/predictor catalogs
// behind Catalog, so the package is tested with fakes and the command wires
// in the real simulator.
//
// The flow:
//
//	space, _ := search.ParseSpace(data, "space.yaml")     // strict YAML
//	exp, _ := search.Expand(space, catalog)                // points + infeasible
//	res, _ := search.Run(ctx, space, exp, evaluator, opts) // capacity per point
//	rep := search.NewReport(space, res.Records)            // cost, Pareto, best
//	_ = rep.WriteDir(dir)
package search
