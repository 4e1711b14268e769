package traincmd

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/vidur-go/vidur-go/hardware"
	"github.com/vidur-go/vidur-go/internal/cli"
	"github.com/vidur-go/vidur-go/models"
	"github.com/vidur-go/vidur-go/predictor"
	"github.com/vidur-go/vidur-go/profiler"
)

// trainFlags are the flags fit and eval share.
type trainFlags struct {
	target
	store     string
	predictor string
	search    string
	seed      uint64
	blockSize int
	grid      predictor.Grid
	progress  bool
	gzip      bool
	workers   int
	cpu       bool
}

func (f *trainFlags) register(cmd *cobra.Command, withOutput bool) {
	if withOutput {
		f.target.register(cmd)
	} else {
		fl := cmd.Flags()
		f.target.registerModel(cmd)
		fl.StringVar(&f.device, "device", "", "device SKU, e.g. a100, or cpu for a CPU-measured profile (required)")
		fl.StringVar(&f.node, "node", "", "node SKU whose network profiles to use (required; omitted for --device cpu)")
		fl.IntVar(&f.tp, "tp", 1, "tensor-parallel degree")
	}
	fl := cmd.Flags()
	g := predictor.DefaultGrid()
	fl.StringVar(&f.store, "store", "", "profile store (default $"+cli.StoreEnv+" or the user cache)")
	fl.StringVar(&f.predictor, "predictor", predictor.PredictorRandomForest, "random_forest or linear_regression")
	fl.StringVar(&f.search, "grid", predictor.SearchVidur, "hyper-parameter grid: vidur (Vidur's 27/40 candidates) or fast")
	fl.Uint64Var(&f.seed, "seed", 0, "seed of every random draw (forest bootstrap, hold-out split)")
	fl.IntVar(&f.blockSize, "block-size", 16, "KV-cache block size the attention profile rows are filtered on")
	fl.IntVar(&f.grid.MaxTokens, "max-tokens", g.MaxTokens, "prediction grid: largest batch token count")
	fl.IntVar(&f.grid.MaxBatchSize, "max-batch-size", g.MaxBatchSize, "prediction grid: largest batch size")
	fl.IntVar(&f.grid.MaxKVTokens, "max-kv-tokens", g.MaxKVTokens, "prediction grid: largest KV-cache size per attention lookup")
	fl.IntVar(&f.grid.KVGranularity, "kv-granularity", g.KVGranularity, "prediction grid: KV-cache size step")
	fl.IntVar(&f.grid.MaxPrefillChunk, "max-prefill-chunk", g.MaxPrefillChunk, "prediction grid: largest prefill chunk")
	fl.BoolVar(&f.progress, "progress", false, "show a progress bar even when stderr is not a terminal")
	fl.IntVar(&f.workers, "workers", 0, "goroutines per fit (0: all cores); results do not depend on it")
	fl.BoolVar(&f.cpu, "cpu-overhead", false, "also train the CPU-overhead tables from the store's cpu_overheads.csv of the node and model")
	if withOutput {
		fl.BoolVar(&f.gzip, "gzip", false, "gzip the artifact payload (smaller file, slower load)")
	}
}

// spec resolves the flags into a FitSpec.
func (f *trainFlags) spec() (predictor.FitSpec, models.Config, error) {
	m, _, err := f.target.resolve()
	if err != nil {
		return predictor.FitSpec{}, m, err
	}
	if _, err := predictor.Candidates(f.predictor, f.search); err != nil {
		return predictor.FitSpec{}, m, cli.Usagef("%v", err)
	}
	if err := f.grid.Validate(); err != nil {
		return predictor.FitSpec{}, m, cli.Usagef("%v", err)
	}
	// A CPU measurement has no catalog device or node; they are needed only
	// for the analytical attention fallback, refused below.
	var dev hardware.Device
	var node hardware.Node
	if f.device != cpuDevice {
		if dev, err = hardware.LookupDevice(f.device); err != nil {
			return predictor.FitSpec{}, m, err
		}
		if node, err = hardware.LookupNode(f.node); err != nil {
			return predictor.FitSpec{}, m, err
		}
	}
	root := f.store
	if root == "" {
		if root, err = cli.DefaultStore(); err != nil {
			return predictor.FitSpec{}, m, err
		}
	}
	st, err := profiler.OpenStoreReadOnly(root)
	if err != nil {
		return predictor.FitSpec{}, m, err
	}
	p, err := predictor.FindProfiles(st, f.name, f.device, f.node)
	if err != nil {
		return predictor.FitSpec{}, m, err
	}
	if p.MLP == nil {
		modelFlag := "--model " + f.name
		if f.modelConfig != "" {
			modelFlag = "--model-config " + f.modelConfig
		}
		if f.device == cpuDevice {
			return predictor.FitSpec{}, m, fmt.Errorf("store %s has no mlp profile for %s on cpu (looked in %s); measure one: vidur-profile run %s --device cpu --store %s",
				root, f.name, st.ComputeDir(f.device, f.name), modelFlag, root)
		}
		return predictor.FitSpec{}, m, fmt.Errorf("store %s has no mlp profile for %s on %s (looked in %s); import one with vidur-profile import, or build an analytical artifact: vidur-train analytical %s --device %s --node %s --tp %d",
			root, f.name, f.device, st.ComputeDir(f.device, f.name), modelFlag, f.device, f.node, f.tp)
	}
	if f.tp > 1 && p.AllReduce == nil {
		return predictor.FitSpec{}, m, fmt.Errorf("store %s has no all_reduce profile for node %s (looked in %s); TP %d needs one", root, f.node, st.NetworkDir(f.node), f.tp)
	}
	spec := predictor.FitSpec{Model: m, Device: f.device, Node: f.node, TP: f.tp, BlockSize: f.blockSize, Grid: f.grid,
		MLP: *p.MLP, Attention: p.Attention, SendRecv: p.SendRecv,
		Train: predictor.TrainOptions{Predictor: f.predictor, Search: f.search, Seed: f.seed, Workers: f.workers}}
	if f.tp > 1 {
		spec.AllReduce = p.AllReduce
	}
	if f.cpu {
		if p.CPUOverhead == nil {
			return spec, m, fmt.Errorf("store %s has no cpu_overheads.csv for %s on node %s (looked in %s)", root, f.name, f.node, st.CPUOverheadDir(f.node, f.name))
		}
		spec.CPUOverhead = p.CPUOverhead
	}
	if p.Attention == nil && f.device == cpuDevice {
		return spec, m, fmt.Errorf("store %s has no attention profile for %s on cpu (looked in %s); a CPU artifact cannot fall back to the analytical roofline, which needs a catalog device: measure attention too (vidur-profile run --device cpu)",
			root, f.name, st.ComputeDir(f.device, f.name))
	}
	if p.Attention == nil {
		eff, src, err := predictor.DefaultEfficiency(f.device)
		if err != nil {
			return spec, m, err
		}
		spec.Fallback = &predictor.Fallback{Roofline: predictor.NewRoofline(dev, node), Efficiency: eff, Source: src}
	}
	return spec, m, nil
}

// isTerminal reports whether w is a character device.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// attachProgress shows one progress bar per operator on stderr.
func attachProgress(spec *predictor.FitSpec, stderr io.Writer, force bool) {
	if !force && !isTerminal(stderr) {
		return
	}
	var bar *progressbar.ProgressBar
	var op string
	var idx, n int
	spec.OnOp = func(o string, i, total int) {
		op, idx, n = o, i, total
		if bar != nil {
			bar.Finish()
			fmt.Fprintln(stderr)
		}
		bar = nil
	}
	spec.Train.Progress = func(done, total int) {
		if bar == nil {
			bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(stderr),
				progressbar.OptionSetDescription(fmt.Sprintf("[%d/%d] %-24s", idx+1, n, op)),
				progressbar.OptionShowCount(), progressbar.OptionSetWidth(30), progressbar.OptionThrottle(100*time.Millisecond))
		}
		bar.ChangeMax(total)
		bar.Set(done)
	}
}

func newFitCmd() *cobra.Command {
	var f trainFlags
	cmd := &cobra.Command{
		Use:   "fit",
		Short: "Train an artifact from the profile store",
		Long: `fit trains one model per operator on the store's profiles of --model on
--device (mlp.csv, attention.csv) and of --node (all_reduce.csv when --tp > 1,
send_recv.csv when present), exactly as Vidur selects rows, features and
targets; picks hyper-parameters by k-fold cross-validation (lowest MAPE);
evaluates every model on the prediction grid; and writes the artifact.

When the store has no attention profile for the model and device, the
attention tables come from the analytical roofline model and the artifact
marks those operators "analytical". Training is deterministic for a --seed.`,
		Example: `  vidur-train fit --store ~/.cache/vidur-go/store --model meta-llama/Llama-2-7b-hf \
    --device h100 --node h100_pairwise_nvlink --tp 1 -o llama2-h100.vidurart`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			spec, _, err := f.spec()
			if err != nil {
				return err
			}
			_, out, err := f.target.resolve()
			if err != nil {
				return err
			}
			attachProgress(&spec, cmd.ErrOrStderr(), f.progress)
			a, res, err := predictor.Fit(spec)
			if err != nil {
				return err
			}
			a.Gzip = f.gzip
			if err := a.Save(out); err != nil {
				return err
			}
			if spec.OnOp != nil {
				fmt.Fprintln(cmd.ErrOrStderr())
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s: %d tables, %d trained (%s, grid %s, seed %d), provenance %s\n",
				out, len(a.Header.Ops), len(res), spec.Train.Predictor, spec.Train.Search, f.seed, a.Header.Provenance)
			return nil
		},
	}
	f.register(cmd, true)
	return cmd
}

func newEvalCmd() *cobra.Command {
	var f trainFlags
	cmd := &cobra.Command{
		Use:   "eval",
		Short: "Report per-operator accuracy of a training run",
		Long: `eval trains like fit (same flags, no artifact written) and prints, per
operator: training rows, the chosen hyper-parameters, the best mean k-fold
CV MAPE, the MAPE on a seeded 20% hold-out (the same hyper-parameters refitted
on the other 80%), and the training time.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			spec, _, err := f.spec()
			if err != nil {
				return err
			}
			attachProgress(&spec, cmd.ErrOrStderr(), f.progress)
			a, res, err := predictor.Fit(spec)
			if err != nil {
				return err
			}
			if spec.OnOp != nil {
				fmt.Fprintln(cmd.ErrOrStderr())
			}
			rows := make([][]string, 0, len(res))
			for _, r := range res {
				o, _ := a.Op(r.Op)
				rows = append(rows, []string{r.Op, o.Provenance, strconv.Itoa(r.Rows), r.Params,
					strconv.FormatFloat(r.CVMAPE, 'f', 2, 64), strconv.FormatFloat(r.HeldOutMAPE, 'f', 2, 64),
					r.Elapsed.Round(time.Millisecond).String()})
			}
			for _, o := range a.Header.Ops {
				if o.Provenance == predictor.ProvenanceAnalytical {
					rows = append(rows, []string{o.Name, o.Provenance, "-", "roofline", "-", "-", "-"})
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s on %s (node %s, TP %d), %s, grid %s, seed %d\n",
				f.name, f.device, f.node, f.tp, spec.Train.Predictor, spec.Train.Search, f.seed)
			return cli.Table(cmd.OutOrStdout(), []string{"op", "provenance", "rows", "hyperparameters", "cv mape %", "holdout mape %", "time"}, rows)
		},
	}
	f.register(cmd, false)
	return cmd
}
