package profilecmd

import (
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vidur-go/vidur-go/internal/cli"
	"github.com/vidur-go/vidur-go/profiler"
)

// storeFlag adds --store to cmd and returns a function resolving it
// (falling back to cli.DefaultStore).
func storeFlag(cmd *cobra.Command) func() (string, error) {
	var dir string
	cmd.Flags().StringVar(&dir, "store", "", "profile store directory (default $VIDUR_STORE, else $XDG_CACHE_HOME/vidur-go/store)")
	return func() (string, error) {
		if dir != "" {
			return dir, nil
		}
		return cli.DefaultStore()
	}
}

// storeProfiles opens the store that store() names, read-only, and lists
// its profiles.
func storeProfiles(store func() (string, error)) (*profiler.Store, []profiler.Profile, error) {
	dir, err := store()
	if err != nil {
		return nil, nil, err
	}
	st, err := profiler.OpenStoreReadOnly(dir)
	if err != nil {
		return nil, nil, err
	}
	profiles, err := st.Profiles()
	return st, profiles, err
}

// importClock is the clock for manifests; tests replace it.
var importClock = time.Now

func newImportCmd() *cobra.Command {
	var opts profiler.ImportOptions
	cmd := &cobra.Command{
		Use:   "import SRC...",
		Short: "Import Vidur-format profiling CSVs into the store",
		Long: `Import validates Vidur-format profiling CSVs and copies them into the profile store.

Each SRC is a file or a directory. A directory is walked: a whole Vidur
data/profiling tree (compute/<sku>/<org>/<model>/{mlp,attention}.csv,
network/<node>/{all_reduce,send_recv}.csv,
cpu_overhead/<node>/<org>/<model>/cpu_overheads.csv, each optionally .gz) or
any directory inside one. The kind of each file comes from its name and must
agree with its header (a mis-named file is skipped with the reason); the
sku, node and model come from its path, or from --sku, --node and --model
(needed for files outside such a tree; when given they apply to every file).

Every file is parsed in full before anything is written, and each file is
all-or-nothing: a file with bad data is reported and not stored, the other
files are still imported, and the command exits with status 1. Files are
stored byte for byte (a .gz stays compressed) with a manifest; importing the
same bytes again reports "unchanged". Files under a directory named
"synthetic", or all files with --synthetic, are marked synthetic.`,
		Example: `  vidur-profile import "$VIDUR_DATA/profiling"
  vidur-profile import "$VIDUR_DATA/synthetic/profiling" --store /tmp/store
  vidur-profile import my-sweep.csv --sku h100 --model meta-llama/Llama-2-7b-hf`,
		Args: cobra.MinimumNArgs(1),
	}
	store := storeFlag(cmd)
	cmd.Flags().StringVar(&opts.SKU, "sku", "", "device SKU of compute profiles (e.g. a100)")
	cmd.Flags().StringVar(&opts.Model, "model", "", "model of compute and CPU-overhead profiles, org/name (e.g. meta-llama/Llama-2-7b-hf)")
	cmd.Flags().StringVar(&opts.Node, "node", "", "node SKU of network and CPU-overhead profiles (e.g. h100_dgx)")
	cmd.Flags().BoolVar(&opts.Synthetic, "synthetic", false, "mark the imported profiles as synthetic (not measured)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		dir, err := store()
		if err != nil {
			return err
		}
		st, err := profiler.OpenStore(dir)
		if err != nil {
			return err
		}
		opts.Now = importClock
		var results []profiler.ImportResult
		var shown []string
		for _, src := range args {
			res, err := st.ImportTree(src, opts)
			if err != nil {
				results = append(results, profiler.ImportResult{Source: src, Status: profiler.StatusFailed, Err: err})
				shown = append(shown, src)
				continue
			}
			for _, r := range res {
				results = append(results, r)
				shown = append(shown, displayPath(src, r.Source))
			}
		}
		return reportImport(cmd.OutOrStdout(), cmd.ErrOrStderr(), dir, results, shown)
	}
	return cmd
}

// displayPath shows file relative to the SRC argument it was found under.
func displayPath(src, file string) string {
	if src == file {
		return file
	}
	if rel, err := filepath.Rel(src, file); err == nil {
		return filepath.ToSlash(rel)
	}
	return file
}

func reportImport(stdout, stderr io.Writer, dir string, results []profiler.ImportResult, shown []string) error {
	counts := map[string]int{}
	rows := make([][]string, 0, len(results))
	for i, r := range results {
		counts[r.Status]++
		note := r.Reason
		if r.Status == profiler.StatusFailed {
			note = "see error below"
		}
		var dup []string
		if r.ExactDuplicates > 0 {
			dup = append(dup, plural(r.ExactDuplicates, "exact duplicate row"))
		}
		if r.RepeatedKeys > 0 {
			dup = append(dup, plural(r.RepeatedKeys, "repeated input"))
		}
		if r.Synthetic {
			dup = append([]string{"synthetic"}, dup...)
		}
		if len(dup) > 0 {
			note = strings.TrimPrefix(note+"; "+strings.Join(dup, ", "), "; ")
		}
		rowsCol := ""
		if r.Rows > 0 {
			rowsCol = strconv.Itoa(r.Rows)
		}
		rows = append(rows, []string{shown[i], r.Kind, skuOrNode(r.SKU, r.Node), r.Model, rowsCol, r.Status, note})
	}
	if err := cli.Table(stdout, []string{"file", "kind", "sku/node", "model", "rows", "status", "note"}, rows); err != nil {
		return err
	}
	var parts []string
	for _, s := range []string{profiler.StatusImported, profiler.StatusUpdated, profiler.StatusUnchanged, profiler.StatusSkipped, profiler.StatusFailed} {
		parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
	}
	fmt.Fprintf(stdout, "%s: %s (store %s)\n", plural(len(results), "file"), strings.Join(parts, ", "), dir)
	for _, r := range results {
		if r.Status == profiler.StatusFailed {
			fmt.Fprintf(stderr, "error: %v\n", r.Err)
		}
	}
	if n := counts[profiler.StatusFailed]; n > 0 {
		return fmt.Errorf("%d of %d files failed to import (nothing was stored for them; the other files were imported)", n, len(results))
	}
	if len(results) == 0 {
		return fmt.Errorf("no profile files found")
	}
	return nil
}

func skuOrNode(sku, node string) string {
	if sku != "" {
		return sku
	}
	return node
}

func newListCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the profiles in the store",
		Long: `List prints one line per profile in the store: its path (for show), kind,
device SKU or node, model, number of rows, whether it was measured or is
synthetic, and where it came from.`,
		Example: `  vidur-profile list
  vidur-profile list --store /tmp/store`,
		Args: cobra.NoArgs,
	}
	store := storeFlag(cmd)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		st, profiles, err := storeProfiles(store)
		if err != nil {
			return err
		}
		out := cmd.OutOrStdout()
		if len(profiles) == 0 {
			fmt.Fprintf(out, "no profiles in %s (add some with vidur-profile import)\n", st.Root)
			return nil
		}
		rows := make([][]string, 0, len(profiles))
		for _, p := range profiles {
			m := p.Manifest
			rows = append(rows, []string{p.Path, m.Kind, skuOrNode(m.SKU, m.Node), m.Model, strconv.Itoa(m.Rows), dataKind(m), m.Source})
		}
		if err := cli.Table(out, []string{"path", "kind", "sku/node", "model", "rows", "data", "source"}, rows); err != nil {
			return err
		}
		fmt.Fprintf(out, "%s in %s\n", plural(len(profiles), "profile"), st.Root)
		return nil
	}
	return cmd
}

// dataKind says whether a profile was measured or is synthetic.
func dataKind(m profiler.Manifest) string {
	switch {
	case m.Synthetic:
		return "synthetic"
	case m.Measured:
		return "measured"
	}
	return "unknown"
}

// plural formats n and noun, adding an s unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
