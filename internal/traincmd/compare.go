package traincmd

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/vidur-go/vidur-go/internal/cli"
	"github.com/vidur-go/vidur-go/predictor"
)

func newCompareCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "compare ARTIFACT REFERENCE",
		Short: "Compare two artifacts' prediction tables operator by operator",
		Long: `compare prints, for every operator both artifacts have, the mean and
maximum absolute percentage difference of ARTIFACT's predictions from
REFERENCE's over the grid points both cover — e.g. a fitted artifact against
Vidur's own tables imported with import-vidur, or an analytical artifact
against a trained one.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := predictor.Load(args[0])
			if err != nil {
				return err
			}
			ref, err := predictor.Load(args[1])
			if err != nil {
				return err
			}
			diffs, err := predictor.CompareTables(a, ref)
			if err != nil {
				return err
			}
			rows := make([][]string, len(diffs))
			for i, d := range diffs {
				ao, _ := a.Op(d.Op)
				ro, _ := ref.Op(d.Op)
				rows[i] = []string{d.Op, ao.Provenance, ro.Provenance, strconv.Itoa(d.Points),
					strconv.FormatFloat(d.MAPE, 'f', 2, 64), strconv.FormatFloat(d.MaxAPE, 'f', 1, 64)}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s vs reference %s\n", args[0], args[1])
			return cli.Table(cmd.OutOrStdout(), []string{"op", "provenance", "reference", "points", "mean ape %", "max ape %"}, rows)
		},
	}
}
