package simcmd

import (
	"github.com/spf13/cobra"

	"github.com/vidur-go/vidur-go/internal/cli"
)

func newRunCmd() *cobra.Command {
	return cli.NotYet("run", "Simulate one deployment", 4)
}
