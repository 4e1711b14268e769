package simcmd

import (
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
		Long: `Simulate one deployment and write its metrics.

With no arguments it simulates the default deployment: Meta-Llama-3-8B on
one h100 of an h100_dgx node, sarathi (chunk 512), 300 requests of 2048 +
512 tokens arriving Poisson at 2 QPS. Batch times come from the predictor
artifact of (model, device, node, TP) when one exists, else from an
analytical roofline model built in process (reported as "analytical, not
measured").

A YAML file (--config) sets any option; flags override it. --print-config
prints the effective configuration and exits. Outputs go to --output-dir
(default simulator_output/<run name>): summary.json, requests.csv,
batches.csv, config.yaml, trace.json (Chrome/Perfetto) and plots/*.png.
docs/configuration.md lists every option, docs/metrics.md every metric.`,
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
			return runSimulation(cmd.OutOrStdout(), cmd.ErrOrStderr(), cfg, f.progress)
		},
	}
	f.register(cmd)
	return cmd
}

func runSimulation(stdout, stderr io.Writer, cfg sim.Config, forceProgress bool) error {
	setup, err := sim.Prepare(cfg, nil)
	if err != nil {
		return err
	}
	prog := newProgress(stderr, forceProgress)
	res, err := setup.Run(prog.update)
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
	if err := printSummary(stdout, rep); err != nil {
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
