package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

// NotYet returns a placeholder command for a capability that has not landed
// yet; running it fails with a clear message naming the tracking issue.
func NotYet(use, short string, issue int) *cobra.Command {
	return &cobra.Command{
		Use:   use,
		Short: short + " (not yet available)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return fmt.Errorf("%s is not yet available (tracked in issue %d)", cmd.CommandPath(), issue)
		},
	}
}
