// Package metrics collects what a simulation measures (spec §10) and
// summarises it: per-request latencies (TTFT, TBT, end-to-end, scheduling
// delay, preemption, restarts), per-batch sizes, tokens and execution times,
// and per-replica and per-stage memory, busy time and MFU, with exact
// quantiles.
//
// The Collector is fed by the event loop and allocates only when one of its
// optional record slices grows. Quantiles are exact: the samples are sorted
// and interpolated linearly between closest ranks, as numpy.percentile and
// pandas.Series.quantile do by default.
//
// Quantities compared against Vidur keep Vidur's definitions and names
// (prefill_e2e_time, decode_time_execution_plus_preemption_normalized,
// request_e2e_time, request_scheduling_delay, batch_execution_time). Where
// Vidur's metric code is wrong (spec §14 items 17–21) the fixed value is
// reported; docs/differences-from-vidur.md lists each case.
package metrics
