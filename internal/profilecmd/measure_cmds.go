package profilecmd

import (
	"github.com/spf13/cobra"

	"github.com/vidur-go/vidur-go/internal/cli"
)

func newPlanCmd() *cobra.Command {
	return cli.NotYet("plan", "Plan an operator sweep and estimate its GPU time", 5)
}
func newRunCmd() *cobra.Command {
	return cli.NotYet("run", "Measure an operator sweep on this machine", 5)
}
func newVerifyCmd() *cobra.Command {
	return cli.NotYet("verify", "Re-measure a sample of a profile and report drift", 5)
}
