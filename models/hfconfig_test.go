package models

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadHFConfigMatchesCatalog parses real config.json files and checks
// that they give the same Config as the catalog entry (all fields but Name
// and Source): the catalog and the parser agree on every family mapping.
func TestLoadHFConfigMatchesCatalog(t *testing.T) {
	tests := []struct {
		dir, catalogName string
	}{
		{"llama-3.1-8b", "meta-llama/Llama-3.1-8B"},
		{"qwen2.5-7b", "Qwen/Qwen2.5-7B"},
		{"phi-2", "microsoft/phi-2"},
		{"mistral-7b", "mistralai/Mistral-7B-v0.1"},
		{"internlm2-20b", "internlm/internlm2-20b"},
	}
	for _, tc := range tests {
		t.Run(tc.dir, func(t *testing.T) {
			file := filepath.Join("testdata", tc.dir, "config.json")
			got, err := LoadHFConfig(file)
			if err != nil {
				t.Fatal(err)
			}
			if got.Source != file {
				t.Errorf("Source = %q, want the file %q", got.Source, file)
			}
			want := mustLookup(t, tc.catalogName)
			got.Name, got.Source, want.Source = want.Name, "", ""
			if got != want {
				t.Errorf("parsed config differs from the catalog:\n got  %+v\n want %+v", got, want)
			}
		})
	}
}

func TestLoadHFConfigNames(t *testing.T) {
	raw, err := os.ReadFile("testdata/llama-3.1-8b/config.json")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(rel string, data []byte) string {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	withName := []byte(strings.Replace(string(raw), "{", `{"_name_or_path": "acme/llama-ft",`, 1))
	withPath := []byte(strings.Replace(string(raw), "{", `{"_name_or_path": "/home/me/ckpt",`, 1))
	tests := []struct {
		file, want string
	}{
		{write("hub/models--meta-llama--Llama-3.1-8B/snapshots/0e9e39f/config.json", withName), "meta-llama/Llama-3.1-8B"},
		{write("a/my-llama/config.json", withName), "acme/llama-ft"},
		{write("b/my-llama/config.json", withPath), "my-llama"},
		{write("c/llama8b.json", raw), "llama8b"},
	}
	for _, tc := range tests {
		c, err := LoadHFConfig(tc.file)
		if err != nil {
			t.Fatal(err)
		}
		if c.Name != tc.want {
			t.Errorf("%s: name %q, want %q", tc.file, c.Name, tc.want)
		}
	}
	if _, err := LoadHFConfig(filepath.Join(dir, "missing.json")); err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Errorf("missing file: %v", err)
	}
}

func TestLoadHFConfigRejectsMoE(t *testing.T) {
	file := filepath.Join("testdata", "mixtral-8x7b", "config.json")
	_, err := LoadHFConfig(file)
	if err == nil {
		t.Fatal("Mixtral accepted")
	}
	for _, w := range []string{file, `"mixtral" is not supported yet`, "supported: internlm, internlm2, llama, mistral, phi, qwen2", "num_local_experts = 8"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q lacks %q", err, w)
		}
	}
}

func TestParseHFConfigErrors(t *testing.T) {
	const base = `{"model_type":"llama","hidden_size":64,"intermediate_size":128,"num_attention_heads":8,
"num_hidden_layers":2,"vocab_size":100,"max_position_embeddings":256`
	ok := func(extra string) string { return base + extra + "}" }
	if c, err := ParseHFConfig("t/tiny", []byte(ok(""))); err != nil || c.NumKVHeads != 8 || c.RopeTheta != 10000 {
		t.Fatalf("minimal config: %+v, %v (want kv heads defaulted to 8, rope_theta 10000)", c, err)
	}
	tests := []struct {
		name, json string
		want       []string
	}{
		{"not an object", `[1,2]`, []string{`hf config "t/x": not a JSON object`}},
		{"no model_type", `{"hidden_size": 64}`, []string{`key "model_type": missing (required)`}},
		{"unsupported", `{"model_type":"gpt2"}`, []string{`model_type "gpt2" is not supported yet (supported: internlm, internlm2, llama, mistral, phi, qwen2)`}},
		{"moe key on llama", ok(`,"num_experts":4`), []string{`"llama" is not supported yet`, "mixture-of-experts", "num_experts = 4"}},
		{"qwen2_moe", `{"model_type":"qwen2_moe","num_experts":60}`, []string{`"qwen2_moe" is not supported yet`}},
		{"deepseek", `{"model_type":"deepseek_v3","n_routed_experts":256}`, []string{`"deepseek_v3" is not supported yet`}},
		{"missing hidden_size", strings.Replace(ok(""), `"hidden_size":64,`, ``, 1), []string{`key "hidden_size": missing (required)`}},
		{"missing two keys", strings.Replace(strings.Replace(ok(""), `"hidden_size":64,`, ``, 1), `"vocab_size":100,`, ``, 1),
			[]string{`key "hidden_size": missing`, `key "vocab_size": missing`}},
		{"string layers", strings.Replace(ok(""), `"num_hidden_layers":2`, `"num_hidden_layers":"2"`, 1), []string{`key "num_hidden_layers": want an integer, got "2"`}},
		{"float layers", strings.Replace(ok(""), `"num_hidden_layers":2`, `"num_hidden_layers":2.5`, 1), []string{`key "num_hidden_layers": want an integer, got 2.5`}},
		{"zero heads", strings.Replace(ok(""), `"num_attention_heads":8`, `"num_attention_heads":0`, 1), []string{`key "num_attention_heads": must be a positive integer, got 0`}},
		{"negative vocab", strings.Replace(ok(""), `"vocab_size":100`, `"vocab_size":-1`, 1), []string{`key "vocab_size": must be a positive integer, got -1`}},
		{"heads do not divide", strings.Replace(ok(""), `"num_attention_heads":8`, `"num_attention_heads":7`, 1), []string{`key "num_attention_heads": 7 does not divide hidden_size 64`}},
		{"kv heads do not divide", ok(`,"num_key_value_heads":3`), []string{`key "num_key_value_heads": 3 does not divide num_attention_heads 8`}},
		{"bool as string", ok(`,"tie_word_embeddings":"false"`), []string{`key "tie_word_embeddings": want true or false`}},
		{"rope string", ok(`,"rope_theta":"1e4"`), []string{`key "rope_theta": want a number`}},
		{"negative rope", ok(`,"rope_theta":-5`), []string{`key "rope_theta": must be a positive finite number`}},
		{"relu", ok(`,"hidden_act":"relu"`), []string{`key "hidden_act": activation "relu" is not supported`}},
		{"decoupled head_dim", ok(`,"head_dim":16`), []string{`key "head_dim": 16 differs from hidden_size/num_attention_heads = 8`}},
		{"phi rotary > 1", strings.Replace(ok(`,"partial_rotary_factor":2`), "llama", "phi", 1), []string{"partial_rotary_factor: must be in (0, 1]"}},
		{"huge int", strings.Replace(ok(""), `"vocab_size":100`, `"vocab_size":99999999999999999999`, 1), []string{`key "vocab_size": want an integer`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseHFConfig("t/x", []byte(tc.json))
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestParseHFConfigFamilies(t *testing.T) {
	const dims = `"hidden_size":64,"intermediate_size":128,"num_attention_heads":8,"num_hidden_layers":2,"vocab_size":100,"max_position_embeddings":256`
	tests := []struct {
		name, json                 string
		qkvBias, bias, gated, noTP bool
		norm, act                  string
		rope, partial              float64
	}{
		{"llama with attention_bias", `{"model_type":"llama",` + dims + `,"attention_bias":true}`, true, false, true, false, "rms_norm", "silu", 1e4, 1},
		{"qwen2 always has qkv bias", `{"model_type":"qwen2",` + dims + `}`, true, false, true, false, "rms_norm", "silu", 1e4, 1},
		{"internlm v1 bias and rotary base", `{"model_type":"internlm",` + dims + `,"bias":true,"rotary":{"base":20000,"type":"dynamic"}}`, true, false, true, false, "rms_norm", "silu", 2e4, 1},
		{"internlm2 no bias", `{"model_type":"internlm2",` + dims + `,"bias":false}`, false, false, true, false, "rms_norm", "silu", 1e4, 1},
		{"phi defaults", `{"model_type":"phi",` + dims + `}`, true, true, false, true, "layer_norm", "gelu", 1e4, 0.5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ParseHFConfig("t/x", []byte(tc.json))
			if err != nil {
				t.Fatal(err)
			}
			if c.UseQKVBias != tc.qkvBias || c.UseBias != tc.bias || c.UseGatedMLP != tc.gated ||
				c.NoTensorParallel != tc.noTP || c.Norm != tc.norm || c.Activation != tc.act ||
				c.RopeTheta != tc.rope || c.PartialRotaryFactor != tc.partial {
				t.Errorf("got %+v", c)
			}
		})
	}
	if _, err := ParseHFConfig("", []byte(`{"model_type":"llama",`+dims+`}`)); err == nil ||
		!strings.Contains(err.Error(), `key "_name_or_path": no model name given`) {
		t.Errorf("unnamed config: %v", err)
	}
}

// FuzzParseHFConfig checks that ParseHFConfig never panics and returns
// either an error or a Config that passes Check and whose derived
// quantities can be computed.
func FuzzParseHFConfig(f *testing.F) {
	for _, dir := range []string{"llama-3.1-8b", "qwen2.5-7b", "phi-2", "mixtral-8x7b", "mistral-7b", "internlm2-20b"} {
		raw, err := os.ReadFile(filepath.Join("testdata", dir, "config.json"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Add([]byte(`{"model_type":"internlm","hidden_size":8,"intermediate_size":8,"num_attention_heads":2,"num_hidden_layers":1,"vocab_size":1,"max_position_embeddings":1,"rotary":{"base":null}}`))
	f.Add([]byte(`{"model_type":"phi","num_key_value_heads":null,"head_dim":0}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseHFConfig("fuzz/model", data)
		if err != nil {
			return
		}
		if err := c.Check(); err != nil {
			t.Fatalf("ParseHFConfig returned a config failing Check: %v", err)
		}
		if c.ParamCount() <= 0 || c.KVBytesPerToken(1, 1, 2) <= 0 || c.VidurParamsPerDevice(1, 1) <= 0 {
			t.Fatalf("non-positive derived sizes for %+v", c)
		}
		for _, tp := range c.ValidTP() {
			if err := c.Validate(tp, 1); err != nil {
				t.Fatalf("ValidTP lists %d but Validate says %v", tp, err)
			}
		}
	})
}
