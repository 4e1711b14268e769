package cluster

// Request is one inference request and its Vidur state (spec §3.1). Times
// are simulated seconds. P and D are the current prompt and output lengths,
// which a restart rewrites; OrigP and OrigD keep the workload's values.
type Request struct {
	// ID is the request id (its index in the workload).
	ID        int32
	ArrivedAt float64
	// P is num_prefill_tokens and D num_decode_tokens (post-restart values).
	P, D int
	// OrigP and OrigD are the lengths the workload asked for.
	OrigP, OrigD int
	// Processed is num_processed_tokens.
	Processed int

	ScheduledAt, SchedulingDelay      float64
	ExecutionTime, ModelExecutionTime float64
	PreemptedTime                     float64
	CompletedAt, PrefillCompletedAt   float64
	LatestStageScheduledAt            float64
	LatestStageCompletedAt            float64
	LatestIterationScheduledAt        float64
	LatestIterationCompletedAt        float64
	LatestIterationSchedulingDelay    float64
	Scheduled, Preempted, Completed   bool
	PrefillComplete                   bool
	NumRestarts                       int

	// Replica is the replica the router sent the request to (-1 before).
	Replica int32
	// Blocks is the number of KV blocks allocated to the request and
	// Allocated whether it is in its replica's allocation map.
	Blocks    int
	Allocated bool

	// HasToken is true once the request produced an output token,
	// FirstTokenAt and LastTokenAt are when its first and latest output
	// tokens were produced, NumTokenGaps the number of measured gaps between
	// consecutive output tokens and MaxTokenGap the longest (true TBT).
	HasToken     bool
	FirstTokenAt float64
	LastTokenAt  float64
	NumTokenGaps int
	MaxTokenGap  float64
}

// NewRequest returns a request in its initial state.
func NewRequest(id int32, arrivedAt float64, p, d int) Request {
	return Request{ID: id, ArrivedAt: arrivedAt, P: p, D: d, OrigP: p, OrigD: d, Replica: -1}
}

// Total is P + D.
func (r *Request) Total() int { return r.P + r.D }

// HasStartedDecode reports Processed > P + 1.
func (r *Request) HasStartedDecode() bool { return r.Processed > r.P+1 }

// OnBatchSchedule records that a batch containing r was created at t.
func (r *Request) OnBatchSchedule(t float64) {
	r.LatestIterationScheduledAt = t
	r.LatestIterationSchedulingDelay = t - r.LatestIterationCompletedAt
	if r.Scheduled {
		return
	}
	if r.NumRestarts > 0 {
		r.Scheduled = true
		return
	}
	r.ScheduledAt = t
	r.SchedulingDelay = t - r.ArrivedAt
	r.Scheduled = true
}

// OnStageSchedule records that a pipeline stage holding r started at t.
func (r *Request) OnStageSchedule(t float64) {
	r.LatestStageScheduledAt = t
	if r.LatestStageCompletedAt == 0 {
		r.PreemptedTime = 0
	} else {
		r.PreemptedTime += t - r.LatestStageCompletedAt
	}
	r.Preempted = false
}

// OnStageEnd records that a pipeline stage holding r ended at t after
// executing for execS seconds (modelS of them on the GPU).
func (r *Request) OnStageEnd(t, execS, modelS float64) {
	r.ExecutionTime += execS
	r.ModelExecutionTime += modelS
	r.LatestStageCompletedAt = t
	r.Preempted = true
}

// OnBatchEnd applies an iteration that processed n tokens of r and ended at
// t (spec §3.1). It also tracks output tokens for the true per-token TBT: an
// iteration after which Processed > P produced one output token; gapS is the
// time since the request's previous output token and hasGap whether there
// was one. ok is false if the count would exceed the request's total (a
// scheduler bug).
func (r *Request) OnBatchEnd(t float64, n int) (gapS float64, hasGap, ok bool) {
	r.Processed += n
	r.LatestIterationCompletedAt = t
	if r.Processed > r.Total() {
		return 0, false, false
	}
	if r.Processed == r.P {
		r.PrefillComplete = true
		r.Processed++
		if r.PrefillCompletedAt == 0 {
			r.PrefillCompletedAt = t
		}
	}
	if r.Processed == r.Total() {
		r.Completed = true
		r.CompletedAt = t
	}
	// An output token is one at a sequence position past the workload's
	// prompt. After a restart in the middle of a prefill Vidur treats the
	// rest of the prompt as decode tokens (spec §6.5); those iterations are
	// not output tokens, so every request has exactly OrigD output tokens
	// and OrigD − 1 gaps.
	if r.Processed > r.P && r.Processed > r.OrigP {
		if !r.HasToken {
			r.FirstTokenAt = t
		}
		if r.HasToken {
			gapS, hasGap = t-r.LastTokenAt, true
			r.NumTokenGaps++
			if gapS > r.MaxTokenGap {
				r.MaxTokenGap = gapS
			}
		}
		r.HasToken = true
		r.LastTokenAt = t
	}
	return gapS, hasGap, true
}

// Restart is Vidur's preemption by recomputation: the tokens processed so
// far become the new prompt, the rest the new output, and the request must
// be prefilled again.
func (r *Request) Restart() {
	total := r.P + r.D
	r.P = r.Processed
	r.D = total - r.Processed
	r.Processed = 0
	r.Scheduled = false
	r.Preempted = false
	r.Completed = false
	r.PrefillComplete = false
	r.NumRestarts++
}
