package traincmd

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/vidur-go/vidur-go/predictor"
	"github.com/vidur-go/vidur-go/profiler"
)

var (
	storeOnce sync.Once
	storeDir  string
	storeErr  error
)

// testStore imports a slice of Vidur's data (three models, two SKUs, their
// nodes, the synthetic h100 attention profile) into a store shared by the
// tests of this package.
func testStore(t *testing.T) string {
	t.Helper()
	data := os.Getenv("VIDUR_DATA")
	if data == "" {
		t.Skip("VIDUR_DATA not set: skipping end-to-end training on Vidur's profiles")
	}
	storeOnce.Do(func() {
		storeDir, storeErr = os.MkdirTemp("", "vidur-train-store-*")
		if storeErr != nil {
			return
		}
		st, err := profiler.OpenStore(storeDir)
		if err != nil {
			storeErr = err
			return
		}
		for _, src := range []string{
			"profiling/compute/h100/meta-llama/Llama-2-7b-hf",
			"profiling/compute/a100/meta-llama/Llama-2-70b-hf",
			"profiling/compute/a100/microsoft/phi-2",
			"profiling/network/a100_dgx",
			"synthetic/profiling/compute/h100/meta-llama/Llama-2-7b-hf",
		} {
			res, err := st.ImportTree(filepath.Join(data, src), profiler.ImportOptions{})
			if err != nil {
				storeErr = err
				return
			}
			for _, r := range res {
				if r.Err != nil {
					storeErr = r.Err
					return
				}
			}
		}
	})
	if storeErr != nil {
		t.Fatal(storeErr)
	}
	return storeDir
}

// small keeps the prediction grid and hyper-parameter search small.
var small = []string{"--grid", "fast", "--max-tokens", "512", "--max-batch-size", "16", "--max-kv-tokens", "1024", "--max-prefill-chunk", "256", "--seed", "1"}

func TestFitEndToEnd(t *testing.T) {
	store := testStore(t)
	dir := t.TempDir()
	// The case with the 10k-row attention profile trains linear regression
	// to keep the test fast under -race; the others train forests.
	cases := []struct {
		model, device, node, tp string
		attention               string
		predictor               string
	}{
		{"meta-llama/Llama-2-7b-hf", "h100", "h100_pairwise_nvlink", "1", "synthetic", "linear_regression"},
		{"meta-llama/Llama-2-70b-hf", "a100", "a100_dgx", "4", "analytical", "random_forest"},
		{"microsoft/phi-2", "a100", "a100_dgx", "1", "analytical", "random_forest"},
	}
	for _, tc := range cases {
		t.Run(tc.model, func(t *testing.T) {
			out := filepath.Join(dir, strings.ReplaceAll(tc.model, "/", "_")+".vidurart")
			args := append([]string{"fit", "--store", store, "--model", tc.model, "--device", tc.device, "--node", tc.node, "--tp", tc.tp, "--predictor", tc.predictor, "-o", out}, small...)
			msg, err := run(t, args...)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(msg, "wrote "+out) {
				t.Fatalf("fit output %q", msg)
			}
			js, err := run(t, "inspect", "--json", out)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range []string{`"provenance": "measured"`, `"provenance": "` + tc.attention + `"`, `"grid_search": "fast"`, `"predictor": "` + tc.predictor + `"`, `"cv_mape"`, `"held_out_mape"`, `"path": "compute/` + tc.device} {
				if !strings.Contains(js, w) {
					t.Errorf("inspect --json lacks %s", w)
				}
			}
			if tc.tp == "4" && !strings.Contains(js, `"name": "all_reduce"`) {
				t.Error("TP 4 artifact has no all_reduce table")
			}
			if _, err := predictor.Load(out); err != nil {
				t.Fatal(err)
			}
		})
	}
	t.Run("same seed, same bytes", func(t *testing.T) {
		a, b := filepath.Join(dir, "a.vidurart"), filepath.Join(dir, "b.vidurart")
		for i, o := range []string{a, b} {
			workers := []string{"1", "2"}[i] // the worker count must not matter
			args := append([]string{"fit", "--store", store, "--model", "microsoft/phi-2", "--device", "a100", "--node", "a100_dgx", "-o", o, "--workers", workers}, small...)
			if _, err := run(t, args...); err != nil {
				t.Fatal(err)
			}
		}
		x, _ := os.ReadFile(a)
		y, _ := os.ReadFile(b)
		if !bytes.Equal(x, y) {
			t.Fatal("two fits with the same seed differ")
		}
	})
}

func TestEvalTable(t *testing.T) {
	store := testStore(t)
	out, err := run(t, append([]string{"eval", "--store", store, "--model", "microsoft/phi-2", "--device", "a100", "--node", "a100_dgx"}, small...)...)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"microsoft/phi-2 on a100", "mlp_up_proj", "measured", "max_depth=", "attn_decode", "analytical", "roofline"} {
		if !strings.Contains(out, w) {
			t.Errorf("eval output lacks %q:\n%s", w, out)
		}
	}
}

func TestFitErrors(t *testing.T) {
	store := testStore(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no profile", []string{"fit", "--store", store, "--model", "meta-llama/Meta-Llama-3-8B", "--device", "h100", "--node", "h100_dgx"},
			"no mlp profile for meta-llama/Meta-Llama-3-8B on h100"},
		{"suggests analytical", []string{"fit", "--store", store, "--model", "meta-llama/Meta-Llama-3-8B", "--device", "h100", "--node", "h100_dgx"},
			"vidur-train analytical --model meta-llama/Meta-Llama-3-8B --device h100 --node h100_dgx --tp 1"},
		{"empty training set", append([]string{"fit", "--store", store, "--model", "meta-llama/Llama-2-7b-hf", "--device", "h100", "--node", "h100_pairwise_nvlink", "--block-size", "32"}, small...),
			"training data for attn_kv_cache_save is empty: no rows in compute/h100/meta-llama/Llama-2-7b-hf/attention.csv.gz match n_embd=4096, n_q_head=32, n_kv_head=32, block_size=32, num_tensor_parallel_workers=1 (found TP values: 1, 2, 4, 8; block sizes: 16"},
		{"tp not supported", []string{"fit", "--store", store, "--model", "microsoft/phi-2", "--device", "a100", "--node", "a100_dgx", "--tp", "2"},
			"does not support tensor parallelism"},
		{"no network profile", []string{"fit", "--store", store, "--model", "meta-llama/Llama-2-7b-hf", "--device", "h100", "--node", "h100_dgx", "--tp", "2"},
			"no all_reduce profile for node h100_dgx"},
		{"bad predictor", []string{"fit", "--store", store, "--model", "microsoft/phi-2", "--device", "a100", "--node", "a100_dgx", "--predictor", "xgboost"},
			`unknown predictor "xgboost"`},
		{"unknown device", []string{"fit", "--store", store, "--model", "microsoft/phi-2", "--device", "tpu", "--node", "a100_dgx"},
			"tpu"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := run(t, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}

func TestAnalyticalAndCalibrate(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "an.vidurart")
	msg, err := run(t, "analytical", "--model", "meta-llama/Meta-Llama-3-8B", "--device", "h100", "--node", "h100_dgx", "--tp", "2", "-o", out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msg, "embedded calibration of h100") {
		t.Fatalf("analytical output %q", msg)
	}
	txt, err := run(t, "inspect", out)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"provenance  analytical", "all_reduce", "not measured"} {
		if !strings.Contains(txt, w) {
			t.Errorf("inspect lacks %q", w)
		}
	}

	store := testStore(t)
	cal := filepath.Join(dir, "cal.json")
	msg, err = run(t, "calibrate", "--store", store, "--device", "a100", "-o", cal)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"calibrated a100", "mlp_up_proj", "all_reduce", "wrote " + cal} {
		if !strings.Contains(msg, w) {
			t.Errorf("calibrate output lacks %q:\n%s", w, msg)
		}
	}
	c, err := predictor.LoadCalibration(cal)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Devices["a100"].Efficiency.PerNode["a100_dgx"]; !ok {
		t.Errorf("no per-node factors for a100_dgx: %+v", c.Devices["a100"])
	}
	// The calibration file drives analytical.
	if _, err := run(t, "analytical", "--model", "microsoft/phi-2", "--device", "a100", "--node", "a100_dgx", "--calibration", cal, "-o", filepath.Join(dir, "p.vidurart")); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, "calibrate", "--store", store, "--device", "a100", "--eval", "embedded"); err != nil {
		t.Fatal(err)
	}
}

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if storeDir != "" {
		os.RemoveAll(storeDir)
	}
	os.Exit(code)
}
