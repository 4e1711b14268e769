package profilecmd

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vidur-go/vidur-go/internal/cli"
	"github.com/vidur-go/vidur-go/profiler"
)

func newShowCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "show PROFILE",
		Short: "Show one profile",
		Long: `Show prints a profile's manifest (kind, identity, rows, measured or synthetic,
source, checksum, which it verifies against the stored bytes), the range of
each input column, and the range of the median time of each operator.

PROFILE is a path as printed by list (compute/a100/meta-llama/Llama-2-7b-hf/mlp.csv,
with or without .gz) or a directory that holds profiles: compute/<sku>/<org>/<model>,
<sku>/<org>/<model>, network/<node>, <node>, or cpu_overhead/<node>/<org>/<model>.
A directory shows every profile in it.`,
		Example: `  vidur-profile show a100/meta-llama/Llama-2-7b-hf
  vidur-profile show network/h100_dgx/all_reduce.csv
  vidur-profile show h100_dgx`,
		Args: cobra.ExactArgs(1),
	}
	store := storeFlag(cmd)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		st, profiles, err := storeProfiles(store)
		if err != nil {
			return err
		}
		matches := matchProfiles(profiles, args[0])
		if len(matches) == 0 {
			return fmt.Errorf("no profile %q in %s (vidur-profile list shows what there is)", args[0], st.Root)
		}
		out := cmd.OutOrStdout()
		for i, p := range matches {
			if i > 0 {
				fmt.Fprintln(out)
			}
			if err := showProfile(cmd, st, p); err != nil {
				return err
			}
		}
		return nil
	}
	return cmd
}

// matchProfiles finds the profiles a user's PROFILE argument names.
func matchProfiles(profiles []profiler.Profile, arg string) []profiler.Profile {
	arg = strings.Trim(strings.ReplaceAll(arg, "\\", "/"), "/")
	candidates := []string{arg, "compute/" + arg, "network/" + arg, "cpu_overhead/" + arg}
	var out []profiler.Profile
	for _, p := range profiles {
		dir := p.Path[:strings.LastIndexByte(p.Path, '/')]
		for _, c := range candidates {
			if p.Path == c || strings.TrimSuffix(p.Path, ".gz") == c || dir == c {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

func showProfile(cmd *cobra.Command, st *profiler.Store, p profiler.Profile) error {
	out := cmd.OutOrStdout()
	m := p.Manifest
	check := "verified"
	if got := fileSHA256(st.Abs(p.Path)); got != m.SHA256 {
		check = "MISMATCH: the stored file has changed since import (sha256 " + got + ")"
	}
	fields := [][2]string{
		{"profile", p.Path},
		{"kind", m.Kind},
	}
	if m.SKU != "" {
		fields = append(fields, [2]string{"sku", m.SKU})
	}
	if m.Node != "" {
		fields = append(fields, [2]string{"node", m.Node})
	}
	if m.Model != "" {
		fields = append(fields, [2]string{"model", m.Model})
	}
	method := ""
	if m.Method != "" {
		method = " (" + m.Method + ")"
	}
	fields = append(fields,
		[2]string{"rows", strconv.Itoa(m.Rows)},
		[2]string{"data", dataKind(m) + method},
		[2]string{"source", m.Source},
		[2]string{"sha256", m.SHA256 + " (" + check + ")"},
		[2]string{"created", m.Created.UTC().Format(time.RFC3339)},
	)
	keys := make([]string, 0, len(m.Extra))
	for k := range m.Extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fields = append(fields, [2]string{k, m.Extra[k]})
	}
	for _, f := range fields {
		fmt.Fprintf(out, "%-21s %s\n", f[0]+":", f[1])
	}
	sum, err := profiler.Summarize(m.Kind, st.Abs(p.Path))
	if err != nil {
		return err
	}
	fmt.Fprintln(out)
	var rows [][]string
	for _, c := range sum.Columns {
		rows = append(rows, []string{c.Name, c.Min, c.Max, strconv.Itoa(c.Distinct)})
	}
	if err := cli.Table(out, []string{"column", "min", "max", "distinct"}, rows); err != nil {
		return err
	}
	rows = rows[:0]
	for _, o := range sum.Ops {
		rows = append(rows, []string{o.Name, strconv.Itoa(o.Rows), strconv.Itoa(o.Zero), fmtMs(o.MedianMin), fmtMs(o.MedianMax)})
	}
	header := []string{"op", "rows", "zero", "least median ms", "greatest median ms"}
	if m.Kind == profiler.KindCPUOverhead {
		header = []string{"value", "rows", "zero", "least ms", "greatest ms"}
	}
	return cli.Table(out, header, rows)
}

func fmtMs(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }
