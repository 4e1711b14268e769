// Package scheduler holds the two layers of scheduling in a Vidur cluster:
// global schedulers (routers: random, round_robin, lor; spec §5) that send
// each arriving request to a replica, and replica schedulers (orca, vllm,
// sarathi, lightllm, faster_transformer; spec §6) that form the next batch
// of a replica from its queue and its running requests, allocating paged KV
// blocks.
//
// The replica schedulers reproduce Vidur's decisions exactly (admission
// order, token budgets, watermark, preemption by restart with the last
// running request as the victim), because those decide batch composition.
// Two outright Vidur bugs are fixed, each listed in
// docs/differences-from-vidur.md: FasterTransformer frees a request's blocks
// when it completes (Vidur leaks them, spec §6.3), and when vLLM or Sarathi
// preempts a request whose context no longer fits in the whole KV cache,
// the run fails with an error naming the request (Vidur silently stalls,
// spec §6.4).
package scheduler
