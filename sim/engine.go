package sim

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/vidur-go/vidur-go/internal/invariants"
	"github.com/vidur-go/vidur-go/predictor"
	"github.com/vidur-go/vidur-go/sim/cluster"
	"github.com/vidur-go/vidur-go/sim/event"
	"github.com/vidur-go/vidur-go/sim/memory"
	"github.com/vidur-go/vidur-go/sim/metrics"
	"github.com/vidur-go/vidur-go/sim/scheduler"
	"github.com/vidur-go/vidur-go/sim/workload"
)

// Result is the outcome of one simulation.
type Result struct {
	// Requests is every request's final state, indexed by request id.
	Requests []cluster.Request
	// Metrics holds batch, stage and utilisation records.
	Metrics *metrics.Collector
	// Plan is the memory planner's answer (the same for every replica).
	Plan memory.Plan
	// NumBlocks is the KV-block capacity per replica actually used.
	NumBlocks int
	// EndTimeS is the time of the last handled event (simulated seconds).
	EndTimeS float64
	// TimeLimited is true when the run stopped at the time limit.
	TimeLimited bool
	// NumEvents is the number of events handled.
	NumEvents int
	// Completed is the number of completed requests.
	Completed int
	// Stopped is set when Params.Stop ended the run early: the limit that
	// was decided, and how. Requests then holds the state at that moment
	// (not every request has completed).
	Stopped *StopHit
}

// engine is the state of one simulation run.
type engine struct {
	p      *Params
	timer  predictor.BatchTimer
	c      *cluster.Cluster
	sched  []scheduler.ReplicaScheduler
	router scheduler.Router
	col    *metrics.Collector
	q      event.Queue

	arrivals []int32 // request indices in (time, id) order
	nextArr  int
	firstID  uint64

	now, limit  float64
	terminated  bool
	watching    bool // Params.Stop has limits
	halted      bool // a stop limit was decided
	watch       stopWatch
	numEvents   int
	completed   int
	nextReport  int
	globalQueue []int32
	assigned    []int32
	replicaSet  []int32
	setTable    []int32
	batchBuf    []int32
	entries     []predictor.Entry
	completions []uint8
	inFlight    []bool // invariants: request is in a batch that has not ended

	// MFU constants.
	paramsPerDevice float64
	attnFactor      float64 // 4 · layers/PP · q_heads/TP · head_dim
	peakFLOPS       float64
}

// Simulate runs the cluster p on reqs. timer predicts stage times; rng
// (Python's random stream continued after workload generation) is used by
// the random router only and may be nil otherwise. reqs are not modified.
func Simulate(p Params, reqs []workload.Request, timer predictor.BatchTimer, rng scheduler.IntN) (*Result, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	if timer == nil {
		return nil, errors.New("simulate: no batch timer")
	}
	plan, err := p.Plan()
	if err != nil {
		return nil, err
	}
	sp := p.Scheduler
	sp.NumStages = p.PP
	sp.PlannerMaxBatchSize = plan.MaxBatchSize
	sp.MaxBlocksPerSequence = plan.MaxBlocksPerSequence
	if sp.NumBlocks == 0 {
		sp.NumBlocks = plan.NumBlocks
	}
	router, err := scheduler.NewRouter(p.Router, rng)
	if err != nil {
		return nil, err
	}
	requests := make([]cluster.Request, len(reqs))
	for i, r := range reqs {
		if err := checkRequest(i, r, p.MaxTokens); err != nil {
			return nil, err
		}
		requests[i] = cluster.NewRequest(int32(i), r.ArrivedAt, r.NumPrefillTokens, r.NumDecodeTokens)
	}
	e := &engine{
		p: &p, timer: timer, router: router,
		c:   cluster.New(requests, p.Replicas, p.PP, sp.NumBlocks),
		col: metrics.NewCollector(p.Record, p.Replicas, p.PP),
	}
	for range p.Replicas {
		s, err := scheduler.NewReplica(sp)
		if err != nil {
			return nil, err
		}
		e.sched = append(e.sched, s)
	}
	m := p.Model
	e.paramsPerDevice = float64(plan.ParamsPerDevice)
	e.attnFactor = 4 * float64(m.NumLayers/p.PP) * float64(m.NumQHeads/p.TP) * float64(m.HeadDim())
	e.peakFLOPS = p.DeviceFP16TFLOPS * 1e12
	e.limit = p.TimeLimitS
	if e.limit == 0 {
		e.limit = math.Inf(1)
	}
	gaps := 0 // token gaps of a full run: OrigD − 1 per request
	for _, r := range reqs {
		gaps += r.NumDecodeTokens - 1
	}
	if p.Record.TokenGaps {
		// Sized up front up to 32 MiB; a longer run (which may yet stop
		// early at a time limit or a cancel) grows it as it goes.
		e.col.TokenGaps = make([]float64, 0, min(gaps, maxPreallocTokenGaps))
	}
	if len(p.Stop) > 0 {
		if err := e.watch.init(p.Stop, len(reqs), gaps); err != nil {
			return nil, err
		}
		e.watching = len(e.watch.lims) > 0
	}
	if invariants.Enabled {
		e.completions = make([]uint8, len(requests))
		e.inFlight = make([]bool, len(requests))
	}
	if err := e.run(); err != nil {
		return nil, err
	}
	if p.Progress != nil {
		p.Progress(e.completed, len(requests))
	}
	return &Result{
		Requests: e.c.Requests, Metrics: e.col, Plan: plan, NumBlocks: sp.NumBlocks,
		EndTimeS: e.now, TimeLimited: e.terminated, NumEvents: e.numEvents, Completed: e.completed,
		Stopped: e.watch.hit,
	}, nil
}

func checkRequest(i int, r workload.Request, maxTokens int) error {
	switch {
	case math.IsNaN(r.ArrivedAt) || math.IsInf(r.ArrivedAt, 0) || r.ArrivedAt < 0:
		return fmt.Errorf("request %d: arrival time %g s must be finite and ≥ 0", i, r.ArrivedAt)
	case r.NumPrefillTokens < 1:
		return fmt.Errorf("request %d: %d prompt tokens, want ≥ 1", i, r.NumPrefillTokens)
	case r.NumDecodeTokens < 1:
		return fmt.Errorf("request %d: %d output tokens, want ≥ 1 (a request without output never completes)", i, r.NumDecodeTokens)
	case r.NumPrefillTokens+r.NumDecodeTokens > maxTokens:
		return fmt.Errorf("request %d: %d prompt + %d output tokens exceed max tokens %d", i, r.NumPrefillTokens, r.NumDecodeTokens, maxTokens)
	}
	return nil
}

// run is the event loop (spec §4). Request arrivals are the first N events
// created (ids 1..N, in request order); they are kept in a sorted array
// instead of the heap, which is equivalent because the heap orders by
// (time, id) too.
func (e *engine) run() error {
	n := len(e.c.Requests)
	e.firstID = e.q.Reserve(n)
	e.arrivals = make([]int32, n)
	for i := range e.arrivals {
		e.arrivals[i] = int32(i)
	}
	reqs := e.c.Requests
	sort.SliceStable(e.arrivals, func(a, b int) bool {
		return reqs[e.arrivals[a]].ArrivedAt < reqs[e.arrivals[b]].ArrivedAt
	})
	e.q.Grow(64)
	for !e.terminated && !e.halted {
		var ev event.Event
		if e.nextArr < n {
			ri := e.arrivals[e.nextArr]
			arr := event.Event{TimeS: reqs[ri].ArrivedAt, ID: e.firstID + uint64(ri), Kind: event.RequestArrival, Batch: ri}
			if e.q.Len() == 0 || event.Less(&arr, e.q.Peek()) {
				ev = arr
				e.nextArr++
			} else {
				ev = e.q.Pop()
			}
		} else if e.q.Len() > 0 {
			ev = e.q.Pop()
		} else {
			break
		}
		if ev.TimeS < e.now {
			return fmt.Errorf("internal error: clock went back from %g s to %g s (%s)", e.now, ev.TimeS, ev.Kind)
		}
		e.now = ev.TimeS
		e.numEvents++
		if e.numEvents&(cancelCheckEvents-1) == 0 && e.p.Done != nil {
			select {
			case <-e.p.Done:
				return e.canceled()
			default:
			}
		}
		if e.now > e.limit {
			e.terminated = true
		}
		if err := e.handle(&ev); err != nil {
			return fmt.Errorf("at t=%.6f s (%s): %w", e.now, ev.Kind, err)
		}
	}
	if e.terminated || e.halted {
		return nil
	}
	if e.completed != n {
		return e.stallError()
	}
	if invariants.Enabled {
		return e.checkDrained()
	}
	return nil
}

// maxPreallocTokenGaps bounds the token-gap slice allocated before a run.
const maxPreallocTokenGaps = 1 << 22

// cancelCheckEvents is how often (in events, a power of two) the loop
// looks at Params.Done: about a millisecond of simulation.
const cancelCheckEvents = 1 << 12

// errCanceled is returned when Params.Done closes without Params.Err.
var errCanceled = errors.New("simulation canceled")

func (e *engine) canceled() error {
	cause := errCanceled
	if e.p.Err != nil && e.p.Err() != nil {
		cause = e.p.Err()
	}
	return fmt.Errorf("interrupted at t=%.6f s simulated, %d of %d requests completed: %w", e.now, e.completed, len(e.c.Requests), cause)
}

func (e *engine) stallError() error {
	var stuck []int32
	for i := range e.c.Requests {
		if !e.c.Requests[i].Completed {
			stuck = append(stuck, int32(i))
			if len(stuck) == 5 {
				break
			}
		}
	}
	return fmt.Errorf("simulation stalled at t=%.6f s: %d of %d requests never completed (first: %v); the %s scheduler could not make progress with %d KV blocks per replica",
		e.now, len(e.c.Requests)-e.completed, len(e.c.Requests), stuck, e.p.Scheduler.Kind, e.c.Replicas[0].NumBlocks)
}

func (e *engine) checkDrained() error {
	for i := range e.c.Replicas {
		r := &e.c.Replicas[i]
		if !r.Idle() || r.AllocatedBlocks != 0 {
			return fmt.Errorf("invariant: replica %d not drained at the end (queue %d, running %d, allocated blocks %d in %d requests, batches in flight %d)",
				i, r.Queue.Len(), len(r.Running), r.AllocatedBlocks, r.NumAllocated, r.NumRunningBatches)
		}
	}
	for i, k := range e.completions {
		if k != 1 {
			return fmt.Errorf("invariant: request %d completed %d times", i, k)
		}
	}
	return nil
}

func (e *engine) push(kind event.Kind, rid, stage, batch int32) {
	e.q.Push(event.Event{TimeS: e.now, Kind: kind, Replica: rid, Stage: stage, Batch: batch})
}

func (e *engine) handle(ev *event.Event) error {
	switch ev.Kind {
	case event.RequestArrival:
		e.globalQueue = append(e.globalQueue, ev.Batch)
		e.push(event.GlobalSchedule, 0, 0, 0)
	case event.GlobalSchedule:
		e.globalSchedule()
	case event.ReplicaSchedule:
		return e.replicaSchedule(ev.Replica)
	case event.BatchStageArrival:
		st := &e.c.Replicas[ev.Replica].Stages[ev.Stage]
		st.Queue = append(st.Queue, ev.Batch)
		e.push(event.ReplicaStageSchedule, ev.Replica, ev.Stage, 0)
	case event.ReplicaStageSchedule:
		return e.stageSchedule(ev.Replica, ev.Stage)
	case event.BatchStageEnd:
		e.stageEnd(ev.Replica, ev.Stage, ev.Batch)
	case event.BatchEnd:
		return e.batchEnd(ev.Replica, ev.Batch)
	default:
		return fmt.Errorf("internal error: unknown event kind %d", ev.Kind)
	}
	return nil
}

func (e *engine) globalSchedule() {
	if len(e.globalQueue) == 0 {
		return
	}
	reqs := e.c.Requests
	gq := e.globalQueue
	// Stable insertion sort by arrival (Python's list.sort; the queue is
	// short and almost always sorted already).
	for i := 1; i < len(gq); i++ {
		v := gq[i]
		j := i
		for j > 0 && reqs[gq[j-1]].ArrivedAt > reqs[v].ArrivedAt {
			gq[j] = gq[j-1]
			j--
		}
		gq[j] = v
	}
	e.assigned = e.router.Assign(e.c, gq, e.assigned[:0])
	e.replicaSet = e.replicaSet[:0]
	for i, ri := range gq {
		rid := e.assigned[i]
		reqs[ri].Replica = rid
		e.c.Replicas[rid].Queue.PushBack(ri)
		seen := false
		for _, x := range e.replicaSet {
			if x == rid {
				seen = true
				break
			}
		}
		if !seen {
			e.replicaSet = append(e.replicaSet, rid)
		}
	}
	e.col.OnQueued(e.now, len(gq))
	e.globalQueue = gq[:0]
	e.setTable = pySetOrder(e.replicaSet, e.setTable)
	for _, rid := range e.replicaSet {
		e.push(event.ReplicaSchedule, rid, 0, 0)
	}
}

func (e *engine) replicaSchedule(rid int32) error {
	r := &e.c.Replicas[rid]
	e.batchBuf = e.batchBuf[:0]
	queued := r.Queue.Len()
	for r.NumRunningBatches < len(r.Stages) {
		h, err := e.sched[rid].NextBatch(e.c, r)
		if err != nil {
			return err
		}
		if h < 0 {
			break
		}
		e.batchBuf = append(e.batchBuf, h)
		r.NumRunningBatches++
	}
	e.col.OnQueued(e.now, r.Queue.Len()-queued)
	if len(e.batchBuf) == 0 {
		return nil
	}
	e.col.OnMemory(rid, e.now, r.MemoryUsagePercent())
	for _, h := range e.batchBuf {
		b := e.c.Batch(h)
		b.ScheduledAt = e.now
		for _, ri := range b.Reqs {
			if invariants.Enabled {
				if e.inFlight[ri] || e.c.Requests[ri].Completed || e.c.Requests[ri].Replica != rid {
					return fmt.Errorf("invariant: request %d put in batch %d on replica %d while in flight=%v, completed=%v, routed to %d",
						ri, b.ID, rid, e.inFlight[ri], e.c.Requests[ri].Completed, e.c.Requests[ri].Replica)
				}
				e.inFlight[ri] = true
			}
			q := &e.c.Requests[ri]
			first := !q.Scheduled && q.NumRestarts == 0
			q.OnBatchSchedule(e.now)
			if e.watching && first && e.watch.observe(StopSchedulingDelay, q.SchedulingDelay) {
				e.halted = true
			}
		}
	}
	for _, h := range e.batchBuf {
		e.push(event.BatchStageArrival, rid, 0, h)
	}
	return nil
}

func (e *engine) stageSchedule(rid, s int32) error {
	st := &e.c.Replicas[rid].Stages[s]
	if st.Busy || len(st.Queue) == 0 {
		return nil
	}
	h := st.PopQueue()
	b := e.c.Batch(h)
	st.Busy = true
	e.entries = e.entries[:0]
	attn := 0.0
	for i, ri := range b.Reqs {
		q := &e.c.Requests[ri]
		n := b.Tokens[i]
		e.entries = append(e.entries, predictor.Entry{NumTokens: n, Processed: q.Processed, PrefillComplete: q.PrefillComplete})
		attn += float64(n) * float64(n+q.Processed)
	}
	t, err := e.timer.StageTime(e.entries, int(s))
	if err != nil {
		return fmt.Errorf("replica %d stage %d, batch %d (%d requests, %d tokens): %w", rid, s, b.ID, b.Size(), b.TotalTokens(), err)
	}
	if !(t.TotalS > 0) || math.IsInf(t.TotalS, 0) {
		return fmt.Errorf("replica %d stage %d, batch %d: predicted stage time %g s is not positive and finite", rid, s, b.ID, t.TotalS)
	}
	st.Batch, st.StartS, st.ExecS, st.ModelS = h, e.now, t.TotalS, t.ModelS
	for _, ri := range b.Reqs {
		e.c.Requests[ri].OnStageSchedule(e.now)
	}
	flops := 2*float64(b.TotalTokens())*e.paramsPerDevice + e.attnFactor*attn
	st.MFU = flops / t.TotalS * 100 / e.peakFLOPS
	e.q.Push(event.Event{TimeS: e.now + t.TotalS, Kind: event.BatchStageEnd, Replica: rid, Stage: s, Batch: h})
	return nil
}

func (e *engine) stageEnd(rid, s, h int32) {
	r := &e.c.Replicas[rid]
	st := &r.Stages[s]
	st.Busy = false
	b := e.c.Batch(h)
	for _, ri := range b.Reqs {
		e.c.Requests[ri].OnStageEnd(e.now, st.ExecS, st.ModelS)
	}
	e.col.OnStage(b.ID, rid, s, st.StartS, st.ExecS, st.ModelS, st.MFU, b.Reqs, b.Tokens)
	e.push(event.ReplicaStageSchedule, rid, s, 0)
	if int(s) == len(r.Stages)-1 {
		e.push(event.BatchEnd, rid, 0, h)
	} else {
		e.push(event.BatchStageArrival, rid, s+1, h)
	}
}

func (e *engine) batchEnd(rid, h int32) error {
	r := &e.c.Replicas[rid]
	b := e.c.Batch(h)
	b.CompletedAt = e.now
	for i, ri := range b.Reqs {
		q := &e.c.Requests[ri]
		if invariants.Enabled {
			e.inFlight[ri] = false
		}
		hadPrefill := q.PrefillCompletedAt != 0
		gap, hasGap, ok := q.OnBatchEnd(e.now, b.Tokens[i])
		if !ok {
			return fmt.Errorf("replica %d batch %d: request %d processed %d of %d tokens", rid, b.ID, ri, q.Processed, q.Total())
		}
		if hasGap {
			e.col.OnTokenGap(gap)
		}
		if e.watching {
			if hasGap && e.watch.observe(StopTBT, gap) {
				e.halted = true
			}
			if !hadPrefill && q.PrefillCompletedAt != 0 && e.watch.observe(StopTTFT, q.PrefillCompletedAt-q.ArrivedAt) {
				e.halted = true
			}
		}
	}
	if err := e.sched[rid].OnBatchEnd(e.c, r, b); err != nil {
		return err
	}
	e.col.OnBatch(metrics.BatchRecord{ID: b.ID, Replica: rid, ScheduledAtS: b.ScheduledAt, CompletedAtS: e.now,
		Size: b.Size(), NumTokens: b.TotalTokens(), NumPrefillTokens: b.NumPrefillTokens, NumDecodeTokens: b.NumDecodeTokens})
	done := e.completed
	for _, ri := range b.Reqs {
		if q := &e.c.Requests[ri]; q.Completed && q.CompletedAt == e.now {
			e.completed++
			if e.watching && e.watch.observe(StopE2E, q.CompletedAt-q.ArrivedAt) {
				e.halted = true
			}
			if invariants.Enabled {
				e.completions[ri]++
			}
		}
	}
	e.col.OnMemory(rid, e.now, r.MemoryUsagePercent())
	if invariants.Enabled {
		if err := e.checkBlocks(r); err != nil {
			return err
		}
	}
	e.c.Release(h)
	if e.p.Progress != nil && e.completed > done && e.completed >= e.nextReport {
		e.p.Progress(e.completed, len(e.c.Requests))
		e.nextReport = e.completed + max(1, e.p.ProgressStep)
	}
	e.push(event.ReplicaSchedule, rid, 0, 0)
	return nil
}

// checkBlocks verifies that the replica's block count equals the sum over
// its requests and stays within capacity.
func (e *engine) checkBlocks(r *cluster.Replica) error {
	sum, n := 0, 0
	for i := range e.c.Requests {
		q := &e.c.Requests[i]
		if q.Replica == r.ID && q.Allocated {
			if q.Blocks < 0 {
				return fmt.Errorf("invariant: request %d holds %d blocks", i, q.Blocks)
			}
			sum += q.Blocks
			n++
		}
	}
	if sum != r.AllocatedBlocks || n != r.NumAllocated || r.AllocatedBlocks > r.NumBlocks || r.AllocatedBlocks < 0 {
		return fmt.Errorf("invariant: replica %d accounts %d blocks in %d requests, requests hold %d in %d (capacity %d)",
			r.ID, r.AllocatedBlocks, r.NumAllocated, sum, n, r.NumBlocks)
	}
	return nil
}
