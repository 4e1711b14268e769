package simcmd

import (
	"fmt"
	"io"
	"strconv"

	"github.com/vidur-go/vidur-go/internal/cli"
	"github.com/vidur-go/vidur-go/sim/metrics"
	"github.com/vidur-go/vidur-go/sim/output"
)

func ms(v float64) string { return strconv.FormatFloat(v*1e3, 'f', 2, 64) }

// printSummary writes the headline metrics as terminal tables.
func printSummary(w io.Writer, r output.Report) error {
	fmt.Fprintf(w, "%s on %s × %d (node %s, TP %d, PP %d), %s scheduler, %s router\n",
		r.Model, r.Device, r.NumReplicas*r.TP*r.PP, r.Node, r.TP, r.PP, r.Scheduler, r.Router)
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
