package simcmd

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/vidur-go/vidur-go/internal/cli"
)

func runCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	t.Setenv("VIDUR_ARTIFACTS", t.TempDir()) // no artifacts: analytical model
	var out, errb bytes.Buffer
	err := cli.Run(context.Background(), New(), args, &out, &errb)
	return out.String(), err
}

func TestRunDefaultWritesOutputs(t *testing.T) {
	dir := t.TempDir()
	out, err := runCLI(t, "run", "--num-requests", "40", "--output-dir", dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"analytical, not measured", "TTFT", "40 of 40 requests completed"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	for _, f := range []string{"summary.json", "requests.csv", "batches.csv", "config.yaml", "trace.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("missing output: %v", err)
		}
	}
	var sum struct {
		Predictor string `json:"predictor"`
		Completed int    `json:"completed"`
	}
	raw, _ := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err := json.Unmarshal(raw, &sum); err != nil || sum.Completed != 40 || !strings.Contains(sum.Predictor, "not measured") {
		t.Fatalf("summary.json: %v %+v", err, sum)
	}
}

// TestRunIsDeterministic: the same configuration gives byte-identical files.
func TestRunIsDeterministic(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	args := []string{"run", "--num-requests", "30", "--replicas", "2", "--router", "random", "--no-plots"}
	if _, err := runCLI(t, append(args, "--output-dir", a)...); err != nil {
		t.Fatal(err)
	}
	if _, err := runCLI(t, append(args, "--output-dir", b)...); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"summary.json", "requests.csv", "batches.csv", "trace.json"} {
		x, _ := os.ReadFile(filepath.Join(a, f))
		y, _ := os.ReadFile(filepath.Join(b, f))
		if !bytes.Equal(x, y) || len(x) == 0 {
			t.Errorf("%s differs between identical runs", f)
		}
	}
}

// TestRunEverySchedulerAndRouter drives each scheduler and router through
// the command line.
func TestRunEverySchedulerAndRouter(t *testing.T) {
	cases := [][2]string{{"sarathi", "round_robin"}, {"sarathi", "random"}}
	for _, s := range []string{"sarathi", "vllm", "orca", "lightllm", "faster_transformer"} {
		cases = append(cases, [2]string{s, "lor"})
	}
	for _, c := range cases {
		s, r := c[0], c[1]
		{
			t.Run(s+"/"+r, func(t *testing.T) {
				out, err := runCLI(t, "run", "--scheduler", s, "--router", r, "--replicas", "2", "--num-requests", "20",
					"--qps", "20", "--no-plots", "--no-chrome-trace", "--output-dir", t.TempDir())
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(out, "20 of 20 requests completed") {
					t.Fatalf("stdout:\n%s", out)
				}
			})
		}
	}
}

func TestPrintConfigAndOverrides(t *testing.T) {
	cfgFile := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(cfgFile, []byte("cluster:\n  num_replicas: 4\nscheduler:\n  type: vllm\n"), 0o644)
	out, err := runCLI(t, "run", "--config", cfgFile, "--replicas", "3", "--print-config")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"num_replicas: 3", "type: vllm", "model: meta-llama/Meta-Llama-3-8B"} {
		if !strings.Contains(out, want) {
			t.Errorf("--print-config lacks %q:\n%s", want, out)
		}
	}
}

func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	mistral := filepath.Join("..", "..", "models", "testdata", "mistral-7b", "config.json")
	unknown := filepath.Join(dir, "u.yaml")
	os.WriteFile(unknown, []byte("cluster:\n  num_replicaz: 4\n"), 0o644)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown key", []string{"--config", unknown}, "num_replicaz"},
		{"unknown model", []string{"--model", "meta-llama/Llama-9"}, "unknown model"},
		{"unknown device", []string{"--device", "h900"}, "h900"},
		{"does not fit", []string{"--model", "meta-llama/Llama-2-70b-hf"}, "does not fit"},
		{"pp does not divide", []string{"--pp", "3"}, "3"},
		{"tp exceeds node", []string{"--tp", "16"}, "16"},
		{"lightllm block", []string{"--scheduler", "lightllm", "--block-size", "16"}, "block_size 1"},
		{"unknown scheduler", []string{"--scheduler", "fifo"}, "fifo"},
		{"missing artifact", []string{"--artifact", filepath.Join(dir, "none.vidurart")}, "vidur-train fit"},
		{"no artifact", []string{"--require-artifact"}, "vidur-train fit --model meta-llama/Meta-Llama-3-8B --device h100 --node h100_dgx --tp 1"},
		{"missing trace", []string{"--trace", filepath.Join(dir, "none.csv")}, "none.csv"},
		{"missing artifact of a config.json model", []string{"--model-config", mistral, "--artifact", filepath.Join(dir, "none.vidurart")},
			"vidur-train fit --model-config " + mistral + " --device h100"},
		{"no artifact of a config.json model", []string{"--model-config", mistral, "--require-artifact"}, "give vidur-train --model-config " + mistral},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := runCLI(t, append([]string{"run", "--num-requests", "5", "--output-dir", dir}, tc.args...)...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestRunHFModelConfigAndTimeLimit(t *testing.T) {
	out, err := runCLI(t, "run", "--model-config", filepath.Join("..", "..", "models", "testdata", "mistral-7b", "config.json"),
		"--num-requests", "200", "--qps", "50", "--time-limit", "1", "--no-plots", "--output-dir", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "stopped at the time limit") || !strings.Contains(out, "of 200 requests completed") {
		t.Fatalf("stdout:\n%s", out)
	}
}

// readRequests returns requests.csv's (prefill, decode) token counts in
// request-id order.
func readRequests(t *testing.T, dir string) [][2]int {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "requests.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := func(name string) int {
		i := slices.Index(recs[0], name)
		if i < 0 {
			t.Fatalf("requests.csv lacks %q", name)
		}
		return i
	}
	p, d := col("request_num_prefill_tokens"), col("request_num_decode_tokens")
	var out [][2]int
	for _, r := range recs[1:] {
		a, err1 := strconv.Atoi(r[p])
		b, err2 := strconv.Atoi(r[d])
		if err1 != nil || err2 != nil {
			t.Fatalf("row %v: %v %v", r, err1, err2)
		}
		out = append(out, [2]int{a, b})
	}
	return out
}

// TestRunTraceNumRequests: --num-requests (or workload.num_requests in
// --config) caps a trace replay to its first rows in file order; without
// it the whole trace is replayed, as in Vidur.
func TestRunTraceNumRequests(t *testing.T) {
	dir := t.TempDir()
	trace := filepath.Join(dir, "t.csv")
	// File order differs from arrival order: the cap is by row, not time
	// (the row arriving first, 0.1 s, is the second).
	os.WriteFile(trace, []byte("arrived_at,num_prefill_tokens,num_decode_tokens\n0.5,100,5\n0.1,101,6\n0.3,102,7\n0.2,103,8\n0.4,104,9\n"), 0o644)
	whole := filepath.Join(dir, "whole.yaml")
	os.WriteFile(whole, []byte("workload: {type: trace_replay, trace_file: "+trace+"}\n"), 0o644)
	capped := filepath.Join(dir, "capped.yaml")
	os.WriteFile(capped, []byte("workload: {num_requests: 4}\n"), 0o644)
	synthetic := filepath.Join(dir, "synthetic.yaml")
	os.WriteFile(synthetic, []byte("workload: {interval: {qps: 3}}\n"), 0o644)
	tests := []struct {
		name    string
		args    []string
		prefill []int // in request-id order: ids follow file order
		line    string
	}{
		{"whole trace", []string{"--trace", trace}, []int{100, 101, 102, 103, 104}, "5 requests replayed from t.csv (every row)"},
		{"first 2 rows", []string{"--trace", trace, "--num-requests", "2"}, []int{100, 101}, "2 requests replayed from t.csv (its first 2 rows)"},
		{"yaml trace, no count", []string{"--config", whole}, []int{100, 101, 102, 103, 104}, "(every row)"},
		{"yaml trace, flag count", []string{"--config", whole, "--num-requests", "3"}, []int{100, 101, 102}, "(its first 3 rows)"},
		{"yaml count, flag trace", []string{"--config", capped, "--trace", trace}, []int{100, 101, 102, 103}, "(its first 4 rows)"},
		{"yaml without count, flag trace", []string{"--config", synthetic, "--trace", trace}, []int{100, 101, 102, 103, 104}, "(every row)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			stdout, err := runCLI(t, append([]string{"run", "--no-plots", "--no-chrome-trace", "--output-dir", out}, tc.args...)...)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(stdout, tc.line) {
				t.Errorf("stdout lacks %q:\n%s", tc.line, stdout)
			}
			var got []int
			for _, r := range readRequests(t, out) {
				got = append(got, r[0])
			}
			if !slices.Equal(got, tc.prefill) {
				t.Errorf("prefill tokens %v, want %v", got, tc.prefill)
			}
			// config.yaml reproduces the run: num_requests 0 = whole trace.
			count := len(tc.prefill)
			if strings.Contains(tc.line, "every row") {
				count = 0
			}
			y, _ := os.ReadFile(filepath.Join(out, "config.yaml"))
			if want := fmt.Sprintf("num_requests: %d\n", count); !strings.Contains(string(y), want) {
				t.Errorf("config.yaml lacks %q", want)
			}
		})
	}
	_, err := runCLI(t, "run", "--trace", trace, "--num-requests", "6", "--output-dir", dir)
	if err == nil || !strings.Contains(err.Error(), "num_requests is 6 but the trace has only 5 rows") {
		t.Errorf("more requests than rows: %v", err)
	}
}

// TestRunLengthAndArrivalFlags: each workload flag sets its configuration
// key (checked with --print-config) and shapes the simulated requests.
func TestRunLengthAndArrivalFlags(t *testing.T) {
	lengths := filepath.Join(t.TempDir(), "lengths.csv")
	os.WriteFile(lengths, []byte("num_prefill_tokens,num_decode_tokens\n300,30\n310,31\n320,32\n"), 0o644)
	tests := []struct {
		name string
		args []string
		want []string // in --print-config
	}{
		{"fixed", []string{"--prefill-tokens", "1000", "--decode-tokens", "20"},
			[]string{"prefill_tokens: 1000", "decode_tokens: 20", "max_tokens: 4096", "type: fixed"}},
		{"prefill only keeps decode", []string{"--prefill-tokens", "100"}, []string{"prefill_tokens: 100", "decode_tokens: 512"}},
		{"long requests raise max_tokens", []string{"--prefill-tokens", "8000", "--decode-tokens", "200"}, []string{"max_tokens: 8200"}},
		{"explicit max_tokens wins", []string{"--prefill-tokens", "1000", "--max-tokens", "1600"}, []string{"max_tokens: 1600"}},
		{"length trace", []string{"--length-trace", lengths}, []string{"type: trace", "trace_file: " + lengths}},
		{"gamma", []string{"--arrival", "gamma", "--cv", "2.5", "--qps", "7"}, []string{"type: gamma", "cv: 2.5", "qps: 7"}},
		{"static", []string{"--arrival", "static"}, []string{"type: static"}},
		{"device picks its node", []string{"--device", "a100"}, []string{"device: a100", "node: a100_dgx"}},
		{"device and node", []string{"--device", "a100", "--node", "a100_pairwise_nvlink"}, []string{"node: a100_pairwise_nvlink"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := runCLI(t, append([]string{"run", "--print-config"}, tc.args...)...)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w+"\n") {
					t.Errorf("--print-config lacks %q:\n%s", w, out)
				}
			}
		})
	}
	t.Run("simulated lengths", func(t *testing.T) {
		dir := t.TempDir()
		out, err := runCLI(t, "run", "--prefill-tokens", "700", "--decode-tokens", "9", "--arrival", "static",
			"--num-requests", "6", "--no-plots", "--no-chrome-trace", "--output-dir", dir)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, "workload: 6 requests, all arriving at t=0, 700 prompt + 9 output tokens") {
			t.Errorf("stdout:\n%s", out)
		}
		for _, r := range readRequests(t, dir) {
			if r != [2]int{700, 9} {
				t.Fatalf("request lengths %v, want 700 + 9", r)
			}
		}
		dir = t.TempDir()
		if _, err := runCLI(t, "run", "--length-trace", lengths, "--num-requests", "3", "--no-plots", "--no-chrome-trace", "--output-dir", dir); err != nil {
			t.Fatal(err)
		}
		var got []int
		for _, r := range readRequests(t, dir) {
			got = append(got, r[0])
		}
		slices.Sort(got)
		if !slices.Equal(got, []int{300, 310, 320}) {
			t.Errorf("prompts %v, want the trace's 300, 310, 320", got)
		}
	})
}

func TestRunWorkloadFlagErrors(t *testing.T) {
	trace := filepath.Join(t.TempDir(), "t.csv")
	os.WriteFile(trace, []byte("arrived_at,num_prefill_tokens,num_decode_tokens\n0,10,1\n"), 0o644)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"qps with trace", []string{"--trace", trace, "--qps", "3"}, "--qps applies to synthetic requests"},
		{"lengths with trace", []string{"--trace", trace, "--prefill-tokens", "3"}, "--prefill-tokens applies to synthetic requests"},
		{"cv without gamma", []string{"--cv", "2"}, "add --arrival gamma"},
		{"unknown arrival", []string{"--arrival", "uniform"}, `--arrival "uniform": want poisson, gamma or static`},
		{"both length sources", []string{"--length-trace", trace, "--decode-tokens", "4"}, "not both"},
		{"zero prefill", []string{"--prefill-tokens", "0"}, "length.prefill_tokens: must be ≥ 1"},
		{"too long for max", []string{"--prefill-tokens", "5000", "--max-tokens", "4096"}, "exceeds max_tokens 4096"},
		{"negative cv", []string{"--arrival", "gamma", "--cv", "-1"}, "interval.cv"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := runCLI(t, append([]string{"run", "--print-config"}, tc.args...)...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

// TestRunNameFollowsModelConfig: the default output directory is named
// after the model of --model-config, not the default catalog model.
func TestRunNameFollowsModelConfig(t *testing.T) {
	hf, err := filepath.Abs(filepath.Join("..", "..", "models", "testdata", "qwen2.5-7b", "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	out, err := runCLI(t, "run", "--model-config", hf, "--num-requests", "5", "--no-plots", "--no-chrome-trace")
	if err != nil {
		t.Fatal(err)
	}
	dirs, _ := filepath.Glob(filepath.Join("simulator_output", "*"))
	// The file has no _name_or_path: the model is named after its directory.
	if len(dirs) != 1 || !strings.HasPrefix(filepath.Base(dirs[0]), "qwen2.5-7b_h100_tp1_pp1_x1_sarathi_") {
		t.Fatalf("output directories %v, want one named qwen2.5-7b_h100_...; stdout:\n%s", dirs, out)
	}
	if !strings.Contains(out, "wrote 4 files to "+dirs[0]) {
		t.Errorf("stdout:\n%s", out)
	}
}

func TestRunHelpListsWorkloadFlags(t *testing.T) {
	out, err := runCLI(t, "run", "--help")
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"Examples:", "--prefill-tokens", "--decode-tokens", "--length-trace", "--arrival", "--cv",
		"replay only the first N rows", "(default 300)", "(default meta-llama/Meta-Llama-3-8B)"} {
		if !strings.Contains(out, w) {
			t.Errorf("help lacks %q", w)
		}
	}
}

// TestConfigurationDocListsEveryFlag: docs/configuration.md names every
// flag of `vidur-sim run`.
func TestConfigurationDocListsEveryFlag(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "configuration.md"))
	if err != nil {
		t.Fatal(err)
	}
	// FlagUsages has one line per flag: "  -x, --name type   usage".
	n := 0
	for _, line := range strings.Split(newRunCmd().Flags().FlagUsages(), "\n") {
		_, rest, ok := strings.Cut(line, "--")
		if !ok {
			continue
		}
		name, _, _ := strings.Cut(rest, " ")
		n++
		if !strings.Contains(string(doc), "`--"+name) {
			t.Errorf("docs/configuration.md does not mention --%s", name)
		}
	}
	if n < 30 {
		t.Fatalf("found %d flags in the usage text, want the ~40 of vidur-sim run", n)
	}
}
