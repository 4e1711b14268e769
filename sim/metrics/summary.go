package metrics

import (
	"math"

	"github.com/vidur-go/vidur-go/sim/cluster"
)

// SummaryInput is what Summarize needs besides the records.
type SummaryInput struct {
	// EndTimeS is the simulated time of the last event (seconds).
	EndTimeS float64
}

// StageSummary is one pipeline stage of one replica.
type StageSummary struct {
	Stage int `json:"stage"`
	// Batches is the number of batch stages executed.
	Batches int `json:"batches"`
	// BusyPercent = busy time / makespan × 100 (time-weighted from t = 0).
	BusyPercent float64 `json:"busy_percent"`
	// MFUMeanPercent is the time-weighted mean MFU over the makespan,
	// idle time counting as 0; MFUMaxPercent the largest batch-stage MFU.
	MFUMeanPercent float64 `json:"mfu_mean_percent"`
	MFUMaxPercent  float64 `json:"mfu_max_percent"`
}

// ReplicaSummary is one replica.
type ReplicaSummary struct {
	Replica int `json:"replica"`
	// MemoryMeanPercent is the time-weighted mean KV-block usage from t = 0
	// to the makespan; MemoryMaxPercent the peak.
	MemoryMeanPercent float64        `json:"memory_mean_percent"`
	MemoryMaxPercent  float64        `json:"memory_max_percent"`
	Stages            []StageSummary `json:"stages"`
}

// Summary is summary.json: distributions of the headline metrics.
type Summary struct {
	Requests  int `json:"requests"`
	Completed int `json:"completed"`
	// MakespanS is the simulated time of the last event.
	MakespanS float64 `json:"makespan_s"`
	// ThroughputRPS = completed requests / makespan; TokensPerS counts
	// prompt + output tokens of completed requests per second.
	ThroughputRPS float64 `json:"throughput_rps"`
	TokensPerS    float64 `json:"tokens_per_s"`

	// TTFT is Vidur's prefill_e2e_time; TBT is Vidur's
	// decode_time_execution_plus_preemption_normalized (TPOT); E2E is
	// request_e2e_time; all in seconds over completed requests.
	TTFT            Dist `json:"prefill_e2e_time"`
	TBT             Dist `json:"decode_time_execution_plus_preemption_normalized"`
	E2E             Dist `json:"request_e2e_time"`
	SchedulingDelay Dist `json:"request_scheduling_delay"`
	PreemptionTime  Dist `json:"request_preemption_time"`
	Restarts        Dist `json:"request_num_restarts"`
	// TokenTBT is the true time between consecutive output tokens over all
	// tokens (only when token gaps were recorded); RequestTBTMax is each
	// request's longest gap.
	TokenTBT      *Dist `json:"token_tbt,omitempty"`
	RequestTBTMax Dist  `json:"request_tbt_max"`

	Batches int `json:"batches"`
	// BatchSizeMean is the mean number of requests per batch.
	BatchSizeMean float64 `json:"batch_size_mean"`
	// Batch distributions exist only when batches were recorded.
	BatchSize          *Dist `json:"batch_size,omitempty"`
	BatchNumTokens     *Dist `json:"batch_num_tokens,omitempty"`
	BatchExecutionTime *Dist `json:"batch_execution_time,omitempty"`

	Replicas []ReplicaSummary `json:"replicas"`
}

// Summarize computes the summary of a finished simulation.
func Summarize(reqs []cluster.Request, col *Collector, in SummaryInput) Summary {
	rows := RequestRows(reqs)
	s := Summary{Requests: len(reqs), MakespanS: in.EndTimeS, Batches: col.NumBatches}
	pick := func(col int) Dist {
		v := make([]float64, 0, len(rows))
		for i := range rows {
			if x := rows[i][col]; !math.IsNaN(x) && reqs[i].Completed {
				v = append(v, x)
			}
		}
		return Describe(v)
	}
	s.TTFT = pick(colTTFT)
	s.TBT = pick(colTBT)
	s.E2E = pick(colE2E)
	s.SchedulingDelay = pick(colSchedulingDelay)
	s.PreemptionTime = pick(colPreemption)
	s.Restarts = pick(colRestarts)
	s.RequestTBTMax = pick(colTBTMax)
	s.Completed = s.E2E.Count
	tokens := 0
	for i := range reqs {
		if reqs[i].Completed {
			tokens += reqs[i].OrigP + reqs[i].OrigD
		}
	}
	if in.EndTimeS > 0 {
		s.ThroughputRPS = float64(s.Completed) / in.EndTimeS
		s.TokensPerS = float64(tokens) / in.EndTimeS
	}
	if col.Opt.TokenGaps {
		d := Describe(append([]float64(nil), col.TokenGaps...))
		s.TokenTBT = &d
	}
	if col.NumBatches > 0 {
		s.BatchSizeMean = float64(col.SumBatchSize) / float64(col.NumBatches)
	}
	if col.Opt.Batches && len(col.Batches) > 0 {
		size := make([]float64, len(col.Batches))
		toks := make([]float64, len(col.Batches))
		exec := make([]float64, len(col.Batches))
		for i, b := range col.Batches {
			size[i], toks[i], exec[i] = float64(b.Size), float64(b.NumTokens), b.CompletedAtS-b.ScheduledAtS
		}
		d1, d2, d3 := Describe(size), Describe(toks), Describe(exec)
		s.BatchSize, s.BatchNumTokens, s.BatchExecutionTime = &d1, &d2, &d3
	}
	for r := range col.mem {
		m := col.mem[r]
		rs := ReplicaSummary{Replica: r, MemoryMaxPercent: m.max}
		if in.EndTimeS > 0 {
			integral := m.integral + m.lastV*(in.EndTimeS-m.lastT)
			rs.MemoryMeanPercent = integral / in.EndTimeS
		}
		for st, a := range col.stages[r] {
			ss := StageSummary{Stage: st, Batches: a.Batches, MFUMaxPercent: a.MFUMax}
			if in.EndTimeS > 0 {
				ss.BusyPercent = a.BusyS / in.EndTimeS * 100
				ss.MFUMeanPercent = a.MFUTimeInt / in.EndTimeS
			}
			rs.Stages = append(rs.Stages, ss)
		}
		s.Replicas = append(s.Replicas, rs)
	}
	return s
}
