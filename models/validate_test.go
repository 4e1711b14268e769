package models

import (
	"slices"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		model   string
		tp, pp  int
		wantErr []string // substrings; nil means valid
	}{
		{"meta-llama/Llama-2-7b-hf", 1, 1, nil},
		{"meta-llama/Llama-2-7b-hf", 8, 4, nil},
		{"meta-llama/Llama-2-70b-hf", 16, 1, nil}, // 8 KV heads replicated over 16
		{"meta-llama/Llama-2-7b-hf", 1, 3, []string{"pipeline parallel 3 does not divide num_layers 32", "valid PP values: 1, 2, 4, 8, 16, 32"}},
		{"meta-llama/Llama-2-7b-hf", 3, 1, []string{"tensor parallel 3", "embedding_dim 4096 is not divisible by 3", "num_q_heads 32 is not divisible by 3", "valid TP values: 1, 2, 4, 8, 16, 32"}},
		{"meta-llama/Llama-2-7b-hf", 0, 1, []string{"tensor parallel degree must be ≥ 1, got 0"}},
		{"meta-llama/Llama-2-7b-hf", 1, -2, []string{"pipeline parallel degree must be ≥ 1, got -2"}},
		{"microsoft/phi-2", 2, 1, []string{"does not support tensor parallelism", "valid TP values: 1"}},
		{"microsoft/phi-2", 1, 2, nil},
		{"internlm/internlm-20b", 8, 1, nil},
		{"internlm/internlm-20b", 5, 1, []string{"mlp_hidden_dim 13824 is not divisible by 5", "valid TP values: 1, 2, 4, 8"}},
		{"internlm/internlm-20b", 4, 3, nil},
		{"Qwen/Qwen2.5-7B", 4, 1, nil},
		{"Qwen/Qwen2.5-7B", 7, 1, []string{"num_kv_heads 4 can neither be split nor evenly replicated over 7 devices", "valid TP values: 1, 2, 4"}},
		{"Qwen/Qwen2.5-7B", 14, 1, []string{"num_kv_heads 4", "mlp_hidden_dim 18944 is not divisible by 14"}},
		{"meta-llama/Llama-2-7b-hf", 3, 5, []string{"does not divide num_layers", "tensor parallel 3"}}, // both reported
	}
	for _, tc := range tests {
		c := mustLookup(t, tc.model)
		t.Run(tc.model, func(t *testing.T) {
			err := c.Validate(tc.tp, tc.pp)
			if tc.wantErr == nil {
				if err != nil {
					t.Errorf("TP %d PP %d: %v", tc.tp, tc.pp, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("TP %d PP %d accepted", tc.tp, tc.pp)
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if !strings.Contains(err.Error(), tc.model) {
				t.Errorf("error %q does not name the model", err)
			}
		})
	}
}

func TestValidTPAgreesWithValidate(t *testing.T) {
	for _, c := range All() {
		valid := c.ValidTP()
		for tp := 1; tp <= 2*c.NumQHeads; tp++ {
			ok := c.Validate(tp, 1) == nil
			if ok != slices.Contains(valid, tp) {
				t.Errorf("%s: TP %d: Validate ok=%v, ValidTP %v", c.Name, tp, ok, valid)
			}
		}
		for pp := 1; pp <= c.NumLayers+1; pp++ {
			if ok := c.Validate(1, pp) == nil; ok != slices.Contains(c.ValidPP(), pp) {
				t.Errorf("%s: PP %d: Validate ok=%v, ValidPP %v", c.Name, pp, ok, c.ValidPP())
			}
		}
	}
}

func TestCheck(t *testing.T) {
	base := mustLookup(t, "meta-llama/Llama-2-7b-hf")
	tests := []struct {
		name   string
		mutate func(*Config)
		want   string
	}{
		{"empty name", func(c *Config) { c.Name = "" }, "name: must not be empty"},
		{"negative kv heads", func(c *Config) { c.NumKVHeads = -8 }, "num_kv_heads: must be a positive integer, got -8"},
		{"kv heads do not divide", func(c *Config) { c.NumKVHeads = 5 }, "num_kv_heads: 5 does not divide num_q_heads 32"},
		{"huge vocab", func(c *Config) { c.VocabSize = 1 << 30 }, "vocab_size: 1073741824 is implausibly large"},
		{"bad activation", func(c *Config) { c.Activation = "relu" }, `activation: "relu" is not one of gelu, silu`},
		{"zero rope", func(c *Config) { c.RopeTheta = 0 }, "rope_theta: must be a positive finite number"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := base
			tc.mutate(&c)
			err := c.Check()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
			if c.Validate(1, 1) == nil {
				t.Error("Validate accepted a config that fails Check")
			}
		})
	}
}

func TestDivisors(t *testing.T) {
	tests := map[int][]int{1: {1}, 12: {1, 2, 3, 4, 6, 12}, 49: {1, 7, 49}, 0: nil, 97: {1, 97}}
	for n, want := range tests {
		if got := divisors(n); !slices.Equal(got, want) {
			t.Errorf("divisors(%d) = %v, want %v", n, got, want)
		}
	}
}

// TestValidateKeepsVidurSplits checks the claim in
// docs/differences-from-vidur.md: for Vidur's models and TP ∈ {1, 2, 4, 8},
// Validate accepts exactly the splits Vidur's own start-up rules accept.
func TestValidateKeepsVidurSplits(t *testing.T) {
	for _, r := range vidurRegistry {
		c := mustLookup(t, r.name)
		for _, tp := range []int{1, 2, 4, 8} {
			for pp := 1; pp <= 8; pp++ {
				vidur := c.NumLayers%pp == 0 && c.EmbeddingDim%tp == 0 && c.NumQHeads%tp == 0 &&
					(!c.NoTensorParallel || tp == 1)
				if ours := c.Validate(tp, pp) == nil; ours != vidur {
					t.Errorf("%s TP %d PP %d: Validate ok=%v, Vidur's rules ok=%v", c.Name, tp, pp, ours, vidur)
				}
			}
		}
	}
}
