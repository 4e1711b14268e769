package metrics

import (
	"math"
	"slices"

	"github.com/vidur-go/vidur-go/sim/cluster"
)

// RequestColumns are the columns of requests.csv: Vidur's request_metrics.csv
// columns in Vidur's order, then vidur-go's additions.
var RequestColumns = []string{
	"Request Id",
	"request_e2e_time", "request_e2e_time_normalized",
	"request_execution_time", "request_execution_time_normalized",
	"request_model_execution_time", "request_model_execution_time_normalized",
	"request_preemption_time", "request_scheduling_delay",
	"request_execution_plus_preemption_time", "request_execution_plus_preemption_time_normalized",
	"prefill_e2e_time", "prefill_time_execution_plus_preemption",
	"prefill_time_execution_plus_preemption_normalized",
	"decode_time_execution_plus_preemption_normalized",
	"request_inter_arrival_delay", "request_num_tokens", "request_num_prefill_tokens",
	"request_num_decode_tokens", "request_pd_ratio", "request_num_restarts",
	// vidur-go additions.
	"replica", "arrived_at", "scheduled_at", "prefill_completed_at", "completed_at",
	"tbt_mean", "tbt_max",
}

// RequestRow holds one request's metrics in RequestColumns order (after the
// id). NaN marks a value that does not exist (request not completed, first
// arrival's inter-arrival delay, no second output token).
type RequestRow [27]float64

// Indices into RequestRow for the quantities summarised.
const (
	colE2E             = 0
	colPreemption      = 6
	colSchedulingDelay = 7
	colTTFT            = 10
	colTBT             = 13
	colInterArrival    = 14
	colRestarts        = 19
	colTBTMean         = 25
	colTBTMax          = 26
)

// RequestRows returns every request's metrics, indexed by request id.
//
// Definitions (seconds; Vidur's names, spec §10.2): e2e = completed_at −
// arrived_at; TTFT (prefill_e2e_time) = prefill_completed_at − arrived_at
// (first time the prompt completed); TBT/TPOT
// (decode_time_execution_plus_preemption_normalized) = (completed_at −
// prefill_completed_at) / D; scheduling delay = first schedule −
// arrival. "_normalized" values divide by the workload's original prompt
// (P) or output (D) length, not Vidur's post-restart lengths. tbt_mean and
// tbt_max are the true gaps between consecutive output tokens.
func RequestRows(reqs []cluster.Request) []RequestRow {
	rows := make([]RequestRow, len(reqs))
	nan := math.NaN()
	for i := range reqs {
		q := &reqs[i]
		r := &rows[i]
		for j := range r {
			r[j] = nan
		}
		p, d := float64(q.OrigP), float64(q.OrigD)
		r[15] = p + d
		r[16] = p
		r[17] = d
		r[18] = p / d
		r[19] = float64(q.NumRestarts)
		r[20] = float64(q.Replica)
		r[21] = q.ArrivedAt
		if q.Scheduled || q.NumRestarts > 0 || q.ScheduledAt > 0 {
			r[22] = q.ScheduledAt
		}
		if q.PrefillCompletedAt > 0 {
			r[23] = q.PrefillCompletedAt
		}
		if !q.Completed {
			continue
		}
		e2e := q.CompletedAt - q.ArrivedAt
		r[0], r[1] = e2e, e2e/d
		r[2], r[3] = q.ExecutionTime, q.ExecutionTime/d
		r[4], r[5] = q.ModelExecutionTime, q.ModelExecutionTime/d
		r[6] = q.PreemptedTime
		r[7] = q.SchedulingDelay
		r[8] = q.ExecutionTime + q.PreemptedTime
		r[9] = r[8] / d
		r[10] = q.PrefillCompletedAt - q.ArrivedAt
		r[11] = q.PrefillCompletedAt - q.ScheduledAt
		r[12] = r[11] / p
		r[13] = (q.CompletedAt - q.PrefillCompletedAt) / d
		r[24] = q.CompletedAt
		if q.NumTokenGaps > 0 {
			r[25] = (q.LastTokenAt - q.FirstTokenAt) / float64(q.NumTokenGaps)
			r[26] = q.MaxTokenGap
		}
	}
	// Inter-arrival delay in the order arrivals are handled: (time, id).
	order := make([]int32, len(reqs))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int {
		switch {
		case reqs[a].ArrivedAt < reqs[b].ArrivedAt:
			return -1
		case reqs[a].ArrivedAt > reqs[b].ArrivedAt:
			return 1
		}
		return 0
	})
	for k := 1; k < len(order); k++ {
		rows[order[k]][colInterArrival] = reqs[order[k]].ArrivedAt - reqs[order[k-1]].ArrivedAt
	}
	return rows
}
