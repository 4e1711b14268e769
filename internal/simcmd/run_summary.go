package simcmd

import (
	"fmt"
	"io"
	"path/filepath"
	"strconv"

	"github.com/vidur-go/vidur-go/internal/cli"
	"github.com/vidur-go/vidur-go/sim/metrics"
	"github.com/vidur-go/vidur-go/sim/output"
	"github.com/vidur-go/vidur-go/sim/workload"
)

func ms(v float64) string { return strconv.FormatFloat(v*1e3, 'f', 2, 64) }

// printSummary writes the headline metrics as terminal tables.
// workloadLine (describeWorkload) follows the deployment line.
func printSummary(w io.Writer, r output.Report, workloadLine string) error {
	fmt.Fprintf(w, "%s on %s × %d (node %s, TP %d, PP %d), %s scheduler, %s router\n",
		r.Model, r.Device, r.NumReplicas*r.TP*r.PP, r.Node, r.TP, r.PP, r.Scheduler, r.Router)
	fmt.Fprintln(w, workloadLine)
	fmt.Fprintf(w, "batch times: %s\n", r.Predictor)
	limited := ""
	if r.TimeLimited {
		limited = " (stopped at the time limit)"
	}
	fmt.Fprintf(w, "%d of %d requests completed in %.3f s simulated%s: %.3f req/s, %.1f tokens/s; %d batches, mean size %.2f\n\n",
		r.Completed, r.Requests, r.MakespanS, limited, r.ThroughputRPS, r.TokensPerS, r.Batches, r.BatchSizeMean)
	row := func(name string, d metrics.Dist) []string {
		return []string{name, ms(d.Mean), ms(d.P50), ms(d.P90), ms(d.P95), ms(d.P99), ms(d.Max)}
	}
	rows := [][]string{
		row("TTFT (prefill_e2e_time)", r.TTFT),
		row("TPOT (decode_time_..._normalized)", r.TBT),
	}
	if r.TokenTBT != nil {
		rows = append(rows, row("TBT per token", *r.TokenTBT))
	}
	rows = append(rows, row("E2E (request_e2e_time)", r.E2E), row("scheduling delay", r.SchedulingDelay))
	if r.BatchExecutionTime != nil {
		rows = append(rows, row("batch_execution_time", *r.BatchExecutionTime))
	}
	if err := cli.Table(w, []string{"metric (ms)", "mean", "p50", "p90", "p95", "p99", "max"}, rows); err != nil {
		return err
	}
	var util [][]string
	for _, rep := range r.Replicas {
		for _, st := range rep.Stages {
			util = append(util, []string{strconv.Itoa(rep.Replica), strconv.Itoa(st.Stage),
				strconv.FormatFloat(st.BusyPercent, 'f', 1, 64), strconv.FormatFloat(st.MFUMeanPercent, 'f', 2, 64),
				strconv.FormatFloat(rep.MemoryMeanPercent, 'f', 1, 64), strconv.FormatFloat(rep.MemoryMaxPercent, 'f', 1, 64)})
		}
	}
	return cli.Table(w, []string{"replica", "stage", "busy %", "MFU %", "KV mem mean %", "KV mem max %"}, util)
}

// describeWorkload says in one line what requests were simulated; n is the
// number generated.
func describeWorkload(w workload.Config, n int) string {
	if w.Type == workload.TypeTraceReplay {
		rows := "every row"
		if w.NumRequests > 0 {
			rows = fmt.Sprintf("its first %d rows", w.NumRequests)
		}
		return fmt.Sprintf("workload: %d requests replayed from %s (%s)", n, filepath.Base(w.TraceFile), rows)
	}
	var arrivals string
	switch iv := w.Interval; iv.Type {
	case workload.IntervalPoisson:
		arrivals = fmt.Sprintf("poisson arrivals at %g QPS", iv.QPS)
	case workload.IntervalGamma:
		arrivals = fmt.Sprintf("gamma arrivals at %g QPS (cv %g)", iv.QPS, iv.CV)
	case workload.IntervalStatic:
		arrivals = "all arriving at t=0"
	default:
		arrivals = "arrival times from " + filepath.Base(iv.TraceFile)
	}
	var lengths string
	switch l := w.Length; l.Type {
	case workload.LengthFixed:
		lengths = fmt.Sprintf("%d prompt + %d output tokens", l.PrefillTokens, l.DecodeTokens)
	case workload.LengthUniform:
		lengths = fmt.Sprintf("uniform lengths of %d–%d tokens", l.MinTokens, w.MaxTokens)
	case workload.LengthZipf:
		lengths = fmt.Sprintf("zipf lengths (theta %g) of %d–%d tokens", l.Theta, l.MinTokens, w.MaxTokens)
	default:
		lengths = "lengths drawn from " + filepath.Base(l.TraceFile)
	}
	within := ""
	if w.Duration > 0 {
		within = fmt.Sprintf(" in the first %g s", w.Duration)
	}
	return fmt.Sprintf("workload: %d requests%s, %s, %s (max_tokens %d, seed %d)", n, within, arrivals, lengths, w.MaxTokens, w.Seed)
}
