// Package cli holds what the three vidur-go commands share: running a cobra
// command tree against explicit arguments and streams (so tests call
// commands directly, without a process), error reporting and exit codes,
// terminal tables, and the default profile-store location.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/vidur-go/vidur-go/internal/termtable"
)

// Run executes root with args (without the program name), writing to stdout
// and stderr. It returns the error the command returned; cobra's own usage
// and error printing is silenced so that the caller decides how to report.
func Run(ctx context.Context, root *cobra.Command, args []string, stdout, stderr io.Writer) error {
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SilenceUsage = true
	root.SilenceErrors = true
	return root.ExecuteContext(ctx)
}

// Main runs root and converts its outcome to a process exit code: 0 on
// success, 1 on an error (printed to stderr as "<name>: <error>"), 2 on a
// usage error.
func Main(ctx context.Context, root *cobra.Command, args []string, stdout, stderr io.Writer) int {
	err := Run(ctx, root, args, stdout, stderr)
	if err == nil {
		return 0
	}
	fmt.Fprintf(stderr, "%s: %v\n", root.Name(), err)
	var ue *UsageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}

// UsageError marks an error in how a command was called (as opposed to a
// problem with its inputs); Main exits with status 2 for it.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Usagef returns a UsageError with a formatted message.
func Usagef(format string, a ...any) error { return &UsageError{Err: fmt.Errorf(format, a...)} }

// Table writes a terminal table with the given header (as written) and
// rows (internal/termtable).
func Table(w io.Writer, header []string, rows [][]string) error {
	return termtable.Write(w, header, rows)
}

// StoreEnv is the environment variable that overrides the default profile
// store location.
const StoreEnv = "VIDUR_STORE"

// DefaultStore returns the profile store directory used when --store is not
// given: $VIDUR_STORE if set, else $XDG_CACHE_HOME/vidur-go/store (on Linux
// usually ~/.cache/vidur-go/store; os.UserCacheDir elsewhere).
func DefaultStore() (string, error) {
	if s := os.Getenv(StoreEnv); s != "" {
		return s, nil
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no default profile store (set --store or %s): %w", StoreEnv, err)
	}
	return filepath.Join(dir, "vidur-go", "store"), nil
}
