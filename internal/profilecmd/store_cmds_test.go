package profilecmd

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vidur-go/vidur-go/internal/cli"
	"github.com/vidur-go/vidur-go/profiler/gpu"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

var (
	spaces = regexp.MustCompile(` {2,}`)
	rules  = regexp.MustCompile(`─{2,}`)
)

// step is one command of a golden scenario; args may use $STORE and
// $TESTDATA.
type step []string

// runGolden runs the steps against one fresh store and compares the
// transcript (stdout, stderr and the returned error of each step, with
// paths replaced by $STORE and $TESTDATA) with testdata/golden/<name>.golden.
func runGolden(t *testing.T, name string, steps ...step) {
	t.Helper()
	store := filepath.Join(t.TempDir(), "store")
	testdata, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	old := importClock
	importClock = func() time.Time { return time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC) }
	t.Cleanup(func() { importClock = old })
	expand := strings.NewReplacer("$STORE", store, "$TESTDATA", testdata)
	hide := strings.NewReplacer(store, "$STORE", testdata, "$TESTDATA")
	var transcript strings.Builder
	for _, s := range steps {
		args := make([]string, len(s))
		for i, a := range s {
			args[i] = expand.Replace(a)
		}
		var stdout, stderr bytes.Buffer
		err := cli.Run(context.Background(), New(), args, &stdout, &stderr)
		transcript.WriteString("$ vidur-profile " + strings.Join(s, " ") + "\n")
		transcript.WriteString(hide.Replace(stdout.String()))
		if stderr.Len() > 0 {
			transcript.WriteString("--- stderr\n" + hide.Replace(stderr.String()))
		}
		if err != nil {
			transcript.WriteString("--- error: " + hide.Replace(err.Error()) + "\n")
		}
		transcript.WriteString("\n")
	}
	golden := filepath.Join("testdata", "golden", name+".golden")
	// Table widths depend on the length of the temporary paths: collapse
	// padding so that the golden files do not.
	got := spaces.ReplaceAllString(transcript.String(), " ")
	got = rules.ReplaceAllString(got, "─")
	if *update {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test -update rewrites it):\n%s", golden, got)
	}
}

func TestGoldenImportListShow(t *testing.T) {
	runGolden(t, "import_list_show",
		step{"import", "$TESTDATA/vidur/profiling", "--store", "$STORE"},
		step{"import", "$TESTDATA/vidur/synthetic/profiling", "--store", "$STORE"},
		step{"import", "$TESTDATA/vidur/profiling/network", "--store", "$STORE"},
		step{"list", "--store", "$STORE"},
		step{"show", "a100/acme/Tiny-1b", "--store", "$STORE"},
		step{"show", "x_dgx", "--store", "$STORE"},
		step{"show", "cpu_overhead/x_dgx/acme/Tiny-1b/cpu_overheads.csv", "--store", "$STORE"},
		step{"show", "h100/nothing", "--store", "$STORE"},
	)
}

func TestGoldenImportErrors(t *testing.T) {
	runGolden(t, "import_errors",
		step{"import", "$TESTDATA/bad", "--store", "$STORE"},
		step{"import", "$TESTDATA/bad/loose_mlp.csv", "--store", "$STORE", "--sku", "h100", "--model", "acme/Loose-1b"},
		step{"import", "$TESTDATA/missing.csv", "--store", "$STORE"},
		step{"list", "--store", "$STORE"},
		step{"import", "--store", "$STORE"},
	)
}

func TestImportUnwritableStore(t *testing.T) {
	f := filepath.Join(t.TempDir(), "file")
	os.WriteFile(f, nil, 0o644)
	var out, errb bytes.Buffer
	err := cli.Run(context.Background(), New(), []string{"import", "testdata/vidur/profiling", "--store", filepath.Join(f, "store")}, &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "profile store") {
		t.Fatalf("err %v", err)
	}
}

func TestListEmptyAndMissingStore(t *testing.T) {
	var out, errb bytes.Buffer
	dir := t.TempDir()
	if err := cli.Run(context.Background(), New(), []string{"list", "--store", dir}, &out, &errb); err != nil || !strings.Contains(out.String(), "no profiles") {
		t.Fatalf("%q %v", out.String(), err)
	}
	if err := cli.Run(context.Background(), New(), []string{"list", "--store", filepath.Join(dir, "none")}, &out, &errb); err == nil {
		t.Fatal("listed a missing store")
	}
}

// fakeDetector returns fixed devices or an error.
type fakeDetector struct {
	devs []gpu.Device
	err  error
}

func (f fakeDetector) Detect() ([]gpu.Device, error) { return f.devs, f.err }

func TestGoldenDetect(t *testing.T) {
	old := detector
	t.Cleanup(func() { detector = old })
	devs := []gpu.Device{
		{Index: 0, Name: "NVIDIA H100 80GB HBM3", SKU: "h100", UUID: "GPU-0", PCIBusID: "00000000:01:00.0", MemoryBytes: 80 << 30, ComputeCapability: "9.0",
			NVLinks: []gpu.NVLinkPeer{{PeerIndex: 1, PeerPCIBusID: "00000000:02:00.0", Links: 18}}},
		{Index: 1, Name: "NVIDIA Quantum 9000", UUID: "GPU-1", PCIBusID: "00000000:02:00.0", MemoryBytes: 96 << 30, ComputeCapability: "10.0",
			NVLinks: []gpu.NVLinkPeer{{PeerIndex: 0, PeerPCIBusID: "00000000:01:00.0", Links: 18}}},
	}
	cases := []struct {
		name string
		det  fakeDetector
		args []string
	}{
		{"detect_devices", fakeDetector{devs: devs}, []string{"detect"}},
		{"detect_devices_json", fakeDetector{devs: devs}, []string{"detect", "--json"}},
		{"detect_no_library", fakeDetector{err: &gpu.UnavailableError{Reason: "no NVIDIA GPU found (NVML: library not found)"}}, []string{"detect"}},
		{"detect_no_library_json", fakeDetector{err: &gpu.UnavailableError{Reason: "no NVIDIA GPU found (NVML: library not found)"}}, []string{"detect", "--json"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			det := tc.det
			detector = func() gpu.Detector { return det }
			runGolden(t, tc.name, step(tc.args))
		})
	}
}

// TestDetectHere runs the real detector of this build: on a machine
// without NVIDIA's library (or without cgo) it must answer and succeed.
func TestDetectHere(t *testing.T) {
	var out, errb bytes.Buffer
	err := cli.Run(context.Background(), New(), []string{"detect"}, &out, &errb)
	if err != nil {
		t.Fatalf("detect failed: %v", err)
	}
	if out.Len() == 0 {
		t.Fatal("no output")
	}
}

func TestHelp(t *testing.T) {
	for _, cmd := range []string{"import", "list", "show", "detect"} {
		var out, errb bytes.Buffer
		if err := cli.Run(context.Background(), New(), []string{cmd, "--help"}, &out, &errb); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "Examples:") || !strings.Contains(out.String(), "vidur-profile "+cmd) {
			t.Errorf("%s --help:\n%s", cmd, out.String())
		}
	}
}
