package traincmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vidur-go/vidur-go/predictor"
	"github.com/vidur-go/vidur-go/profiler"
)

// tinyConfig is a 2-layer llama-shaped model outside the catalog, named by
// its _name_or_path.
const tinyConfig = `{"_name_or_path": "vidur-test/tiny-llama", "model_type": "llama", "hidden_size": 256,
 "intermediate_size": 512, "num_attention_heads": 4, "num_key_value_heads": 2, "num_hidden_layers": 2,
 "vocab_size": 1024, "max_position_embeddings": 512, "hidden_act": "silu"}`

// writeCPUProfile stores synthetic CPU-measured mlp and attention profiles
// of the tiny model (times linear in the work, in ms), as vidur-profile run
// --device cpu would. withAttention false leaves attention.csv out.
func writeCPUProfile(t *testing.T, root string, withAttention bool) {
	t.Helper()
	st, err := profiler.OpenStore(root)
	if err != nil {
		t.Fatal(err)
	}
	stat := func(ms float64) profiler.Stats {
		return profiler.Stats{Min: ms * 0.9, Max: ms * 1.1, Mean: ms, Median: ms, Std: ms * 0.05}
	}
	man := profiler.Manifest{Source: "synthetic test profile", Measured: true, Method: "perf_counter"}
	var mlp []profiler.MLPRow
	for _, n := range []int{1, 2, 4, 8, 16, 32, 64, 96, 128, 160, 192, 224, 256} {
		ops := map[string]profiler.Stats{}
		for i, op := range []string{"input_layernorm", "attn_pre_proj", "attn_rope", "attn_post_proj",
			"post_attention_layernorm", "mlp_up_proj", "mlp_act", "mlp_down_proj", "add"} {
			ops[op] = stat(0.01 + float64(i+1)*1e-4*float64(n))
		}
		mlp = append(mlp, profiler.MLPRow{NHead: 4, NKVHead: 2, NEmbd: 256, NExpandedEmbd: 512, VocabSize: 1024,
			UseGatedMLP: true, NumTokens: n, TP: 1, Ops: ops})
	}
	if _, err := st.WriteMLP(cpuDevice, "vidur-test/tiny-llama", mlp, man); err != nil {
		t.Fatal(err)
	}
	if !withAttention {
		return
	}
	row := func(batch, chunk, kv int, prefill bool, ms float64) profiler.AttentionRow {
		op := "attn_decode"
		if prefill {
			op = "attn_prefill"
		}
		return profiler.AttentionRow{NEmbd: 256, NQHead: 4, NKVHead: 2, BlockSize: 16, TP: 1, MaxModelLen: 256,
			BatchSize: batch, PrefillChunkSize: chunk, KVCacheSize: kv, IsPrefill: prefill, Backend: "vidur-go.torch_matmul",
			Ops: map[string]profiler.Stats{op: stat(ms), "attn_kv_cache_save": stat(0.004 + 1e-5*float64(max(chunk, batch)))}}
	}
	var attn []profiler.AttentionRow
	for _, c := range []int{32, 64, 96, 128, 192, 256} {
		for kv := 0; c+kv <= 256; kv += 64 {
			attn = append(attn, row(1, c, kv, true, 0.02+1e-6*float64(c*(c+kv))))
		}
	}
	for b := 1; b <= 4; b++ {
		for _, kv := range []int{32, 64, 128, 192, 224} {
			attn = append(attn, row(b, 0, kv, false, 0.1+1e-4*float64(b*kv)))
		}
	}
	if _, err := st.WriteAttention(cpuDevice, "vidur-test/tiny-llama", attn, man); err != nil {
		t.Fatal(err)
	}
}

// TestFitModelConfigOnCPU fits a model given by --model-config from a
// CPU-measured profile (--device cpu, no node), the path of the
// profile → train → simulate pipeline on a machine without a GPU.
func TestFitModelConfigOnCPU(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.json")
	if err := os.WriteFile(cfg, []byte(tinyConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	store := filepath.Join(dir, "store")
	writeCPUProfile(t, store, true)
	out := filepath.Join(dir, "tiny.vidurart")
	msg, err := run(t, "fit", "--store", store, "--model-config", cfg, "--device", "cpu", "--predictor", "linear_regression",
		"--grid", "fast", "--max-tokens", "512", "--max-batch-size", "8", "--max-kv-tokens", "512", "--max-prefill-chunk", "512", "-o", out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msg, "provenance measured") {
		t.Fatalf("fit output %q", msg)
	}
	a, err := predictor.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	h := a.Header
	if h.Model != "vidur-test/tiny-llama" || h.Device != "cpu" || h.Node != "cpu" || h.TP != 1 ||
		h.Provenance != predictor.ProvenanceMeasured || h.ModelConfig.NumLayers != 2 || h.ModelConfig.EmbeddingDim != 256 {
		t.Fatalf("header: model %q device %q node %q tp %d provenance %q config %+v", h.Model, h.Device, h.Node, h.TP, h.Provenance, h.ModelConfig)
	}
	// Without --output the artifact gets the conventional name for node cpu.
	t.Setenv(predictor.ArtifactsEnv, filepath.Join(dir, "artifacts"))
	if _, err := run(t, "eval", "--store", store, "--model-config", cfg, "--device", "cpu", "--predictor", "linear_regression",
		"--grid", "fast", "--max-tokens", "512", "--max-batch-size", "8", "--max-kv-tokens", "512", "--max-prefill-chunk", "512"); err != nil {
		t.Fatalf("eval: %v", err)
	}
	if _, err := run(t, "analytical", "--model-config", cfg, "--device", "h100", "--node", "h100_dgx"); err != nil {
		t.Fatalf("analytical: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "artifacts", predictor.ArtifactFileName("vidur-test/tiny-llama", "h100", "h100_dgx", 1))); err != nil {
		t.Fatalf("analytical --model-config artifact: %v", err)
	}
}

func TestModelConfigAndCPUErrors(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.json")
	if err := os.WriteFile(cfg, []byte(tinyConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty")
	if _, err := profiler.OpenStore(empty); err != nil {
		t.Fatal(err)
	}
	mlpOnly := filepath.Join(dir, "mlp-only")
	writeCPUProfile(t, mlpOnly, false)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no model", []string{"fit", "--store", empty, "--device", "cpu"}, "--model NAME or --model-config config.json is required"},
		{"both", []string{"fit", "--store", empty, "--model", "microsoft/phi-2", "--model-config", cfg, "--device", "cpu"}, "not both"},
		{"cpu with a node", []string{"fit", "--store", empty, "--model-config", cfg, "--device", "cpu", "--node", "h100_dgx"},
			`--device cpu: CPU measurements have no node; omit --node (got "h100_dgx")`},
		{"missing node", []string{"fit", "--store", empty, "--model-config", cfg, "--device", "h100"}, "--node is required"},
		{"bad config", []string{"fit", "--store", empty, "--model-config", filepath.Join(dir, "none.json"), "--device", "cpu"}, "none.json"},
		{"no cpu profile", []string{"fit", "--store", empty, "--model-config", cfg, "--device", "cpu"},
			"no mlp profile for vidur-test/tiny-llama on cpu (looked in " + filepath.Join(empty, "compute", "cpu", "vidur-test", "tiny-llama") +
				"); measure one: vidur-profile run --model-config " + cfg + " --device cpu"},
		{"analytical hint names the config", []string{"fit", "--store", empty, "--model-config", cfg, "--device", "h100", "--node", "h100_dgx"},
			"vidur-train analytical --model-config " + cfg + " --device h100 --node h100_dgx --tp 1"},
		{"no analytical fallback on cpu", []string{"fit", "--store", mlpOnly, "--model-config", cfg, "--device", "cpu"},
			"no attention profile for vidur-test/tiny-llama on cpu"},
		{"cpu analytical", []string{"analytical", "--model-config", cfg, "--device", "cpu", "-o", filepath.Join(dir, "x.vidurart")},
			`unknown device "cpu"`},
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
