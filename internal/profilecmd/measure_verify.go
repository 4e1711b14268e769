package profilecmd

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sort"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/vidur-go/vidur-go/internal/cli"
	"github.com/vidur-go/vidur-go/models"
	"github.com/vidur-go/vidur-go/profiler"
	"github.com/vidur-go/vidur-go/profiler/sweep"
)

func newVerifyCmd() *cobra.Command {
	var wf workerFlags
	var sample, repeats, warmup int
	var seed uint64
	var maxDrift float64
	var device string
	cmd := &cobra.Command{
		Use:   "verify PROFILE",
		Short: "Re-measure a sample of a profile and report drift",
		Long: `Verify re-measures a seeded random sample of a stored mlp.csv or attention.csv
profile's rows on this machine and reports, per operator, the ratio of the
new median time to the stored one: the median ratio over the sample and the
worst (farthest from 1). It exits non-zero when any operator's median ratio
is off by more than --max-drift (0.25: outside [1/1.25, 1.25]).

PROFILE is the profile's path in the store as list shows it, e.g.
compute/h100/meta-llama/Meta-Llama-3-8B/mlp.csv. The model's shape comes from
the manifest (profiles written by run) or the model catalog (imported ones).`,
		Example: `  vidur-profile verify --store ./store compute/h100/meta-llama/Meta-Llama-3-8B/mlp.csv --sample 20`,
		Args:    cobra.ExactArgs(1),
	}
	wf.register(cmd)
	store := storeFlag(cmd)
	cmd.Flags().IntVar(&sample, "sample", 20, "rows to re-measure")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "seed of the row sample")
	cmd.Flags().Float64Var(&maxDrift, "max-drift", 0.25, "largest tolerated relative drift of an operator's median ratio")
	cmd.Flags().IntVar(&repeats, "repeats", 10, "timed executions per shape")
	cmd.Flags().IntVar(&warmup, "warmup", 2, "untimed executions per shape")
	cmd.Flags().StringVar(&device, "device", "", "the SKU this machine is (default: detected; cpu without a GPU)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		if sample < 1 || repeats < 1 || warmup < 0 || !(maxDrift > 0) {
			return cli.Usagef("--sample %d and --repeats %d must be ≥ 1, --warmup %d ≥ 0, --max-drift %g > 0", sample, repeats, warmup, maxDrift)
		}
		root, err := store()
		if err != nil {
			return err
		}
		st, err := profiler.OpenStoreReadOnly(root)
		if err != nil {
			return err
		}
		path := st.Abs(args[0])
		man, err := profiler.ReadManifest(path + profiler.ManifestSuffix)
		if err != nil {
			return fmt.Errorf("verify %s: %w", args[0], err)
		}
		cfg, err := manifestModel(man)
		if err != nil {
			return fmt.Errorf("verify %s: %w", args[0], err)
		}
		checks, err := sampleChecks(man.Kind, path, &cfg, sample, seed)
		if err != nil {
			return fmt.Errorf("verify %s: %w", args[0], err)
		}
		sup, err := wf.startWorker(ctx, device, cmd.ErrOrStderr())
		if err != nil {
			return err
		}
		defer sup.Close()
		h := sup.Hello()
		sku, err := measuredSKU(h, device)
		if err != nil {
			return err
		}
		if sku != man.SKU {
			return fmt.Errorf("verify %s: the profile is for %q but this machine measures %q (pass --device if it is mislabelled)", args[0], man.SKU, sku)
		}
		ratios := map[string][]float64{}
		for _, c := range checks {
			res, err := sup.Measure(ctx, c.op.Op, c.op.Shape, warmup, repeats, wf.timeout)
			if err != nil {
				return err
			}
			if res.Error != "" {
				fmt.Fprintf(cmd.ErrOrStderr(), "skipped %s %+v: %s %s\n", c.op.Name, c.op.Shape, res.Error, res.Detail)
				continue
			}
			ratios[c.op.Name] = append(ratios[c.op.Name], res.Median/c.old)
		}
		return reportDrift(cmd, ratios, maxDrift, len(checks))
	}
	return cmd
}

// manifestModel returns the model a compute profile was measured for: the
// config run stored in the manifest, else the catalog entry.
func manifestModel(m profiler.Manifest) (models.Config, error) {
	if m.Kind != profiler.KindMLP && m.Kind != profiler.KindAttention {
		return models.Config{}, fmt.Errorf("kind %q: verify re-measures mlp and attention profiles", m.Kind)
	}
	if s := m.Extra["model_config"]; s != "" {
		var c models.Config
		if err := json.Unmarshal([]byte(s), &c); err != nil {
			return models.Config{}, fmt.Errorf("manifest model_config: %w", err)
		}
		return c, nil
	}
	return models.Lookup(m.Model)
}

type driftCheck struct {
	op  sweep.NamedShape
	old float64 // stored median, ms
}

// sampleChecks reads the profile and draws sample rows (without
// replacement, seeded), returning one check per measured operator.
func sampleChecks(kind, path string, cfg *models.Config, sample int, seed uint64) ([]driftCheck, error) {
	rng := rand.New(rand.NewPCG(seed, 0x766964757276))
	var checks []driftCheck
	add := func(ops []sweep.NamedShape, stored map[string]profiler.Stats) {
		for _, o := range ops {
			if s, ok := stored[o.Name]; ok && s.Median > 0 {
				checks = append(checks, driftCheck{o, s.Median})
			}
		}
	}
	switch kind {
	case profiler.KindMLP:
		rows, err := profiler.ReadMLP(path)
		if err != nil {
			return nil, err
		}
		for _, i := range pick(rng, len(rows), sample) {
			r := rows[i]
			ops, err := sweep.MLPOps(cfg, r.TP, r.NumTokens)
			if err != nil {
				return nil, fmt.Errorf("%s row %d: %w", filepath.Base(path), i+1, err)
			}
			add(ops, r.Ops)
		}
	case profiler.KindAttention:
		rows, err := profiler.ReadAttention(path)
		if err != nil {
			return nil, err
		}
		for _, i := range pick(rng, len(rows), sample) {
			r := rows[i]
			ops, err := sweep.AttentionOps(cfg, r.TP, r.BlockSize, r.BatchSize, r.PrefillChunkSize, r.KVCacheSize)
			if err != nil {
				return nil, fmt.Errorf("%s row %d: %w", filepath.Base(path), i+1, err)
			}
			add(ops, r.Ops)
		}
	}
	if len(checks) == 0 {
		return nil, fmt.Errorf("no measured operator in the sampled rows")
	}
	return checks, nil
}

// pick returns min(k, n) distinct indices in [0, n), ascending.
func pick(rng *rand.Rand, n, k int) []int {
	idx := rng.Perm(n)
	if k < n {
		idx = idx[:k]
	}
	sort.Ints(idx)
	return idx
}

func reportDrift(cmd *cobra.Command, ratios map[string][]float64, maxDrift float64, checks int) error {
	names := make([]string, 0, len(ratios))
	for n := range ratios {
		names = append(names, n)
	}
	sort.Strings(names)
	limit := math.Log1p(maxDrift)
	var rows [][]string
	var bad []string
	for _, n := range names {
		rs := slices.Clone(ratios[n])
		sort.Float64s(rs)
		med := rs[len(rs)/2]
		if len(rs)%2 == 0 {
			med = (rs[len(rs)/2-1] + rs[len(rs)/2]) / 2
		}
		worst := rs[0]
		if math.Abs(math.Log(rs[len(rs)-1])) > math.Abs(math.Log(worst)) {
			worst = rs[len(rs)-1]
		}
		status := "ok"
		if math.Abs(math.Log(med)) > limit {
			status = "DRIFT"
			bad = append(bad, n)
		}
		rows = append(rows, []string{n, strconv.Itoa(len(rs)), fmt.Sprintf("%.3f", med), fmt.Sprintf("%.3f", worst), status})
	}
	out := cmd.OutOrStdout()
	if err := cli.Table(out, []string{"op", "samples", "median new/old", "worst new/old", "status"}, rows); err != nil {
		return err
	}
	if len(rows) == 0 {
		return fmt.Errorf("verify: none of the %d re-measurements succeeded", checks)
	}
	if len(bad) > 0 {
		return fmt.Errorf("verify: %d operator(s) drifted beyond ±%g: %v", len(bad), maxDrift, bad)
	}
	fmt.Fprintf(out, "all %d operators within ±%g (median ratio)\n", len(rows), maxDrift)
	return nil
}
