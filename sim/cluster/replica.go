package cluster

import "fmt"

// Stage is one pipeline stage of a replica: a FIFO of batch handles and a
// busy flag (spec §8.1).
type Stage struct {
	Queue []int32
	Busy  bool
	// The batch being executed and its predicted times (valid while Busy).
	Batch         int32
	StartS, ExecS float64
	ModelS        float64
	// MFU is the batch stage's model FLOPs utilisation, percent.
	MFU float64
}

// PopQueue removes and returns the stage's first queued batch.
func (s *Stage) PopQueue() int32 {
	h := s.Queue[0]
	s.Queue = s.Queue[:copy(s.Queue, s.Queue[1:])]
	return h
}

// Replica is one model replica's scheduler state (spec §6.1).
type Replica struct {
	ID int32
	// NumBlocks is the KV-block capacity and AllocatedBlocks the blocks in
	// use; NumAllocated is the size of the allocation map (requests holding
	// blocks).
	NumBlocks, AllocatedBlocks, NumAllocated int
	// Queue is the request_queue (admitted by the router, not yet batched).
	Queue Deque
	// Running is Vidur's preempted_requests list: requests between
	// iterations that are not waiting in Queue.
	Running []int32
	// NumRunningBatches counts batches in flight (at most one per stage).
	NumRunningBatches int
	Stages            []Stage

	// Scratch space for schedulers (kept here so they allocate nothing).
	Spare, Scratch, Scratch2 []int32
}

// MemoryUsagePercent is AllocatedBlocks × 100 / NumBlocks.
func (r *Replica) MemoryUsagePercent() float64 {
	return float64(r.AllocatedBlocks) * 100 / float64(r.NumBlocks)
}

// CanAllocate reports whether n more blocks are free.
func (r *Replica) CanAllocate(n int) bool { return r.NumBlocks-r.AllocatedBlocks >= n }

// Idle reports whether the replica holds no request and no batch.
func (r *Replica) Idle() bool {
	if r.Queue.Len() > 0 || len(r.Running) > 0 || r.NumAllocated > 0 || r.NumRunningBatches > 0 {
		return false
	}
	for i := range r.Stages {
		if len(r.Stages[i].Queue) > 0 || r.Stages[i].Busy {
			return false
		}
	}
	return true
}

// Cluster is the state of all replicas and requests of one simulation.
type Cluster struct {
	Requests []Request
	Replicas []Replica
	// NextBatchID is the id the next committed batch gets.
	NextBatchID int

	batches     []Batch
	freeBatches []int32
}

// New returns a cluster of n replicas with numStages pipeline stages and
// numBlocks KV blocks each, serving requests.
func New(requests []Request, n, numStages, numBlocks int) *Cluster {
	c := &Cluster{Requests: requests, Replicas: make([]Replica, n)}
	for i := range c.Replicas {
		c.Replicas[i] = Replica{ID: int32(i), NumBlocks: numBlocks, Stages: make([]Stage, numStages)}
	}
	return c
}

// Allocate adds n blocks to request ri on replica r (accumulating).
func (c *Cluster) Allocate(r *Replica, ri int32, n int) {
	q := &c.Requests[ri]
	if !q.Allocated {
		q.Allocated = true
		r.NumAllocated++
	}
	q.Blocks += n
	r.AllocatedBlocks += n
}

// Free releases all blocks of request ri. Freeing a request that holds no
// allocation is a scheduler bug and returns an error.
func (c *Cluster) Free(r *Replica, ri int32) error {
	q := &c.Requests[ri]
	if !q.Allocated {
		return fmt.Errorf("replica %d: free of request %d which holds no KV blocks", r.ID, ri)
	}
	r.AllocatedBlocks -= q.Blocks
	r.NumAllocated--
	q.Blocks = 0
	q.Allocated = false
	if r.AllocatedBlocks < 0 {
		return fmt.Errorf("replica %d: allocated KV blocks went negative (%d)", r.ID, r.AllocatedBlocks)
	}
	return nil
}
