package simcmd

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/vidur-go/vidur-go/sim"
	"github.com/vidur-go/vidur-go/sim/metrics"
	"github.com/vidur-go/vidur-go/sim/output"
)

func newRunCmd() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Simulate one deployment",
		Long: `Simulate one deployment serving a stream of requests and report its
latency (TTFT, TPOT, end to end), throughput and utilization.

With no flags it simulates the default deployment: Meta-Llama-3-8B on one
h100 of an h100_dgx node, sarathi scheduler (chunk 512), 300 requests of
2048 prompt + 512 output tokens arriving Poisson at 2 QPS. Every flag
changes one thing from there.

Requests are synthetic (--num-requests, --qps, --arrival, --prefill-tokens,
--decode-tokens or --length-trace) or replayed from a trace (--trace).
Batch times come from the predictor artifact of (model, device, node, TP)
when one exists (vidur-train fit builds it), else from an analytical
roofline model built in process, reported as "analytical, not measured".

A YAML file (--config) sets any option, including those without a flag;
flags override it. --print-config prints the effective configuration as
YAML. Outputs go to --output-dir (default simulator_output/<run name>):
summary.json, requests.csv, batches.csv, config.yaml, trace.json
(Chrome/Perfetto) and plots/*.png. docs/configuration.md lists every
option with Vidur's flag name, docs/metrics.md every metric.`,
		Example: `  vidur-sim run                                   # the default deployment
  vidur-sim run --model meta-llama/Meta-Llama-3-70B --tp 4 --qps 1
  vidur-sim run --device a100 --replicas 2 --router lor
  vidur-sim run --prefill-tokens 8192 --decode-tokens 256 --qps 0.5
  vidur-sim run --arrival gamma --cv 3 --qps 4     # bursty arrivals
  vidur-sim run --length-trace arxiv_summarization_stats_llama2_tokenizer_filtered_v2.csv
  vidur-sim run --trace splitwise_conv.csv --num-requests 2000   # first 2000 rows
  vidur-sim run --model-config path/to/config.json  # a model from its Hugging Face config
  vidur-sim run --print-config > my.yaml && vidur-sim run --config my.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := f.config(cmd)
			if err != nil {
				return err
			}
			if f.printConfig {
				y, err := cfg.YAML()
				if err != nil {
					return err
				}
				_, err = cmd.OutOrStdout().Write(y)
				return err
			}
			return runSimulation(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), cfg, f.progress)
		},
	}
	f.register(cmd)
	return cmd
}

func runSimulation(ctx context.Context, stdout, stderr io.Writer, cfg sim.Config, forceProgress bool) error {
	setup, err := sim.Prepare(cfg, nil)
	if err != nil {
		return err
	}
	prog := newProgress(stderr, forceProgress)
	res, err := setup.RunContext(ctx, prog.update)
	prog.finish()
	if err != nil {
		return err
	}
	dir := cfg.Output.Dir
	if dir == "" {
		dir = filepath.Join("simulator_output", cfg.RunName())
	}
	y, err := cfg.YAML()
	if err != nil {
		return err
	}
	rep := output.Report{
		RunName: cfg.RunName(), Predictor: setup.TimerSource,
		Model: setup.Params.Model.Name, Device: setup.Device.Name, Node: setup.Node.Name,
		TP: setup.Params.TP, PP: setup.Params.PP, NumReplicas: setup.Params.Replicas,
		Scheduler: cfg.Scheduler.Type, Router: cfg.Cluster.Router,
		NumBlocks: res.NumBlocks, MaxBatchSize: res.Plan.MaxBatchSize,
		TimeLimited: res.TimeLimited, NumEvents: res.NumEvents,
		Summary: metrics.Summarize(res.Requests, res.Metrics, metrics.SummaryInput{EndTimeS: res.EndTimeS}),
	}
	files, err := output.Write(dir, output.Files{
		Report: rep, Requests: res.Requests, Metrics: res.Metrics, ConfigYAML: y,
		Replicas: setup.Params.Replicas, Stages: setup.Params.PP,
		Trace: cfg.Output.ChromeTrace, Batches: cfg.Output.BatchMetrics, Plots: cfg.Output.Plots,
	})
	if err != nil {
		return err
	}
	if err := printSummary(stdout, rep, describeWorkload(cfg.Workload, len(setup.Requests))); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %d files to %s\n", len(files), dir)
	return nil
}

// progress shows a bar of completed requests on stderr once a run has taken
// more than a second, when stderr is a terminal or --progress is given.
type progress struct {
	w       io.Writer
	enabled bool
	start   time.Time
	bar     *progressbar.ProgressBar
}

func newProgress(w io.Writer, force bool) *progress {
	p := &progress{w: w, enabled: force || isTerminal(w), start: time.Now()}
	return p
}

func (p *progress) update(done, total int) {
	if !p.enabled {
		return
	}
	if p.bar == nil {
		if time.Since(p.start) < time.Second {
			return
		}
		p.bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetDescription("simulating requests"), progressbar.OptionShowCount(),
			progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
	}
	_ = p.bar.Set(done)
}

func (p *progress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
