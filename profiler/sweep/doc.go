// Package sweep plans operator-timing sweeps: for a set of models, tensor-
// parallel degrees and a maximum context, the unique per-device shapes to
// measure (linear projections, norms, activation, rotary, residual add,
// attention prefill and decode, KV-cache writes, collectives) and the rows
// of Vidur's mlp.csv / attention.csv / all_reduce.csv / send_recv.csv each
// measurement feeds.
//
// By default the grids are Vidur's (spec §12): 259 token counts up to 4096,
// chunked and full prefills, decode batch 1..128 × KV lengths, bounded by
// Vidur's KV-memory rule. A Budget (points or GPU-seconds) thins every grid
// axis to the largest uniform density that fits, choosing the kept points
// by error-driven refinement of a roofline surrogate (selectPoints), so
// they concentrate at tile boundaries and the compute/memory crossover.
//
// Shapes are keyed by op and per-shard dimensions, so the same computation
// needed by several models or TP degrees (a norm over the full embedding at
// every TP degree, a collective of the same size) is measured once; the plan
// reports how many references were deduplicated.
//
// Every point carries a roofline time estimate (Estimate) on the planned
// Device; ShapeSeconds turns it into expected wall time with warm-up,
// repeats and a fixed per-shape overhead.
package sweep
