package traincmd

import (
	"github.com/spf13/cobra"
)

// New returns the vidur-train command tree.
func New() *cobra.Command {
	root := &cobra.Command{
		Use:   "vidur-train",
		Short: "Fit runtime predictors from a profile store and write artifacts",
		Long: `vidur-train fits per-operator runtime predictors (random forests or
polynomial linear regression, chosen by k-fold cross-validation) from the
profiles in a store, and writes one versioned, checksummed artifact per
(model, device SKU, node SKU, tensor-parallel degree) that vidur-sim loads.`,
	}
	root.AddCommand(newFitCmd(), newEvalCmd(), newInspectCmd(), newImportVidurCmd(), newAnalyticalCmd(), newCalibrateCmd(), newCompareCmd())
	return root
}
