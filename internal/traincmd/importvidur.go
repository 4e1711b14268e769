package traincmd

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/vidur-go/vidur-go/internal/cli"
	"github.com/vidur-go/vidur-go/models"
	"github.com/vidur-go/vidur-go/predictor"
)

// target holds the flags that name an artifact: model, device, node, TP.
type target struct {
	model, modelConfig string
	// name is the resolved model name (set by resolve).
	name         string
	device, node string
	tp           int
	out          string
}

// cpuDevice is the SKU label vidur-profile run records for timings taken on
// a CPU. It is not a hardware-catalog device: an artifact fitted on it has
// node "cpu" and no analytical fallback, and vidur-sim uses it through
// --artifact with any catalog --device for the memory model.
const cpuDevice = "cpu"

func (t *target) register(cmd *cobra.Command) {
	f := cmd.Flags()
	t.registerModel(cmd)
	f.StringVar(&t.device, "device", "", "device SKU, e.g. h100, or cpu for a CPU-measured profile (required)")
	f.StringVar(&t.node, "node", "", "node SKU, e.g. h100_pairwise_nvlink (required; omitted for --device cpu)")
	f.IntVar(&t.tp, "tp", 1, "tensor-parallel degree")
	f.StringVarP(&t.out, "output", "o", "", "artifact file to write (default: the conventional name in $"+predictor.ArtifactsEnv+" or the user cache)")
}

// registerModel adds --model and --model-config.
func (t *target) registerModel(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&t.model, "model", "", "model name from the catalog, e.g. meta-llama/Llama-2-7b-hf (this or --model-config is required)")
	f.StringVar(&t.modelConfig, "model-config", "", "Hugging Face config.json of a model not in the catalog (its name is inferred as vidur-profile does)")
}

// resolve checks the flags and returns the model config and output path.
// It sets t.name to the model's name: the catalog name, or with
// --model-config the name inferred from the file (the name vidur-profile
// run stored the profiles under). With --device cpu and no --node it sets
// t.node to "cpu".
func (t *target) resolve() (models.Config, string, error) {
	switch {
	case t.model == "" && t.modelConfig == "":
		return models.Config{}, "", cli.Usagef("--model NAME or --model-config config.json is required")
	case t.model != "" && t.modelConfig != "":
		return models.Config{}, "", cli.Usagef("give --model or --model-config, not both (a --model-config model is named by its config.json)")
	}
	if t.device == cpuDevice {
		if t.node != "" && t.node != cpuDevice {
			return models.Config{}, "", cli.Usagef("--device cpu: CPU measurements have no node; omit --node (got %q)", t.node)
		}
		t.node = cpuDevice
	}
	for _, f := range []struct{ name, v string }{{"--device", t.device}, {"--node", t.node}} {
		if f.v == "" {
			return models.Config{}, "", cli.Usagef("%s is required", f.name)
		}
	}
	if t.tp < 1 {
		return models.Config{}, "", cli.Usagef("--tp %d: want a positive tensor-parallel degree", t.tp)
	}
	var m models.Config
	var err error
	if t.modelConfig != "" {
		m, err = models.LoadHFConfig(t.modelConfig)
	} else {
		m, err = models.Lookup(t.model)
	}
	if err != nil {
		return models.Config{}, "", err
	}
	t.name = m.Name
	if err := m.Validate(t.tp, 1); err != nil {
		return models.Config{}, "", err
	}
	out := t.out
	if out == "" {
		dir, err := predictor.DefaultDir()
		if err != nil {
			return models.Config{}, "", err
		}
		out = filepath.Join(dir, predictor.ArtifactFileName(t.name, t.device, t.node, t.tp))
	}
	return m, out, nil
}

func newImportVidurCmd() *cobra.Command {
	var t target
	cmd := &cobra.Command{
		Use:   "import-vidur DIR",
		Short: "Build an artifact from Vidur's cached prediction tables",
		Long: `import-vidur reads Vidur's prediction tables from DIR — files named
<op>.csv[.gz] or Vidur's own cache names <op>_<key>_predictions.csv — and
writes them unchanged, bit for bit, as a vidur-go artifact. Vidur's CSVs do
not say what they were computed for, so --model, --device, --node and --tp
are required. Use it to make vidur-sim reproduce a Vidur run exactly.`,
		Example: `  vidur-train import-vidur $VIDUR_GOLDEN/g1_sarathi/vidur-predictions \
    --model meta-llama/Llama-2-7b-hf --device h100 --node h100_pairwise_nvlink --tp 1 -o llama2-h100.vidurart`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			m, out, err := t.resolve()
			if err != nil {
				return err
			}
			a, err := predictor.ImportVidurPredictions(args[0], predictor.VidurImportMeta{Model: m, Device: t.device, Node: t.node, TP: t.tp})
			if err != nil {
				return err
			}
			if err := a.Save(out); err != nil {
				return err
			}
			g := a.Header.Grid
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s: %d tables imported from %s (grid: %d tokens, batch %d, kv %d step %d, prefill chunk %d)\n",
				out, len(a.Header.Ops), args[0], g.MaxTokens, g.MaxBatchSize, g.MaxKVTokens, g.KVGranularity, g.MaxPrefillChunk)
			return nil
		},
	}
	t.register(cmd)
	return cmd
}
