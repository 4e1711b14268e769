package profilecmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/vidur-go/vidur-go/internal/cli"
	"github.com/vidur-go/vidur-go/models"
	"github.com/vidur-go/vidur-go/profiler"
	"github.com/vidur-go/vidur-go/profiler/gpu"
	"github.com/vidur-go/vidur-go/profiler/sweep"
	"github.com/vidur-go/vidur-go/profiler/worker"
)

// workerFlags are the flags run and verify share to start the worker.
type workerFlags struct {
	python    string
	workerCmd []string
	timeout   time.Duration
}

func (w *workerFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&w.python, "python", "", "Python interpreter with PyTorch (default: python3 on PATH if it imports torch, else /usr/bin/python3)")
	cmd.Flags().DurationVar(&w.timeout, "shape-timeout", 10*time.Minute, "longest one shape may take before the worker is restarted and the shape skipped")
	cmd.Flags().StringSliceVar(&w.workerCmd, "worker-command", nil, "command that starts a protocol-compatible worker instead of the embedded one (testing)")
	_ = cmd.Flags().MarkHidden("worker-command")
}

// startWorker starts the measurement worker, telling the user about crashes.
func (w *workerFlags) startWorker(ctx context.Context, device string, stderr io.Writer) (*worker.Supervisor, error) {
	dev := "auto"
	if device == "cpu" {
		dev = "cpu"
	}
	sup, err := worker.NewSupervisor(ctx, worker.Options{Command: w.workerCmd, Python: w.python, Device: dev})
	if err != nil {
		return nil, err
	}
	sup.OnCrash = func(e *worker.CrashError) {
		fmt.Fprintf(stderr, "\nwarning: %v\nrestarting the worker\n", e)
	}
	return sup, nil
}

// measuredSKU decides which device SKU the worker's timings belong to.
func measuredSKU(h worker.Hello, flagDevice string) (string, error) {
	if h.Device != "cuda" {
		if flagDevice != "" && flagDevice != "cpu" {
			return "", cli.Usagef("the worker runs on the CPU (%s): its timings cannot go into a %q profile; pass --device cpu or run on that GPU", h.DeviceName, flagDevice)
		}
		return "cpu", nil
	}
	if flagDevice != "" {
		return flagDevice, nil
	}
	if sku, ok := gpu.SKUFor(h.DeviceName); ok {
		return sku, nil
	}
	return "", cli.Usagef("GPU %q is not in the hardware catalog: pass --device SKU", h.DeviceName)
}

func newRunCmd() *cobra.Command {
	var f sweepFlags
	var wf workerFlags
	var retrySkipped bool
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Measure an operator sweep on this machine",
		Long: `Run plans a sweep (see plan) and measures every shape with a PyTorch worker
on this machine's GPU (CUDA events, fp16) or, without one, its CPU
(perf_counter, float32), then writes Vidur-format mlp.csv and attention.csv
for each model into the store under compute/<sku>/<model>/ with manifests
marked measured.

Measurements are appended to a journal (measurements/<sku>/<env>.partial.jsonl
in the store, fsynced every 16 shapes or 2 s): an interrupted run (Ctrl-C, a
crash, a lost machine) continues where it stopped when the same command is
run again, and another model needing the same shapes reuses them. A shape
that runs out of memory is recorded as skipped with the reason and the sweep
goes on; a crashed worker is reported with its stderr and restarted.`,
		Example: `  vidur-profile run --model meta-llama/Meta-Llama-3-8B --tp 1,2 --store ./store
  vidur-profile run --model-config ./config.json --device cpu --budget 200 --store ./store`,
		Args: cobra.NoArgs,
	}
	f.register(cmd)
	wf.register(cmd)
	store := storeFlag(cmd)
	cmd.Flags().BoolVar(&retrySkipped, "retry-skipped", false, "measure again the shapes an earlier run skipped (oom, crash)")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		ctx := cmd.Context()
		stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
		root, err := store()
		if err != nil {
			return err
		}
		if _, err := f.resolveModels(); err != nil { // fail before starting torch
			return err
		}
		st, err := profiler.OpenStore(root)
		if err != nil {
			return err
		}
		sup, err := wf.startWorker(ctx, f.device, stderr)
		if err != nil {
			return err
		}
		defer sup.Close()
		hello := sup.Hello()
		sku, err := measuredSKU(hello, f.device)
		if err != nil {
			return err
		}
		_, gpus := detectGPUs()
		if hello.Device != "cuda" {
			gpus = 0
		}
		req, err := f.request(sku, gpus)
		if err != nil {
			return err
		}
		plan, err := sweep.Build(req)
		if err != nil {
			return err
		}
		fp := journalFingerprint(hello, req.Warmup, req.Repeats)
		j, err := openJournal(journalPath(root, sku, fp))
		if err != nil {
			return err
		}
		defer j.close()
		r := &sweepRun{plan: plan, req: &req, journal: j, sup: sup, hello: hello, timeout: wf.timeout}
		fmt.Fprintf(stderr, "worker: torch %s on %s (%s, %s, %s timing, attention %s)\n",
			hello.Torch, hello.DeviceName, hello.Device, hello.Dtype, hello.Timing, hello.AttentionBackend)
		if j.dropped > 0 {
			fmt.Fprintf(stderr, "journal %s: %d unreadable line(s) ignored (torn write); those shapes are measured again\n", j.path, j.dropped)
		}
		start := time.Now()
		measured, err := r.measure(ctx, stderr, retrySkipped)
		if err != nil {
			if errors.Is(err, errInterrupted) {
				fmt.Fprintf(stderr, "interrupted after %d shapes; the journal %s is saved: run the same command again to continue\n", measured, j.path)
				return ctx.Err()
			}
			return err
		}
		wall := time.Since(start)
		profiles, skipped, err := r.write(st, sku)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "measured %d shapes in %s (%d from the journal); %d skipped\n",
			measured, wall.Round(time.Millisecond), len(plan.Points)-measured, skipped)
		for _, p := range profiles {
			fmt.Fprintf(stdout, "wrote %s (%d rows)\n", p.Path, p.Manifest.Rows)
		}
		return nil
	}
	return cmd
}

// sweepRun measures one plan.
type sweepRun struct {
	plan    *sweep.Plan
	req     *sweep.Request
	journal *journal
	sup     *worker.Supervisor
	hello   worker.Hello
	timeout time.Duration
}

// measure times every point the journal lacks, returning how many it
// measured now. A cancelled ctx syncs the journal and returns errInterrupted.
func (r *sweepRun) measure(ctx context.Context, stderr io.Writer, retrySkipped bool) (int, error) {
	var todo []sweep.Point
	for _, pt := range r.plan.Points {
		e, ok := r.journal.entries[pt.Key]
		if !ok || (retrySkipped && e.Skipped != "" && e.Skipped != "unsupported") {
			todo = append(todo, pt)
		}
	}
	if len(todo) == 0 {
		return 0, nil
	}
	bar := progressbar.NewOptions(len(todo), progressbar.OptionSetWriter(stderr),
		progressbar.OptionSetDescription("measuring"), progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true), progressbar.OptionShowElapsedTimeOnFinish(),
		progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionClearOnFinish())
	defer bar.Finish()
	n := 0
	for _, pt := range todo {
		res, err := r.sup.Measure(ctx, pt.Op, pt.Shape, r.req.Warmup, r.req.Repeats, r.timeout)
		if err != nil {
			if serr := r.journal.sync(); serr != nil {
				return n, serr
			}
			if ctx.Err() != nil {
				return n, errInterrupted
			}
			return n, err
		}
		e := journalEntry{Key: pt.Key}
		if res.Error != "" {
			e.Skipped, e.Detail = res.Error, res.Detail
			if res.Error != "unsupported" {
				fmt.Fprintf(stderr, "\nskipped %s: %s: %s\n", pt.Key, res.Error, res.Detail)
			}
		} else {
			e.Stats = &profiler.Stats{Min: res.Min, Max: res.Max, Mean: res.Mean, Median: res.Median, Std: res.Std}
			e.TimesMs = res.TimesMs
		}
		if err := r.journal.add(e); err != nil {
			return n, err
		}
		n++
		_ = bar.Add(1)
	}
	return n, r.journal.sync()
}

// write converts the journal into Vidur-format profiles for every model of
// the plan and returns them with the count of rows left out.
func (r *sweepRun) write(st *profiler.Store, sku string) ([]profiler.Profile, int, error) {
	skippedRows := 0
	lookup := func(ops []sweep.OpRef) (map[string]profiler.Stats, bool) {
		m := make(map[string]profiler.Stats, len(ops))
		for _, o := range ops {
			e, ok := r.journal.entries[o.Key]
			if !ok || e.Stats == nil {
				return nil, false
			}
			m[o.Name] = *e.Stats
		}
		return m, true
	}
	var out []profiler.Profile
	for i := range r.req.Models {
		cfg := &r.req.Models[i]
		before := skippedRows
		var mlp []profiler.MLPRow
		for _, row := range r.plan.MLPRows {
			if row.Model != cfg.Name {
				continue
			}
			ops, ok := lookup(row.Ops)
			if !ok {
				skippedRows++
				continue
			}
			mlp = append(mlp, profiler.MLPRow{
				NHead: cfg.NumQHeads, NKVHead: cfg.NumKVHeads, NEmbd: cfg.EmbeddingDim, NExpandedEmbd: cfg.MLPHiddenDim,
				VocabSize: cfg.VocabSize, UseGatedMLP: cfg.UseGatedMLP, NumTokens: row.NumTokens, TP: row.TP, Ops: ops,
			})
		}
		var attn []profiler.AttentionRow
		for _, row := range r.plan.AttentionRows {
			if row.Model != cfg.Name {
				continue
			}
			ops, ok := lookup(row.Ops)
			if !ok {
				skippedRows++
				continue
			}
			attn = append(attn, profiler.AttentionRow{
				NEmbd: cfg.EmbeddingDim, NQHead: cfg.NumQHeads, NKVHead: cfg.NumKVHeads, BlockSize: r.plan.BlockSize,
				TP: row.TP, MaxModelLen: r.plan.MaxContext, BatchSize: row.BatchSize, PrefillChunkSize: row.PrefillChunkSize,
				KVCacheSize: row.KVCacheSize, IsPrefill: row.IsPrefill, Backend: "vidur-go." + r.hello.AttentionBackend, Ops: ops,
			})
		}
		m := r.manifest(cfg, skippedRows-before)
		if len(mlp) > 0 {
			p, err := st.WriteMLP(sku, cfg.Name, mlp, m)
			if err != nil {
				return nil, 0, err
			}
			out = append(out, p)
		}
		if len(attn) > 0 {
			p, err := st.WriteAttention(sku, cfg.Name, attn, m)
			if err != nil {
				return nil, 0, err
			}
			out = append(out, p)
		}
	}
	for _, row := range r.plan.CollectiveRows {
		if e, ok := r.journal.entries[row.Key]; !ok || e.Stats == nil {
			skippedRows++
		}
	}
	return out, skippedRows, nil
}

func (r *sweepRun) manifest(cfg *models.Config, skippedRows int) profiler.Manifest {
	extra := r.hello.Extra()
	cj, _ := json.Marshal(cfg)
	extra["model_config"] = string(cj)
	extra["plan.max_context"] = strconv.Itoa(r.plan.MaxContext)
	extra["plan.block_size"] = strconv.Itoa(r.plan.BlockSize)
	extra["plan.warmup"] = strconv.Itoa(r.plan.Warmup)
	extra["plan.repeats"] = strconv.Itoa(r.plan.Repeats)
	extra["plan.budget"] = r.plan.Budget.String()
	extra["plan.density"] = strconv.FormatFloat(r.plan.Density, 'g', 6, 64)
	extra["rows_skipped"] = strconv.Itoa(skippedRows)
	extra["journal"] = r.journal.path
	if devs, err := detector().Detect(); err == nil && len(devs) > 0 && r.hello.Device == "cuda" {
		d := devs[0]
		extra["nvml.name"], extra["nvml.uuid"], extra["nvml.sku"] = d.Name, d.UUID, d.SKU
		extra["nvml.memory_bytes"] = strconv.FormatUint(d.MemoryBytes, 10)
		extra["nvml.compute_capability"] = d.ComputeCapability
	}
	return profiler.Manifest{
		Source:   fmt.Sprintf("vidur-profile run on %s (%s, %s)", r.hello.DeviceName, r.hello.Device, r.hello.Dtype),
		Measured: true,
		Method:   r.hello.Timing,
		Extra:    extra,
	}
}
