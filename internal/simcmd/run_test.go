package simcmd

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
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
