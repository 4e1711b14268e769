package profilecmd

import (
	"github.com/spf13/cobra"
)

// New returns the vidur-profile command tree.
func New() *cobra.Command {
	root := &cobra.Command{
		Use:   "vidur-profile",
		Short: "Detect GPUs, measure operator timings, and manage the profile store",
		Long: `vidur-profile builds the profile store that vidur-train reads.

It detects NVIDIA GPUs through NVML, plans and runs operator timing sweeps
(linear projections, MLP, norms, rotary, activation, attention prefill and
decode, KV-cache writes, collectives, CPU overheads), and imports existing
sweeps in Vidur's CSV format.

The store defaults to $VIDUR_STORE, else $XDG_CACHE_HOME/vidur-go/store
(~/.cache/vidur-go/store); every command takes --store to override it.`,
	}
	root.AddCommand(
		newImportCmd(), newListCmd(), newShowCmd(), newDetectCmd(), // store and detection (issue 2)
		newPlanCmd(), newRunCmd(), newVerifyCmd(), // measurement (issue 5)
	)
	return root
}
