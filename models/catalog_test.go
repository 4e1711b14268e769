package models

import (
	"io/fs"
	"path"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/vidur-go/vidur-go/data"
)

// vidurRow is one row of Vidur's model registry (spec §1.9).
type vidurRow struct {
	name                              string
	layers, qh, kvh, emb, mlp, maxPos int
	gated, bias, qkvBias              bool
	act, norm                         string
	postAttnNorm                      bool
	vocab                             int
	ropeTheta, partialRot             float64
	noTP                              bool
}

// vidurRegistry is spec §1.9 transcribed; the catalog must agree with it
// exactly (including Vidur's Llama-2 vocab of 32768, which profile CSVs are
// filtered on).
var vidurRegistry = []vidurRow{
	{"meta-llama/Llama-2-7b-hf", 32, 32, 32, 4096, 11008, 4096, true, false, false, "silu", "rms_norm", true, 32768, 1e4, 1, false},
	{"meta-llama/Llama-2-70b-hf", 80, 64, 8, 8192, 28672, 4096, true, false, false, "silu", "rms_norm", true, 32768, 1e4, 1, false},
	{"codellama/CodeLlama-34b-Instruct-hf", 48, 64, 8, 8192, 22016, 16384, true, false, false, "silu", "rms_norm", true, 32768, 1e6, 1, false},
	{"meta-llama/Meta-Llama-3-8B", 32, 32, 8, 4096, 14336, 4096, true, false, false, "silu", "rms_norm", true, 128256, 5e5, 1, false},
	{"meta-llama/Meta-Llama-3-70B", 80, 64, 8, 8192, 28672, 8192, true, false, false, "silu", "rms_norm", true, 128256, 5e5, 1, false},
	{"internlm/internlm-20b", 60, 40, 40, 5120, 13824, 4096, true, false, false, "silu", "rms_norm", true, 103168, 1e4, 1, false},
	{"internlm/internlm2-20b", 48, 48, 8, 6144, 16384, 32768, true, false, false, "silu", "rms_norm", true, 92544, 1e6, 1, false},
	{"microsoft/phi-2", 32, 32, 32, 2560, 10240, 2048, false, true, true, "gelu", "layer_norm", false, 51200, 1e4, 0.4, true},
	{"Qwen/Qwen-72B", 80, 64, 64, 8192, 24576, 32768, true, false, true, "silu", "rms_norm", true, 152064, 1e6, 1, false},
}

func TestCatalogMatchesVidurRegistry(t *testing.T) {
	for _, r := range vidurRegistry {
		t.Run(r.name, func(t *testing.T) {
			c, err := Lookup(r.name)
			if err != nil {
				t.Fatal(err)
			}
			got := vidurRow{c.Name, c.NumLayers, c.NumQHeads, c.NumKVHeads, c.EmbeddingDim, c.MLPHiddenDim,
				c.MaxPositionEmbeddings, c.UseGatedMLP, c.UseBias, c.UseQKVBias, c.Activation, c.Norm,
				c.PostAttnNorm, c.VocabSize, c.RopeTheta, c.PartialRotaryFactor, c.NoTensorParallel}
			if got != r {
				t.Errorf("catalog differs from Vidur's registry:\n got  %+v\n want %+v", got, r)
			}
			if c.Source == "" {
				t.Error("no source")
			}
		})
	}
}

// TestNewModelsHFValues pins the newer models to their published
// Hugging Face config.json values.
func TestNewModelsHFValues(t *testing.T) {
	type row struct {
		layers, qh, kvh, emb, mlp, maxPos, vocab int
		ropeTheta                                float64
		qkvBias, tied                            bool
	}
	want := map[string]row{
		"meta-llama/Llama-3.1-8B":   {32, 32, 8, 4096, 14336, 131072, 128256, 5e5, false, false},
		"meta-llama/Llama-3.1-70B":  {80, 64, 8, 8192, 28672, 131072, 128256, 5e5, false, false},
		"mistralai/Mistral-7B-v0.1": {32, 32, 8, 4096, 14336, 32768, 32000, 1e4, false, false},
		"Qwen/Qwen2.5-7B":           {28, 28, 4, 3584, 18944, 131072, 152064, 1e6, true, false},
		"Qwen/Qwen2.5-72B":          {80, 64, 8, 8192, 29568, 131072, 152064, 1e6, true, false},
	}
	for name, w := range want {
		t.Run(name, func(t *testing.T) {
			c, err := Lookup(name)
			if err != nil {
				t.Fatal(err)
			}
			got := row{c.NumLayers, c.NumQHeads, c.NumKVHeads, c.EmbeddingDim, c.MLPHiddenDim,
				c.MaxPositionEmbeddings, c.VocabSize, c.RopeTheta, c.UseQKVBias, c.TieWordEmbeddings}
			if got != w {
				t.Errorf("got %+v, want %+v", got, w)
			}
			if !strings.HasPrefix(c.Source, "https://huggingface.co/"+name+"/") {
				t.Errorf("source %q does not cite the model's Hugging Face page", c.Source)
			}
		})
	}
}

// TestEmbeddedCatalogStrict decodes every embedded file strictly and checks
// that each entry validates at TP 1, PP 1.
func TestEmbeddedCatalogStrict(t *testing.T) {
	files, err := fs.Glob(data.FS, "models/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 14 {
		t.Errorf("%d catalog files, want 14 (9 of Vidur + 5 newer)", len(files))
	}
	for _, f := range files {
		t.Run(path.Base(f), func(t *testing.T) {
			raw, err := fs.ReadFile(data.FS, f)
			if err != nil {
				t.Fatal(err)
			}
			c, err := DecodeCatalogJSON(f, raw)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Validate(1, 1); err != nil {
				t.Error(err)
			}
			if CatalogFileName(c.Name) != path.Base(f) {
				t.Errorf("file %s holds %q", f, c.Name)
			}
		})
	}
	if len(Names()) != len(files) || len(All()) != len(files) {
		t.Errorf("Names %d, All %d, files %d", len(Names()), len(All()), len(files))
	}
}

func TestDecodeCatalogJSONErrors(t *testing.T) {
	good := `{"name":"a/b","family":"llama","num_layers":2,"num_q_heads":2,"num_kv_heads":2,
"embedding_dim":8,"mlp_hidden_dim":16,"max_position_embeddings":64,"use_gated_mlp":true,"use_bias":false,
"use_qkv_bias":false,"activation":"silu","norm":"rms_norm","post_attn_norm":true,"vocab_size":10,
"rope_theta":10000,"partial_rotary_factor":1,"no_tensor_parallel":false,"tie_word_embeddings":false}`
	if _, err := DecodeCatalogJSON("good.json", []byte(good)); err != nil {
		t.Fatalf("good config: %v", err)
	}
	tests := []struct {
		name, json, want string
	}{
		{"unknown key", strings.Replace(good, `"name"`, `"nmae":"x","name"`, 1), `unknown field "nmae"`},
		{"missing key", strings.Replace(good, `"use_gated_mlp":true,`, ``, 1), `missing key "use_gated_mlp"`},
		{"wrong type", strings.Replace(good, `"num_layers":2`, `"num_layers":"2"`, 1), `num_layers`},
		{"trailing data", good + `{}`, `after top-level value`},
		{"not json", `{`, `bad.json`},
		{"zero layers", strings.Replace(good, `"num_layers":2`, `"num_layers":0`, 1), `num_layers: must be a positive integer, got 0`},
		{"heads do not divide", strings.Replace(good, `"embedding_dim":8`, `"embedding_dim":9`, 1), `embedding_dim: 9 is not divisible by num_q_heads 2`},
		{"bad norm", strings.Replace(good, `"rms_norm"`, `"batch_norm"`, 1), `norm: "batch_norm" is not one of`},
		{"bad partial rotary", strings.Replace(good, `"partial_rotary_factor":1`, `"partial_rotary_factor":1.5`, 1), `partial_rotary_factor`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeCatalogJSON("bad.json", []byte(tc.json))
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "bad.json") {
				t.Errorf("error %q does not contain %q and the file name", err, tc.want)
			}
		})
	}
}

func TestDecodeCatalogFileNaming(t *testing.T) {
	raw, err := fs.ReadFile(data.FS, "models/microsoft--phi-2.json")
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{
		"m/phi.json":   {Data: raw},
		"m/README.md":  {Data: []byte("ignored")},
		"m/sub/x.json": {Data: []byte("ignored: a directory entry's child")},
	}
	if _, err := decodeCatalog(fsys, "m"); err == nil || !strings.Contains(err.Error(), "microsoft--phi-2.json") {
		t.Errorf("misnamed file: got %v, want an error naming the expected file name", err)
	}
	fsys = fstest.MapFS{"m/microsoft--phi-2.json": {Data: raw}, "m/README.md": {Data: []byte("x")}}
	cat, err := decodeCatalog(fsys, "m")
	if err != nil || len(cat) != 1 {
		t.Errorf("got %d entries, %v", len(cat), err)
	}
	if _, err := decodeCatalog(fstest.MapFS{"m/README.md": {Data: []byte("x")}}, "m"); err == nil {
		t.Error("empty catalog accepted")
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		name    string
		wantErr []string // substrings; nil means success
	}{
		{"meta-llama/Llama-2-7b-hf", nil},
		{"Qwen/Qwen2.5-72B", nil},
		{"meta-llama/Llama-2-7b", []string{`unknown model "meta-llama/Llama-2-7b"`, `did you mean "meta-llama/Llama-2-7b-hf"?`, "known models: Qwen/Qwen-72B, "}},
		{"phi-2", []string{`did you mean "microsoft/phi-2"?`}},
		{"meta-llama/llama-3.1-8b", []string{`did you mean "meta-llama/Llama-3.1-8B"?`}},
		{"gpt-4", []string{`unknown model "gpt-4"; known models:`, "--model-config"}},
		{"", []string{`unknown model ""`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Lookup(tc.name)
			if tc.wantErr == nil {
				if err != nil || c.Name != tc.name {
					t.Fatalf("Lookup(%q) = %q, %v", tc.name, c.Name, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Lookup(%q) succeeded", tc.name)
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if tc.name == "gpt-4" && strings.Contains(err.Error(), "did you mean") {
				t.Errorf("suggestion for an unrelated name: %v", err)
			}
		})
	}
}

func TestNamesAndAllSorted(t *testing.T) {
	names := Names()
	if !slices.IsSorted(names) {
		t.Errorf("Names not sorted: %v", names)
	}
	all := All()
	for i, c := range all {
		if c.Name != names[i] {
			t.Fatalf("All()[%d] = %q, Names()[%d] = %q", i, c.Name, i, names[i])
		}
	}
	all[0].NumLayers = -1 // callers own the slice
	if c, _ := Lookup(names[0]); c.NumLayers == -1 {
		t.Error("All returned the catalog's own storage")
	}
}
