package e2e

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/vidur-go/vidur-go/internal/cli"
	"github.com/vidur-go/vidur-go/internal/profilecmd"
	"github.com/vidur-go/vidur-go/internal/simcmd"
	"github.com/vidur-go/vidur-go/internal/traincmd"
	"github.com/vidur-go/vidur-go/profiler"
	"github.com/vidur-go/vidur-go/profiler/worker"
)

// tinyConfig is a 2-layer llama-family model (hidden 256, 4 query and 2
// KV heads, gated MLP 512, vocab 1024) small enough to sweep on a CPU in
// seconds. docs/profiling.md shows the same file.
const tinyConfig = `{
  "_name_or_path": "vidur-e2e/tiny-llama",
  "model_type": "llama",
  "hidden_size": 256,
  "intermediate_size": 512,
  "num_attention_heads": 4,
  "num_key_value_heads": 2,
  "num_hidden_layers": 2,
  "vocab_size": 1024,
  "max_position_embeddings": 512,
  "hidden_act": "silu"
}
`

// simConfig keeps every request inside the measured range (max context
// 256): 192 prompt + 64 output tokens.
const simConfig = `workload:
  max_tokens: 256
  length:
    type: fixed
    prefill_tokens: 192
    decode_tokens: 64
`

// The commands' flags, as in docs/profiling.md ("End to end on a CPU"),
// run there from a directory holding config.json and sim.yaml.
var (
	sweepFlags = []string{"--model-config", "config.json", "--device", "cpu", "--max-context", "256", "--max-batch", "4"}
	fitFlags   = []string{"--store", "store", "--model-config", "config.json", "--device", "cpu", "--grid", "fast", "--seed", "1",
		"-o", "tiny-llama_cpu.vidurart"}
	simFlags = []string{"--config", "sim.yaml", "--model-config", "config.json", "--device", "h100", "--node", "h100_dgx",
		"--artifact", "tiny-llama_cpu.vidurart", "--num-requests", "20", "--output-dir", "sim-out", "--no-plots", "--no-chrome-trace"}
)

// inDir rewrites the file arguments of flags (config.json, sim.yaml, store,
// the artifact, sim-out) to paths under dir.
func inDir(dir string, flags []string) []string {
	out := slices.Clone(flags)
	for i, f := range out {
		switch f {
		case "config.json", "sim.yaml", "store", "tiny-llama_cpu.vidurart", "sim-out":
			out[i] = filepath.Join(dir, f)
		}
	}
	return out
}

const (
	modelName  = "vidur-e2e/tiny-llama"
	numLayers  = 2
	numReqs    = 20 // --num-requests of simFlags
	promptToks = 192
)

// runCmd runs one command tree in process, as its binary would.
func runCmd(t *testing.T, root *cobra.Command, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	start := time.Now()
	if err := cli.Run(context.Background(), root, args, &out, &errb); err != nil {
		t.Fatalf("%s %s: %v\nstdout:\n%s\nstderr:\n%s", root.Name(), strings.Join(args, " "), err, out.String(), errb.String())
	}
	t.Logf("%s %s: %s", root.Name(), args[0], time.Since(start).Round(time.Millisecond))
	return out.String()
}

// TestPipeline profiles a tiny model on the CPU, trains an artifact from
// the measured profile and simulates a workload with it.
func TestPipeline(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the profile → train → simulate pipeline")
	}
	py, err := worker.FindPython(context.Background())
	if err != nil {
		t.Skipf("skipping the profile → train → simulate pipeline (it measures with PyTorch): %v", err)
	}
	dir := t.TempDir()
	for name, text := range map[string]string{"config.json": tinyConfig, "sim.yaml": simConfig} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	store := filepath.Join(dir, "store")
	simOut := filepath.Join(dir, "sim-out")
	sweep := inDir(dir, sweepFlags)

	// 1. Plan and measure.
	plan := runCmd(t, profilecmd.New(), append([]string{"plan"}, sweep...)...)
	if !strings.Contains(plan, "device cpu, max context 256") {
		t.Fatalf("plan output:\n%s", plan)
	}
	ran := runCmd(t, profilecmd.New(), append([]string{"run", "--store", store, "--python", py}, sweep...)...)
	if !strings.Contains(ran, "0 skipped") {
		t.Fatalf("run skipped shapes:\n%s", ran)
	}
	prof := (&profiler.Store{Root: store}).ComputeDir("cpu", modelName)
	mlp, err := profiler.ReadMLP(filepath.Join(prof, "mlp.csv"))
	if err != nil {
		t.Fatal(err)
	}
	attn, err := profiler.ReadAttention(filepath.Join(prof, "attention.csv"))
	if err != nil {
		t.Fatal(err)
	}

	// 2. Train on the measured profile (CPU device: node "cpu").
	fit := runCmd(t, traincmd.New(), append([]string{"fit"}, inDir(dir, fitFlags)...)...)
	if !strings.Contains(fit, "provenance measured") {
		t.Fatalf("fit output: %s", fit)
	}

	// 3. Simulate: h100 sizes the memory planner, the artifact times batches.
	sim := runCmd(t, simcmd.New(), append([]string{"run"}, inDir(dir, simFlags)...)...)
	t.Logf("vidur-sim run output:\n%s", sim)
	line := lineWith(sim, "batch times:")
	if !strings.Contains(line, "provenance measured") || strings.Contains(line, "analytical") || !strings.Contains(line, "on cpu/cpu") {
		t.Errorf("predictor line %q: want the measured cpu artifact, not the analytical model", line)
	}
	var sum struct {
		Model     string `json:"model"`
		Requests  int    `json:"requests"`
		Completed int    `json:"completed"`
		TTFT      struct {
			Min float64 `json:"min"`
		} `json:"prefill_e2e_time"`
	}
	raw, err := os.ReadFile(filepath.Join(simOut, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Model != modelName || sum.Requests != numReqs || sum.Completed != numReqs || !(sum.TTFT.Min > 0) {
		t.Errorf("summary: model %q, %d of %d requests completed (want all %d), min TTFT %g s (want > 0)",
			sum.Model, sum.Completed, sum.Requests, numReqs, sum.TTFT.Min)
	}
	reqs := readCSV(t, filepath.Join(simOut, "requests.csv"))
	if len(reqs) != numReqs {
		t.Fatalf("requests.csv has %d requests, want %d", len(reqs), numReqs)
	}
	for i, r := range reqs {
		if ttft, done := num(t, r, "prefill_e2e_time"), num(t, r, "completed_at"); !(ttft > 0) || !(done > 0) {
			t.Errorf("request %d: prefill_e2e_time %g, completed_at %g: want both > 0", i, ttft, done)
		}
	}

	// 4. Batch times agree with the measured operator medians. The simulator
	// reads token tables at ceil_to(tokens, 8) and sums, per layer, the nine
	// mlp.csv operators, the KV-cache write and the attention kernel.
	batches := readCSV(t, filepath.Join(simOut, "batches.csv"))
	var decodeMs, prefillMs []float64
	for _, b := range batches {
		ms := num(t, b, "batch_execution_time") * 1e3
		switch {
		case b["batch_size"] == "1" && b["batch_num_prefill_tokens"] == "0":
			decodeMs = append(decodeMs, ms)
		case b["batch_size"] == "1" && b["batch_num_prefill_tokens"] == strconv.Itoa(promptToks):
			prefillMs = append(prefillMs, ms)
		}
	}
	if len(decodeMs) == 0 || len(prefillMs) == 0 {
		t.Fatalf("no single-request decode (%d) or prefill (%d) batches in %d batches", len(decodeMs), len(prefillMs), len(batches))
	}
	var dec, pre *profiler.AttentionRow
	for i := range attn {
		r := &attn[i]
		if !r.IsPrefill && r.BatchSize == 1 && (dec == nil || r.KVCacheSize > dec.KVCacheSize) {
			dec = r // the longest measured context: decodes run at 192..255 cached tokens
		}
		if r.IsPrefill && r.PrefillChunkSize == promptToks && r.KVCacheSize == 0 {
			pre = r
		}
	}
	if dec == nil || pre == nil {
		t.Fatalf("attention.csv lacks a batch-1 decode row or a %d-token prefill row", promptToks)
	}
	wantDecode := numLayers * (mlpSum(t, mlp, 8) + dec.Ops["attn_kv_cache_save"].Median + dec.Ops["attn_decode"].Median)
	wantPrefill := numLayers * (mlpSum(t, mlp, promptToks) + pre.Ops["attn_kv_cache_save"].Median + pre.Ops["attn_prefill"].Median)
	for _, c := range []struct {
		name       string
		sim        []float64
		measuredMs float64
	}{{"decode iteration (1 request)", decodeMs, wantDecode}, {"prefill of 192 tokens", prefillMs, wantPrefill}} {
		got := median(c.sim)
		t.Logf("%s: simulated median %.3f ms over %d batches; measured operator medians × %d layers %.3f ms",
			c.name, got, len(c.sim), numLayers, c.measuredMs)
		if r := got / c.measuredMs; !(r > 0.5 && r < 2) {
			t.Errorf("%s: simulated %.3f ms is %.2f× the measured %.3f ms (want within a factor of 2)", c.name, got, r, c.measuredMs)
		}
	}
}

// mlpSum returns the sum of the medians (ms) of the nine per-layer mlp.csv
// operators at the row of exactly tokens tokens.
func mlpSum(t *testing.T, rows []profiler.MLPRow, tokens int) float64 {
	t.Helper()
	for _, r := range rows {
		if r.NumTokens != tokens || r.TP != 1 {
			continue
		}
		s := 0.0
		for _, op := range []string{"input_layernorm", "attn_pre_proj", "attn_rope", "attn_post_proj",
			"post_attention_layernorm", "mlp_up_proj", "mlp_act", "mlp_down_proj", "add"} {
			st, ok := r.Ops[op]
			if !ok || !(st.Median > 0) {
				t.Fatalf("mlp.csv num_tokens=%d: %s median %v (present %v)", tokens, op, st.Median, ok)
			}
			s += st.Median
		}
		return s
	}
	t.Fatalf("mlp.csv has no row for num_tokens=%d", tokens)
	return 0
}

// readCSV reads a CSV with a header row into one map per record.
func readCSV(t *testing.T, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	if len(recs) == 0 {
		t.Fatalf("%s is empty", path)
	}
	out := make([]map[string]string, 0, len(recs)-1)
	for _, rec := range recs[1:] {
		m := make(map[string]string, len(rec))
		for i, v := range rec {
			m[recs[0][i]] = v
		}
		out = append(out, m)
	}
	return out
}

func num(t *testing.T, rec map[string]string, col string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(rec[col], 64)
	if err != nil {
		t.Fatalf("column %q: %v", col, err)
	}
	return v
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

func lineWith(text, prefix string) string {
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}

// TestDocsShowTheTestedCommands keeps docs/profiling.md's "End to end on a
// CPU" section equal to what TestPipeline runs: the same config.json, the
// same sim.yaml and the same flags.
func TestDocsShowTheTestedCommands(t *testing.T) {
	raw, err := os.ReadFile("../../docs/profiling.md")
	if err != nil {
		t.Skip("docs not present:", err)
	}
	doc := string(raw)
	i := strings.Index(doc, "## End to end on a CPU")
	if i < 0 {
		t.Fatal(`docs/profiling.md has no "## End to end on a CPU" section`)
	}
	sec := doc[i:]
	if j := strings.Index(sec[3:], "\n## "); j >= 0 {
		sec = sec[:j+3]
	}
	for _, want := range []string{"cat > config.json <<'EOF'\n" + tinyConfig + "EOF\n", "cat > sim.yaml <<'EOF'\n" + simConfig + "EOF\n"} {
		if !strings.Contains(sec, want) {
			t.Errorf("the section does not write\n%s", want)
		}
	}
	// Commands compared word by word (the docs align and wrap them).
	words := " " + strings.Join(strings.Fields(strings.ReplaceAll(sec, "\\\n", " ")), " ") + " "
	for _, cmd := range [][]string{
		append([]string{"vidur-profile", "plan"}, sweepFlags...),
		append(append([]string{"vidur-profile", "run"}, sweepFlags...), "--store", "store"),
		append([]string{"vidur-train", "fit"}, fitFlags...),
		append([]string{"vidur-sim", "run"}, simFlags...),
	} {
		if want := " " + strings.Join(cmd, " ") + " "; !strings.Contains(words, want) {
			t.Errorf("the section does not run%s", want)
		}
	}
}
