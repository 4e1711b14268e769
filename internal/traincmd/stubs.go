package traincmd

import (
	"github.com/spf13/cobra"

	"github.com/vidur-go/vidur-go/internal/cli"
)

func newFitCmd() *cobra.Command {
	return cli.NotYet("fit", "Train an artifact from the profile store", 3)
}
func newEvalCmd() *cobra.Command {
	return cli.NotYet("eval", "Report per-operator accuracy of a training run", 3)
}
func newAnalyticalCmd() *cobra.Command {
	return cli.NotYet("analytical", "Build a roofline artifact for an unprofiled model or SKU", 3)
}
func newCalibrateCmd() *cobra.Command {
	return cli.NotYet("calibrate", "Fit the analytical model's efficiency factors to a profiled SKU", 3)
}
