// Package cluster holds the simulator's entities and their state machines
// (spec §3): requests (with Vidur's restart semantics), batches, replicas
// with their paged KV-block accounting, request queues and pipeline stage
// queues. Schedulers (package scheduler) and the event loop (package sim)
// mutate this state; it knows nothing about time ordering itself.
//
// Everything is stored by value in slices indexed by small integers
// (request index, batch handle) so that a run allocates nothing per event
// once its pools have grown.
package cluster
