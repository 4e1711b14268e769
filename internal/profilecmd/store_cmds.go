package profilecmd

import (
	"github.com/spf13/cobra"

	"github.com/vidur-go/vidur-go/internal/cli"
)

func newImportCmd() *cobra.Command {
	return cli.NotYet("import SRC", "Import Vidur-format profiling CSVs into the store", 2)
}
func newListCmd() *cobra.Command { return cli.NotYet("list", "List the profiles in the store", 2) }
func newShowCmd() *cobra.Command { return cli.NotYet("show PROFILE", "Show one profile", 2) }
func newDetectCmd() *cobra.Command {
	return cli.NotYet("detect", "Detect NVIDIA GPUs and map them to catalog SKUs", 2)
}
