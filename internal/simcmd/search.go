package simcmd

import (
	"github.com/spf13/cobra"

	"github.com/vidur-go/vidur-go/internal/cli"
)

func newSearchCmd() *cobra.Command {
	return cli.NotYet("search", "Find the cheapest deployment that meets latency SLOs", 7)
}
