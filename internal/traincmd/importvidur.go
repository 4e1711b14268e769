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
	model, device, node string
	tp                  int
	out                 string
}

func (t *target) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&t.model, "model", "", "model name from the catalog, e.g. meta-llama/Llama-2-7b-hf (required)")
	f.StringVar(&t.device, "device", "", "device SKU, e.g. h100 (required)")
	f.StringVar(&t.node, "node", "", "node SKU, e.g. h100_pairwise_nvlink (required)")
	f.IntVar(&t.tp, "tp", 1, "tensor-parallel degree")
	f.StringVarP(&t.out, "output", "o", "", "artifact file to write (default: the conventional name in $"+predictor.ArtifactsEnv+" or the user cache)")
}

// resolve checks the flags and returns the model config and output path.
func (t *target) resolve() (models.Config, string, error) {
	for _, f := range []struct{ name, v string }{{"--model", t.model}, {"--device", t.device}, {"--node", t.node}} {
		if f.v == "" {
			return models.Config{}, "", cli.Usagef("%s is required", f.name)
		}
	}
	if t.tp < 1 {
		return models.Config{}, "", cli.Usagef("--tp %d: want a positive tensor-parallel degree", t.tp)
	}
	m, err := models.Lookup(t.model)
	if err != nil {
		return models.Config{}, "", err
	}
	if err := m.Validate(t.tp, 1); err != nil {
		return models.Config{}, "", err
	}
	out := t.out
	if out == "" {
		dir, err := predictor.DefaultDir()
		if err != nil {
			return models.Config{}, "", err
		}
		out = filepath.Join(dir, predictor.ArtifactFileName(t.model, t.device, t.node, t.tp))
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
