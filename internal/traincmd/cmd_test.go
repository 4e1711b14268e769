package traincmd

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vidur-go/vidur-go/internal/cli"
	"github.com/vidur-go/vidur-go/predictor"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// run executes vidur-train with args and returns stdout.
func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := cli.Run(context.Background(), New(), args, &out, &errb)
	return out.String(), err
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Fatalf("output differs from %s (go test -update to refresh):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestImportVidurAndInspect(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "a.vidurart")
	msg, err := run(t, "import-vidur", "testdata/vidur-tables", "--model", "meta-llama/Llama-2-7b-hf", "--device", "h100", "--node", "h100_pairwise_nvlink", "--tp", "1", "-o", out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msg, "12 tables") {
		t.Fatalf("import output %q", msg)
	}
	got, err := run(t, "inspect", out)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "inspect.golden", strings.ReplaceAll(got, dir, "DIR"))
	js, err := run(t, "inspect", "--json", out)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{`"format_version": 1`, `"provenance": "vidur-import"`, `"max_prefill_chunk": 3`, `"sha256"`} {
		if !strings.Contains(js, w) {
			t.Errorf("inspect --json lacks %s", w)
		}
	}
}

func TestImportVidurDefaultOutput(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(predictor.ArtifactsEnv, dir)
	if _, err := run(t, "import-vidur", "testdata/vidur-tables", "--model", "meta-llama/Llama-2-7b-hf", "--device", "h100", "--node", "h100_pairwise_nvlink"); err != nil {
		t.Fatal(err)
	}
	if _, err := predictor.Find("", "meta-llama/Llama-2-7b-hf", "h100", "h100_pairwise_nvlink", 1); err != nil {
		t.Fatal(err)
	}
}

func TestCommandErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.vidurart")
	os.WriteFile(bad, []byte("VIDURART but not really"), 0o644)
	tests := []struct {
		name  string
		args  []string
		want  string
		usage bool
	}{
		{"import needs model", []string{"import-vidur", "testdata/vidur-tables", "--device", "h100", "--node", "x"}, "--model NAME or --model-config config.json is required", true},
		{"unknown model", []string{"import-vidur", "testdata/vidur-tables", "--model", "llama", "--device", "h100", "--node", "x"}, "unknown model", false},
		{"bad tp", []string{"import-vidur", "testdata/vidur-tables", "--model", "meta-llama/Llama-2-7b-hf", "--device", "h100", "--node", "x", "--tp", "0"}, "--tp 0", true},
		{"inspect corrupt", []string{"inspect", bad}, "is corrupt: truncated", false},
		{"inspect missing", []string{"inspect", filepath.Join(dir, "none")}, "no such file", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := run(t, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			var ue *cli.UsageError
			if got := errors.As(err, &ue); got != tc.usage {
				t.Fatalf("usage error = %v, want %v", got, tc.usage)
			}
		})
	}
}

func TestCompare(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.vidurart")
	if _, err := run(t, "import-vidur", "testdata/vidur-tables", "--model", "meta-llama/Llama-2-7b-hf", "--device", "h100", "--node", "h100_pairwise_nvlink", "-o", a); err != nil {
		t.Fatal(err)
	}
	out, err := run(t, "compare", a, a)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "attn_prefill") || !strings.Contains(out, "0.00") {
		t.Fatalf("compare output:\n%s", out)
	}
}
