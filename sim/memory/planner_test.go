package memory

import (
	"strings"
	"testing"
)

var (
	llama2_7b  = Model{Name: "meta-llama/Llama-2-7b-hf", NumLayers: 32, NumQHeads: 32, NumKVHeads: 32, EmbeddingDim: 4096, MLPHiddenDim: 11008, UseGatedMLP: true}
	llama2_70b = Model{Name: "meta-llama/Llama-2-70b-hf", NumLayers: 80, NumQHeads: 64, NumKVHeads: 8, EmbeddingDim: 8192, MLPHiddenDim: 28672, UseGatedMLP: true}
	llama3_8b  = Model{Name: "meta-llama/Meta-Llama-3-8B", NumLayers: 32, NumQHeads: 32, NumKVHeads: 8, EmbeddingDim: 4096, MLPHiddenDim: 14336, UseGatedMLP: true}
	phi2       = Model{Name: "microsoft/phi-2", NumLayers: 32, NumQHeads: 32, NumKVHeads: 32, EmbeddingDim: 2560, MLPHiddenDim: 10240}
)

// TestWorkedValues checks the worked examples of spec §7 (a100 80 GB,
// margin 0.1, max tokens 4096, block 16).
func TestWorkedValues(t *testing.T) {
	tests := []struct {
		name                       string
		m                          Model
		tp, pp                     int
		maxBatch, slots, numBlocks int
		watermark                  int
	}{
		{"llama2-7b tp1", llama2_7b, 1, 1, 29, 29, 7424, 74},
		{"llama2-7b tp2", llama2_7b, 2, 1, 65, 65, 16640, 166},
		{"llama2-70b tp4", llama2_70b, 4, 1, 128, 128, 32768, 327},
		{"llama2-70b tp2 pp2", llama2_70b, 2, 2, 64, 128, 32768, 327},
		{"llama3-8b tp1", llama3_8b, 1, 1, 118, 118, 30208, 302},
		{"phi-2 tp1", phi2, 1, 1, 53, 53, 13568, 135},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := New(Input{Model: tc.m, DeviceMemoryGB: 80, MemoryMarginFraction: 0.1, TP: tc.tp, PP: tc.pp, MaxTokens: 4096, BlockSize: 16})
			if err != nil {
				t.Fatal(err)
			}
			if p.MaxBatchSize != tc.maxBatch || p.MaxRequestSlots != tc.slots || p.NumBlocks != tc.numBlocks {
				t.Fatalf("got batch %d slots %d blocks %d, want %d %d %d", p.MaxBatchSize, p.MaxRequestSlots, p.NumBlocks, tc.maxBatch, tc.slots, tc.numBlocks)
			}
			if w := int(0.01 * float64(p.NumBlocks)); w != tc.watermark {
				t.Fatalf("watermark %d, want %d", w, tc.watermark)
			}
		})
	}
	if got := ParamsPerDevice(llama2_7b, 1, 1); got != 6476005376 {
		t.Fatalf("Llama-2-7b params/device %d, want 6476005376", got)
	}
}

func TestDoesNotFit(t *testing.T) {
	_, err := New(Input{Model: llama2_70b, DeviceMemoryGB: 80, MemoryMarginFraction: 0.1, TP: 1, PP: 1, MaxTokens: 4096, BlockSize: 16})
	if err == nil {
		t.Fatal("70B on one 80 GB device must not fit")
	}
	for _, want := range []string{"does not fit", "GiB", "--tp", "--pp"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestBadInput(t *testing.T) {
	base := Input{Model: llama2_7b, DeviceMemoryGB: 80, MemoryMarginFraction: 0.1, TP: 1, PP: 1, MaxTokens: 4096, BlockSize: 16}
	for name, mod := range map[string]func(*Input){
		"tp0":       func(in *Input) { in.TP = 0 },
		"block0":    func(in *Input) { in.BlockSize = 0 },
		"maxtokens": func(in *Input) { in.MaxTokens = 8 },
		"margin":    func(in *Input) { in.MemoryMarginFraction = 1 },
	} {
		t.Run(name, func(t *testing.T) {
			in := base
			mod(&in)
			if _, err := New(in); err == nil {
				t.Fatal("want error")
			}
		})
	}
}
