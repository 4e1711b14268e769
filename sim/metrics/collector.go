package metrics

// Options selects the optional, per-item records. Aggregates (counts,
// busy time, MFU and memory integrals) are always kept.
type Options struct {
	// Batches keeps one BatchRecord per batch (batches.csv, batch quantiles).
	Batches bool
	// Stages keeps one StageRecord per batch stage with its request ids and
	// token counts (trace.json, batch compositions).
	Stages bool
	// Series keeps memory and queue-length samples over time (plots).
	Series bool
	// TokenGaps keeps every gap between consecutive output tokens (the true
	// per-token TBT distribution); memory grows with the output tokens.
	TokenGaps bool
}

// BatchRecord is one batch, written at its end.
type BatchRecord struct {
	ID      int
	Replica int32
	// ScheduledAtS and CompletedAtS are simulated seconds; their difference
	// is Vidur's batch_execution_time (it includes queueing between
	// pipeline stages).
	ScheduledAtS, CompletedAtS float64
	Size                       int
	NumTokens                  int
	NumPrefillTokens           int
	NumDecodeTokens            int
}

// StageRecord is one execution of one pipeline stage for one batch. Its
// requests and token counts are Collector.StageReqs and StageTokens
// [First, First+Count).
type StageRecord struct {
	BatchID        int
	Replica, Stage int32
	StartS, DurS   float64
	ModelS         float64
	// MFU is the model FLOPs utilisation of the stage, percent.
	MFU          float64
	First, Count int32
}

// Sample is one point of a time series.
type Sample struct {
	TimeS, Value float64
}

// stageAcc accumulates one replica stage's utilisation.
type stageAcc struct {
	BusyS      float64
	MFUTimeInt float64 // Σ MFU·duration, percent·s
	MFUMax     float64
	Batches    int
}

// memAcc integrates one replica's memory usage over time.
type memAcc struct {
	lastT, lastV float64
	integral     float64 // percent·s
	max          float64
	samples      int
}

// Collector receives measurements from the event loop.
type Collector struct {
	Opt Options

	Batches     []BatchRecord
	Stages      []StageRecord
	StageReqs   []int32
	StageTokens []int32
	TokenGaps   []float64
	// Memory holds each replica's KV-memory usage (percent) after every
	// non-empty schedule and every batch end (Series only).
	Memory [][]Sample
	// QueueLen holds the number of routed requests waiting in replica
	// queues, summed over replicas, after each change (Series only).
	QueueLen []Sample

	NumBatches     int
	SumBatchSize   int
	SumBatchTokens int

	stages [][]stageAcc
	mem    []memAcc
	queued int
}

// NewCollector prepares a collector for replicas × stages.
func NewCollector(opt Options, replicas, stages int) *Collector {
	c := &Collector{Opt: opt, mem: make([]memAcc, replicas), stages: make([][]stageAcc, replicas)}
	for i := range c.stages {
		c.stages[i] = make([]stageAcc, stages)
	}
	if opt.Series {
		c.Memory = make([][]Sample, replicas)
		for i := range c.Memory {
			c.Memory[i] = append(c.Memory[i], Sample{0, 0})
		}
		c.QueueLen = append(c.QueueLen, Sample{0, 0})
	}
	return c
}

// OnMemory records replica r's memory usage (percent) at t. Usage is a
// step function: each value holds until the next sample.
func (c *Collector) OnMemory(r int32, t, percent float64) {
	m := &c.mem[r]
	m.integral += m.lastV * (t - m.lastT)
	m.lastT, m.lastV = t, percent
	m.max = max(m.max, percent)
	m.samples++
	if c.Opt.Series {
		c.Memory[r] = append(c.Memory[r], Sample{t, percent})
	}
}

// OnQueued adds delta to the number of requests waiting in replica queues.
func (c *Collector) OnQueued(t float64, delta int) {
	if delta == 0 {
		return
	}
	c.queued += delta
	if c.Opt.Series {
		c.QueueLen = append(c.QueueLen, Sample{t, float64(c.queued)})
	}
}

// OnStage records one stage execution; reqs and tokens are the batch's.
func (c *Collector) OnStage(batchID int, r, s int32, startS, durS, modelS, mfu float64, reqs []int32, tokens []int) {
	a := &c.stages[r][s]
	a.BusyS += durS
	a.MFUTimeInt += mfu * durS
	a.MFUMax = max(a.MFUMax, mfu)
	a.Batches++
	if !c.Opt.Stages {
		return
	}
	rec := StageRecord{BatchID: batchID, Replica: r, Stage: s, StartS: startS, DurS: durS, ModelS: modelS, MFU: mfu,
		First: int32(len(c.StageReqs)), Count: int32(len(reqs))}
	c.StageReqs = append(c.StageReqs, reqs...)
	for _, n := range tokens {
		c.StageTokens = append(c.StageTokens, int32(n))
	}
	c.Stages = append(c.Stages, rec)
}

// OnBatch records a finished batch.
func (c *Collector) OnBatch(b BatchRecord) {
	c.NumBatches++
	c.SumBatchSize += b.Size
	c.SumBatchTokens += b.NumTokens
	if c.Opt.Batches {
		c.Batches = append(c.Batches, b)
	}
}

// OnTokenGap records the time between two consecutive output tokens of a
// request.
func (c *Collector) OnTokenGap(gapS float64) {
	if c.Opt.TokenGaps {
		c.TokenGaps = append(c.TokenGaps, gapS)
	}
}
