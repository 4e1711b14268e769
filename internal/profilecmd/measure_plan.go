package profilecmd

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vidur-go/vidur-go/hardware"
	"github.com/vidur-go/vidur-go/internal/cli"
	"github.com/vidur-go/vidur-go/models"
	"github.com/vidur-go/vidur-go/profiler/sweep"
)

// sweepFlags are the flags plan and run share.
type sweepFlags struct {
	models       []string
	modelConfigs []string
	modelName    string
	tp           string
	maxContext   int
	maxBatch     int
	blockSize    int
	budget       string
	device       string
	gpus         int
	repeats      int
	warmup       int
}

func (f *sweepFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringSliceVar(&f.models, "model", nil, "catalog model name(s), e.g. meta-llama/Meta-Llama-3-8B (repeat or comma-separate)")
	fl.StringSliceVar(&f.modelConfigs, "model-config", nil, "Hugging Face config.json path(s) of models not in the catalog")
	fl.StringVar(&f.modelName, "model-name", "", "name (org/name) for a single --model-config model, overriding the inferred one")
	fl.StringVar(&f.tp, "tp", "1", "tensor-parallel degrees, comma-separated (e.g. 1,2,4,8)")
	fl.IntVar(&f.maxContext, "max-context", 4096, "largest num_tokens and max_model_len of the sweep")
	fl.IntVar(&f.maxBatch, "max-batch", 128, "largest decode batch size")
	fl.IntVar(&f.blockSize, "block-size", 16, "paged KV-cache block size (tokens)")
	fl.StringVar(&f.budget, "budget", "", `limit the sweep: a point count ("2000" or "2000pts") or GPU time ("1h", "900s"); default: Vidur's full grid`)
	fl.StringVar(&f.device, "device", "", "device SKU from the hardware catalog (default: the detected GPU; run on a CPU: cpu)")
	fl.IntVar(&f.gpus, "gpus", -1, "GPUs available for collectives (default: the detected count)")
	fl.IntVar(&f.repeats, "repeats", 10, "timed executions per shape")
	fl.IntVar(&f.warmup, "warmup", 2, "untimed executions per shape before timing")
}

// parseBudget reads --budget: an integer (optionally suffixed "pts" or
// "points") is a point count; a Go duration ("90m", "3600s") GPU time.
func parseBudget(s string) (sweep.Budget, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return sweep.Budget{}, nil
	}
	num := strings.TrimSuffix(strings.TrimSuffix(s, "points"), "pts")
	if n, err := strconv.Atoi(strings.TrimSpace(num)); err == nil {
		if n <= 0 {
			return sweep.Budget{}, cli.Usagef("--budget %q: the point count must be positive", s)
		}
		return sweep.Budget{Points: n}, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return sweep.Budget{}, cli.Usagef("--budget %q: want a point count (2000, 2000pts) or a positive duration (90m, 3600s)", s)
	}
	return sweep.Budget{GPUSeconds: d.Seconds()}, nil
}

func parseTP(s string) ([]int, error) {
	var out []int
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		v, err := strconv.Atoi(p)
		if err != nil || v < 1 {
			return nil, cli.Usagef("--tp %q: %q is not a positive integer", s, p)
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, cli.Usagef("--tp %q: no degree given", s)
	}
	return out, nil
}

// resolveModels loads the --model and --model-config models.
func (f *sweepFlags) resolveModels() ([]models.Config, error) {
	if len(f.models)+len(f.modelConfigs) == 0 {
		return nil, cli.Usagef("give --model NAME (see the catalog) or --model-config config.json")
	}
	if f.modelName != "" && len(f.modelConfigs) != 1 {
		return nil, cli.Usagef("--model-name needs exactly one --model-config")
	}
	var out []models.Config
	for _, n := range f.models {
		m, err := models.Lookup(n)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	for _, p := range f.modelConfigs {
		m, err := models.LoadHFConfig(p)
		if err != nil {
			return nil, err
		}
		if f.modelName != "" {
			m.Name = f.modelName
		}
		out = append(out, m)
	}
	return out, nil
}

// cpuDevice is the nominal roofline used for a sweep run on a CPU: it only
// sizes the ETA and the attention memory bound. (A 2-core server core does
// roughly 0.05 TFLOP/s in float32 and streams ~10 GB/s.)
var cpuDevice = sweep.Device{Name: "cpu", PeakTFLOPS: 0.05, MemoryBandwidthGBps: 10, MemoryGB: 16, InterconnectGBps: 10}

// catalogDevice returns the planner's view of a hardware-catalog SKU: its
// roofline and the intra-node bandwidth of its largest node.
func catalogDevice(sku string) (sweep.Device, error) {
	if sku == "cpu" {
		return cpuDevice, nil
	}
	d, err := hardware.LookupDevice(sku)
	if err != nil {
		return sweep.Device{}, fmt.Errorf("--device: %w", err)
	}
	out := sweep.Device{Name: d.Name, PeakTFLOPS: d.FP16TFLOPS, MemoryBandwidthGBps: d.MemoryBandwidthGBps, MemoryGB: d.MemoryGB}
	best := 0
	for _, n := range hardware.Nodes() {
		if n.Device == sku && n.DevicesPerNode > best {
			best, out.InterconnectGBps = n.DevicesPerNode, n.InterconnectGBps
		}
	}
	return out, nil
}

// detectGPUs returns the SKU of the first detected GPU ("" if none or
// unmapped) and the number of GPUs.
func detectGPUs() (sku string, count int) {
	devs, err := detector().Detect()
	if err != nil || len(devs) == 0 {
		return "", 0
	}
	return devs[0].SKU, len(devs)
}

// request builds the planner request; sku is the resolved device.
func (f *sweepFlags) request(sku string, gpus int) (sweep.Request, error) {
	ms, err := f.resolveModels()
	if err != nil {
		return sweep.Request{}, err
	}
	tp, err := parseTP(f.tp)
	if err != nil {
		return sweep.Request{}, err
	}
	b, err := parseBudget(f.budget)
	if err != nil {
		return sweep.Request{}, err
	}
	dev, err := catalogDevice(sku)
	if err != nil {
		return sweep.Request{}, err
	}
	if f.gpus >= 0 {
		gpus = f.gpus
	}
	if f.repeats < 1 || f.warmup < 0 {
		return sweep.Request{}, cli.Usagef("--repeats %d must be ≥ 1 and --warmup %d ≥ 0", f.repeats, f.warmup)
	}
	return sweep.Request{
		Models: ms, TP: tp, MaxContext: f.maxContext, MaxBatchSize: f.maxBatch, BlockSize: f.blockSize,
		Device: dev, GPUs: gpus, Warmup: f.warmup, Repeats: f.repeats, Budget: b,
	}, nil
}

func newPlanCmd() *cobra.Command {
	var f sweepFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Plan an operator sweep and estimate its GPU time",
		Long: `Plan lists the operator shapes a sweep measures for the given models, TP
degrees and maximum context — per TP shard: qkv and output projections,
MLP up (2× wide when gated), activation and down projections, norms, rotary,
residual add; attention prefill (chunk × KV sizes), decode (batch × KV) and
KV-cache writes; all_reduce/send_recv sizes when there are ≥ 2 GPUs — with
Vidur's grids by default, or a thinned grid that fits --budget.

Shapes with the same per-shard dimensions (the same norm at every TP degree,
the same model twice) are measured once; the table says how many uses were
deduplicated. The GPU time is a roofline estimate from the hardware catalog:
(warmup + repeats) × max(FLOPs/peak, bytes/bandwidth) + 5 ms per shape.`,
		Example: `  vidur-profile plan --model meta-llama/Meta-Llama-3-8B --tp 1,2,4,8 --max-context 4096 --device h100
  vidur-profile plan --model meta-llama/Meta-Llama-3-8B --tp 1,2,4,8 --device h100 --budget 30m
  vidur-profile plan --model-config ./config.json --device a100 --json`,
		Args: cobra.NoArgs,
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the full plan (every shape and row) as JSON")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		sku, gpus := detectGPUs()
		if f.device != "" {
			sku = f.device
		}
		if sku == "" {
			return cli.Usagef("no GPU detected: pass --device SKU (a hardware-catalog name such as h100, or cpu)")
		}
		req, err := f.request(sku, gpus)
		if err != nil {
			return err
		}
		p, err := sweep.Build(req)
		if err != nil {
			return err
		}
		if asJSON {
			enc := json.NewEncoder(cmd.OutOrStdout())
			enc.SetIndent("", "  ")
			return enc.Encode(p)
		}
		return printPlan(cmd.OutOrStdout(), p)
	}
	return cmd
}

func printPlan(w io.Writer, p *sweep.Plan) error {
	kinds, total := p.Summary()
	rows := make([][]string, 0, len(kinds)+1)
	for _, k := range append(kinds, total) {
		rows = append(rows, []string{k.Kind, strconv.Itoa(k.Refs), strconv.Itoa(k.Unique), strconv.Itoa(k.Deduplicated), fmtSeconds(k.GPUSeconds)})
	}
	grid := "Vidur's default grid"
	if !p.Budget.IsZero() {
		grid = fmt.Sprintf("budget %s: %.1f%% of each grid axis", p.Budget, 100*p.Density)
		if p.Density >= 1 {
			grid = fmt.Sprintf("budget %s: the full grid fits", p.Budget)
		}
	}
	fmt.Fprintf(w, "device %s, max context %d, %s; %d mlp rows, %d attention rows, %d collective rows\n",
		p.Device.Name, p.MaxContext, grid, len(p.MLPRows), len(p.AttentionRows), len(p.CollectiveRows))
	if err := cli.Table(w, []string{"op", "uses", "shapes", "deduplicated", "est GPU time"}, rows); err != nil {
		return err
	}
	price := ""
	if d, err := hardware.LookupDevice(p.Device.Name); err == nil && d.PricePerHour > 0 {
		price = fmt.Sprintf(" (≈ $%.2f at $%.2f/GPU-hour)", total.GPUSeconds/3600*d.PricePerHour, d.PricePerHour)
	}
	fmt.Fprintf(w, "estimated GPU time %s%s: (warmup %d + repeats %d) × roofline time + %.0f ms per shape\n",
		fmtSeconds(total.GPUSeconds), price, p.Warmup, p.Repeats, sweep.ShapeOverheadMs)
	for _, n := range p.Notes {
		fmt.Fprintln(w, "note:", n)
	}
	return nil
}

func fmtSeconds(s float64) string {
	if math.IsNaN(s) {
		return "?"
	}
	d := time.Duration(s * float64(time.Second))
	if d < 10*time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

var errInterrupted = errors.New("interrupted")
