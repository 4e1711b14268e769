package traincmd

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vidur-go/vidur-go/internal/cli"
	"github.com/vidur-go/vidur-go/predictor"
)

func newInspectCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "inspect ARTIFACT",
		Short: "Describe an artifact",
		Long: `inspect verifies an artifact (magic, version, checksum) and prints its
header: model, device, node, TP, grid, and per operator its provenance,
predictor, hyper-parameters, training rows, CV and held-out MAPE, and the
source files with their sha256. --json prints the header as stored.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := predictor.Load(args[0])
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(&a.Header)
			}
			return writeInspect(cmd.OutOrStdout(), args[0], &a.Header)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the header as JSON")
	return cmd
}

func mape(p *float64) string {
	if p == nil {
		return "-"
	}
	return strconv.FormatFloat(*p, 'f', 2, 64)
}

func writeInspect(w io.Writer, path string, h *predictor.Header) error {
	m := h.ModelConfig
	g := h.Grid
	gated := "ungated"
	if m.UseGatedMLP {
		gated = "gated"
	}
	fmt.Fprintf(w, "artifact    %s\n", path)
	fmt.Fprintf(w, "format      %d, written by %s\n", h.FormatVersion, h.ToolVersion)
	fmt.Fprintf(w, "model       %s (%d layers, %d q heads, %d kv heads, embedding %d, mlp %d %s, vocab %d)\n",
		h.Model, m.NumLayers, m.NumQHeads, m.NumKVHeads, m.EmbeddingDim, m.MLPHiddenDim, gated, m.VocabSize)
	fmt.Fprintf(w, "device      %s\nnode        %s\ntp          %d\n", h.Device, h.Node, h.TP)
	fmt.Fprintf(w, "provenance  %s\npredictor   %s", h.Provenance, h.Predictor)
	if h.GridSearch != "" {
		fmt.Fprintf(w, " (grid search: %s)", h.GridSearch)
	}
	fmt.Fprintf(w, "\nseed        %d\n", h.Seed)
	fmt.Fprintf(w, "grid        num_tokens 1..%d; batch_size 1..%d; kv_cache_size 0..%d step %d; prefill chunk 1..%d\n",
		g.MaxTokens, g.MaxBatchSize, g.MaxKVTokens, g.KVGranularity, g.MaxPrefillChunk)
	if h.CreatedAt != "" {
		fmt.Fprintf(w, "created     %s\n", h.CreatedAt)
	}
	for _, n := range h.Notes {
		fmt.Fprintf(w, "note        %s\n", n)
	}
	fmt.Fprintln(w)
	rows := make([][]string, 0, len(h.Ops))
	for _, o := range h.Ops {
		var hp []string
		for _, k := range slices.Sorted(maps.Keys(o.HyperParams)) {
			hp = append(hp, k+"="+o.HyperParams[k])
		}
		shape := make([]string, len(o.Shape))
		for i, d := range o.Shape {
			shape[i] = strconv.Itoa(d)
		}
		rowsStr := "-"
		if o.TrainingRows > 0 {
			rowsStr = strconv.Itoa(o.TrainingRows)
		}
		rows = append(rows, []string{o.Name, o.Provenance, o.Predictor, strings.Join(o.Features, ","), strings.Join(shape, "x"),
			rowsStr, mape(o.CVMAPE), mape(o.HeldOutMAPE), strings.Join(hp, " "), strings.Join(o.Sources, ",")})
	}
	if err := cli.Table(w, []string{"op", "provenance", "predictor", "features", "shape", "rows", "cv mape %", "holdout mape %", "hyperparameters", "sources"}, rows); err != nil {
		return err
	}
	if len(h.Sources) > 0 {
		fmt.Fprintln(w)
		src := make([][]string, len(h.Sources))
		for i, s := range h.Sources {
			src[i] = []string{s.Path, s.SHA256}
		}
		return cli.Table(w, []string{"source", "sha256"}, src)
	}
	return nil
}
