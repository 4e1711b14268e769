package simcmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/vidur-go/vidur-go/hardware"
	"github.com/vidur-go/vidur-go/internal/cli"
	"github.com/vidur-go/vidur-go/predictor"
	"github.com/vidur-go/vidur-go/search"
	"github.com/vidur-go/vidur-go/sim"
)

type searchFlags struct {
	outDir          string
	workers         int
	shard           string
	resume          bool
	prices          []string
	artifactDir     string
	requireArtifact bool
	dryRun          bool
	bestRun         bool
	progress        bool
	top             int
}

func (f *searchFlags) registerReport(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVarP(&f.outDir, "output-dir", "o", "", "directory for results and the report (default search_output/<space name or hash>)")
	fl.StringSliceVar(&f.prices, "price", nil, "GPU price override DEVICE=DOLLARS_PER_GPU_HOUR (repeatable; beats the space's cost section and the catalog)")
	fl.StringVar(&f.artifactDir, "artifact-dir", "", "predictor artifact directory (default $VIDUR_ARTIFACTS or the user cache)")
	fl.BoolVar(&f.requireArtifact, "require-artifact", false, "treat configurations without a trained predictor artifact as infeasible instead of using the analytical model")
	fl.BoolVar(&f.bestRun, "best-run", true, "simulate the best configuration at its capacity once more and write its full outputs under <output-dir>/best")
	fl.IntVar(&f.top, "top", search.DefaultTableRows, "rows of the terminal table (all rows are in report.txt and configs.csv)")
}

func newSearchCmd() *cobra.Command {
	var f searchFlags
	cmd := &cobra.Command{
		Use:   "search SPACE.yaml",
		Short: "Find the cheapest deployment that meets latency SLOs",
		Long: `Search a space of deployments (models × clusters × TP × PP × replica
schedulers and their knobs) for the cheapest one that meets latency SLOs.

Each feasible configuration's capacity — the highest Poisson arrival rate
at which every SLO holds at once (default TTFT p90 ≤ 2 s, TBT p99 ≤ 200 ms,
scheduling delay p99 ≤ 5 s) — is found by bracketing and bisection; the
configurations are ranked by QPS per dollar with a Pareto frontier.
docs/search.md describes the space file and the outputs.

Results are appended to <output-dir>/results.jsonl as each configuration
finishes; re-running the same command resumes. --shard i/N runs every
configuration whose index is i mod N (results-<i>-of-<N>.jsonl, no report);
"vidur-sim search merge" combines the shards into the report.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSearch(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), args[0], &f)
		},
	}
	f.registerReport(cmd)
	fl := cmd.Flags()
	fl.IntVar(&f.workers, "workers", 0, "configurations simulated in parallel (default: all cores)")
	fl.StringVar(&f.shard, "shard", "", "run only shard i/N: configurations whose index is i mod N")
	fl.BoolVar(&f.resume, "resume", true, "reuse the results file of an earlier run of the same space (false: start over)")
	fl.BoolVar(&f.dryRun, "dry-run", false, "list the configurations and why some are infeasible, simulate nothing")
	fl.BoolVar(&f.progress, "progress", false, "show the progress bar even when stderr is not a terminal")
	cmd.AddCommand(newSearchMergeCmd())
	return cmd
}

func newSearchMergeCmd() *cobra.Command {
	var f searchFlags
	cmd := &cobra.Command{
		Use:   "merge RESULTS.jsonl... -o DIR",
		Short: "Merge the results files of a sharded search into its report",
		Long: `Merge the results files of the shards of one search (all from the same
space) and write the same report an unsharded run writes: report.txt,
configs.csv, pareto.csv, pareto.png, best.json and, with --best-run, the
best configuration's full simulation outputs under DIR/best.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.outDir == "" {
				return cli.Usagef("merge needs -o DIR")
			}
			s, recs, err := search.Merge(args)
			if err != nil {
				return err
			}
			return writeSearchReport(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), s, recs, &f)
		},
	}
	f.registerReport(cmd)
	return cmd
}

// loadSpace reads and parses the space file; a relative trace path is
// resolved against the file's directory.
func loadSpace(path string) (*search.Space, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s, err := search.ParseSpace(data, path)
	if err != nil {
		return nil, err
	}
	if t := s.Workload.Trace; t != "" && !filepath.IsAbs(t) {
		s.Workload.Trace = filepath.Join(filepath.Dir(path), t)
	}
	if t := s.Workload.Trace; t != "" {
		if _, err := os.Stat(t); err != nil {
			return nil, fmt.Errorf("%s: workload.trace: %w", path, err)
		}
	}
	return s, nil
}

func runSearch(ctx context.Context, stdout, stderr io.Writer, path string, f *searchFlags) error {
	s, err := loadSpace(path)
	if err != nil {
		return err
	}
	var shard search.Shard
	if f.shard != "" {
		if shard, err = search.ParseShard(f.shard); err != nil {
			return cli.Usagef("--shard: %v", err)
		}
	}
	cat := searchCatalog{artifactDir: f.artifactDir, requireArtifact: f.requireArtifact}
	exp, err := search.Expand(s, cat)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if f.dryRun {
		return printExpansion(stdout, exp)
	}
	if _, err := resolvePrices(s, exp, f.prices); err != nil {
		return err // fail before simulating, not after
	}
	dir := f.outDir
	if dir == "" {
		name := s.Name
		if name == "" {
			name = s.Hash()
		}
		dir = filepath.Join("search_output", name)
	}
	resultsPath := filepath.Join(dir, search.ResultsFile)
	if shard.Count > 1 {
		resultsPath = filepath.Join(dir, fmt.Sprintf("results-%d-of-%d.jsonl", shard.Index, shard.Count))
	}
	ev := &simEvaluator{space: s, artifactDir: f.artifactDir, requireArtifact: f.requireArtifact}
	prog := newSearchProgress(stderr, f.progress || isTerminal(stderr))
	start := time.Now()
	res, err := search.Run(ctx, s, exp, ev, search.RunOptions{
		Workers: f.workers, Shard: shard, ResultsPath: resultsPath, Resume: f.resume, Progress: prog.update,
		Evaluator: evaluatorSettings(f),
	})
	prog.finish()
	if err != nil {
		if res != nil && errors.Is(err, context.Canceled) {
			fmt.Fprintf(stderr, "interrupted: %d configurations recorded in %s; re-run the same command to resume\n", len(res.Records), resultsPath)
		}
		return err
	}
	fmt.Fprintf(stderr, "searched %d configurations (%d resumed) in %s; results in %s\n",
		len(res.Records), res.Resumed, time.Since(start).Round(time.Millisecond), resultsPath)
	if shard.Count > 1 {
		fmt.Fprintf(stdout, "shard %s done: %s\nmerge all shards with: vidur-sim search merge %s -o DIR\n",
			shard, resultsPath, filepath.Join(dir, "results-*-of-"+strconv.Itoa(shard.Count)+".jsonl"))
		return nil
	}
	f.outDir = dir
	return writeSearchReport(ctx, stdout, stderr, s, res.Records, f)
}

// evaluatorSettings describes the predictor settings recorded with the
// results, so that a resume or merge never mixes predictors.
func evaluatorSettings(f *searchFlags) string {
	dir := f.artifactDir
	if dir == "" {
		if d, err := predictor.DefaultDir(); err == nil {
			dir = d
		}
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	return fmt.Sprintf("vidur-sim; artifact_dir=%s; require_artifact=%v", dir, f.requireArtifact)
}

// resolvePrices maps every device of the expansion to its $/GPU-hour: the
// hardware catalog, overridden by the space's cost section, overridden by
// --price flags.
func resolvePrices(s *search.Space, exp *search.Expansion, flags []string) (search.Prices, error) {
	prices := search.Prices{}
	for _, c := range s.Clusters {
		if d, err := hardware.LookupDevice(c.Device); err == nil && d.PricePerHour > 0 {
			prices[c.Device] = d.PricePerHour
		}
	}
	for d, p := range s.Cost.GPUPricePerHour {
		prices[d] = p
	}
	for _, kv := range flags {
		d, v, ok := strings.Cut(kv, "=")
		p, err := strconv.ParseFloat(v, 64)
		if !ok || d == "" || err != nil || !(p > 0) {
			return nil, cli.Usagef("--price %q: want DEVICE=DOLLARS_PER_GPU_HOUR with a positive price, e.g. a100=3.72", kv)
		}
		prices[d] = p
	}
	if exp != nil {
		for _, c := range s.Clusters {
			if _, ok := prices[c.Device]; !ok {
				return nil, fmt.Errorf("no price for device %s: the hardware catalog has none; set cost.gpu_price_per_hour.%s in the space or --price %s=DOLLARS", c.Device, c.Device, c.Device)
			}
		}
	}
	return prices, nil
}

func writeSearchReport(ctx context.Context, stdout, stderr io.Writer, s *search.Space, recs []search.Record, f *searchFlags) error {
	prices, err := resolvePrices(s, &search.Expansion{}, f.prices)
	if err != nil {
		return err
	}
	rep, err := search.NewReport(s, recs, prices)
	if err != nil {
		return err
	}
	if err := rep.WriteDir(f.outDir); err != nil {
		return err
	}
	if err := rep.WriteText(stdout, f.top); err != nil {
		return err
	}
	if best := rep.BestRow(); best != nil && f.bestRun {
		ev := &simEvaluator{space: s, artifactDir: f.artifactDir, requireArtifact: f.requireArtifact}
		cfg := ev.simConfig(best.Point, best.QPS())
		cfg.Output = sim.OutputConfig{Dir: filepath.Join(f.outDir, "best"), ChromeTrace: true, Plots: true, BatchMetrics: true, TokenTBT: true}
		if err := runSimulation(ctx, io.Discard, stderr, cfg, false); err != nil {
			return fmt.Errorf("simulate the best configuration: %w", err)
		}
		fmt.Fprintf(stdout, "\nbest configuration's simulation outputs at %s QPS: %s\n", strconv.FormatFloat(best.QPS(), 'g', -1, 64), cfg.Output.Dir)
	}
	fmt.Fprintf(stdout, "report: %s\n", f.outDir)
	return nil
}

func printExpansion(w io.Writer, exp *search.Expansion) error {
	rows := make([][]string, 0, exp.Total)
	status := make(map[int]string, exp.Total)
	points := make([]search.Point, exp.Total)
	for _, p := range exp.Points {
		points[p.Index] = p
	}
	for _, inf := range exp.Infeasible {
		points[inf.Point.Index] = inf.Point
		status[inf.Point.Index] = inf.Reason
	}
	for _, p := range points {
		st := status[p.Index]
		if st == "" {
			st = "feasible"
		}
		rows = append(rows, []string{strconv.Itoa(p.Index), p.ID, p.Label(), st})
	}
	if err := cli.Table(w, []string{"index", "id", "configuration", "status"}, rows); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%d configurations: %d feasible, %d infeasible\n", exp.Total, len(exp.Points), len(exp.Infeasible))
	return err
}

// searchProgress is a bar over configurations with an ETA on stderr.
type searchProgress struct {
	bar     *progressbar.ProgressBar
	enabled bool
	w       io.Writer
}

func newSearchProgress(w io.Writer, enabled bool) *searchProgress {
	return &searchProgress{w: w, enabled: enabled}
}

func (p *searchProgress) update(done, total int, last search.Record) {
	if !p.enabled {
		return
	}
	if p.bar == nil {
		p.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetDescription("configurations"),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionShowElapsedTimeOnFinish(),
			progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
	}
	if last.Capacity != nil && last.Capacity.QPS > 0 {
		p.bar.Describe(fmt.Sprintf("configurations (last %s: %.3g QPS)", last.Point.ID, last.Capacity.QPS))
	}
	_ = p.bar.Set(done)
}

func (p *searchProgress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
		fmt.Fprintln(p.w)
	}
}
