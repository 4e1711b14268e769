package models

import (
	"math"
	"testing"
)

func mustLookup(t *testing.T, name string) Config {
	t.Helper()
	c, err := Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestParamCount checks ParamCount against hand counts and published
// sizes. Vidur's Llama-2 vocab is 32768 instead of the real 32000: the
// extra 768 rows of embedding and LM head add 2·768·E parameters (6.3 M on
// the 7B, 12.6 M on the 70B), 0.09% and 0.02%: within the 0.5% tolerance.
// The hand counts with the real vocabulary are checked too.
func TestParamCount(t *testing.T) {
	real2 := func(name string) Config { c := mustLookup(t, name); c.VocabSize = 32000; return c }
	tests := []struct {
		name      string
		c         Config
		exact     int64   // hand count (see comments)
		published float64 // model card / Hugging Face figure
	}{
		// 32768·4096·2 + 32·(4·4096² + 3·4096·11008 + 2·4096) + 4096
		{"Llama-2-7b (Vidur vocab 32768)", mustLookup(t, "meta-llama/Llama-2-7b-hf"), 6_744_707_072, 6.74e9},
		// same with 32000: Hugging Face reports 6,738,415,616
		{"Llama-2-7b (real vocab 32000)", real2("meta-llama/Llama-2-7b-hf"), 6_738_415_616, 6.74e9},
		// 128256·4096·2 + 32·(2·4096² + 2·4096·1024 + 3·4096·14336 + 2·4096) + 4096
		{"Meta-Llama-3-8B", mustLookup(t, "meta-llama/Meta-Llama-3-8B"), 8_030_261_248, 8.03e9},
		{"Llama-3.1-8B", mustLookup(t, "meta-llama/Llama-3.1-8B"), 8_030_261_248, 8.03e9},
		// 32768·8192·2 + 80·(2·8192² + 2·8192·1024 + 3·8192·28672 + 2·8192) + 8192
		{"Llama-2-70b (Vidur vocab 32768)", mustLookup(t, "meta-llama/Llama-2-70b-hf"), 68_989_231_104, 68.98e9},
		// Hugging Face reports 68,976,648,192
		{"Llama-2-70b (real vocab 32000)", real2("meta-llama/Llama-2-70b-hf"), 68_976_648_192, 68.98e9},
		// 128256·8192·2 + 80·855,654,400 + 8192
		{"Llama-3.1-70B", mustLookup(t, "meta-llama/Llama-3.1-70B"), 70_553_706_496, 70.55e9},
		// 32000·4096·2 + 32·218,112,000 + 4096
		{"Mistral-7B-v0.1", mustLookup(t, "mistralai/Mistral-7B-v0.1"), 7_241_732_096, 7.24e9},
		// 152064·3584·2 + 28·(2·3584² + 2·3584·512 + (3584+1024) + 3·3584·18944 + 2·3584) + 3584
		{"Qwen2.5-7B", mustLookup(t, "Qwen/Qwen2.5-7B"), 7_615_616_512, 7.61e9},
		// 152064·8192·2 + 80·(2·8192² + 2·8192·1024 + 10240 + 3·8192·29568 + 2·8192) + 8192
		{"Qwen2.5-72B", mustLookup(t, "Qwen/Qwen2.5-72B"), 72_706_203_648, 72.7e9},
		// 51200·2560 + 32·(4·(2560²+2560) + 2·2560·10240 + 10240 + 2560 + 2·2560) + 2·2560 + 51200·2560 + 51200
		{"phi-2", mustLookup(t, "microsoft/phi-2"), 2_779_683_840, 2.78e9},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.c.ParamCount()
			if got != tc.exact {
				t.Errorf("ParamCount = %d, want %d", got, tc.exact)
			}
			if rel := math.Abs(float64(got)-tc.published) / tc.published; rel > 0.005 {
				t.Errorf("ParamCount = %.4g, %.2f%% from the published %.4g", float64(got), 100*rel, tc.published)
			}
		})
	}
}

func TestParamCountTied(t *testing.T) {
	c := mustLookup(t, "Qwen/Qwen2.5-7B")
	untied := c.ParamCount()
	c.TieWordEmbeddings = true
	if d := untied - c.ParamCount(); d != int64(c.VocabSize)*int64(c.EmbeddingDim) {
		t.Errorf("tying removed %d parameters, want V·E = %d", d, c.VocabSize*c.EmbeddingDim)
	}
}

// TestVidurParamsPerDevice checks spec §7's worked examples: the parameter
// count and, through the planner's arithmetic, max_batch_size on an a100
// (80 GiB, margin 0.1, max_tokens 4096) with KV for all layers (quirk 8).
func TestVidurParamsPerDevice(t *testing.T) {
	tests := []struct {
		model        string
		tp, pp       int
		params       int64 // 0: not given in the spec
		maxBatchSize int64
	}{
		{"meta-llama/Llama-2-7b-hf", 1, 1, 6_476_005_376, 29},
		{"meta-llama/Llama-2-7b-hf", 2, 1, 0, 65},
		{"meta-llama/Llama-2-70b-hf", 4, 1, 0, 128},
		{"meta-llama/Llama-2-70b-hf", 2, 2, 0, 64},
		{"meta-llama/Meta-Llama-3-8B", 1, 1, 0, 118},
		{"microsoft/phi-2", 1, 1, 0, 53},
	}
	for _, tc := range tests {
		c := mustLookup(t, tc.model)
		t.Run(tc.model, func(t *testing.T) {
			p := c.VidurParamsPerDevice(tc.tp, tc.pp)
			if tc.params != 0 && p != tc.params {
				t.Errorf("TP%d PP%d: params %d, want %d", tc.tp, tc.pp, p, tc.params)
			}
			available := int64(80 * (1 << 30) * 0.9)
			kvPerRequest := c.KVBytesPerToken(tc.tp, 1, 2) * 4096
			if got := (available - 2*p) / kvPerRequest; got != tc.maxBatchSize {
				t.Errorf("TP%d PP%d: max_batch_size %d, want %d", tc.tp, tc.pp, got, tc.maxBatchSize)
			}
		})
	}
}

func TestWeightBytesPerDevice(t *testing.T) {
	for _, c := range All() {
		if got, want := c.WeightBytesPerDevice(1, 1, 2), 2*c.ParamCount(); got != want {
			t.Errorf("%s TP1 PP1: %d bytes, want 2·ParamCount = %d", c.Name, got, want)
		}
	}
	llama := mustLookup(t, "meta-llama/Llama-2-7b-hf")
	tied := mustLookup(t, "Qwen/Qwen2.5-7B")
	tied.TieWordEmbeddings = true
	tests := []struct {
		name   string
		c      Config
		tp, pp int
		bpp    int
		want   int64
	}{
		// 16 layers × (4096·128·(2·16+2·16) + 3·4096·5504 + 2·4096) + LM head 16384·4096 + final norm 4096
		{"llama-2-7b TP2 PP2 fp16", llama, 2, 2, 2, 2 * (16*101_195_776 + 67_108_864 + 4096)},
		// TP2 PP1: 32 layers + embedding shard + LM head shard + final norm, 1 byte (fp8)
		{"llama-2-7b TP2 PP1 fp8", llama, 2, 1, 1, 32*101_195_776 + 2*67_108_864 + 4096},
		// tied, PP1: the head shares the embedding
		{"tied TP1 PP1", tied, 1, 1, 2, 2 * tied.ParamCount()},
		// tied, PP2: the last stage keeps its own copy of the head
		{"tied TP1 PP2", tied, 1, 2, 2, 2 * (14*233_057_792 + 152064*3584 + 3584)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.c.WeightBytesPerDevice(tc.tp, tc.pp, tc.bpp); got != tc.want {
				t.Errorf("got %d bytes, want %d", got, tc.want)
			}
		})
	}
}

func TestKVBytesPerToken(t *testing.T) {
	tests := []struct {
		model             string
		tp, pp, elemBytes int
		want              int64
	}{
		{"meta-llama/Meta-Llama-3-8B", 1, 1, 2, 2 * 8 * 128 * 32 * 2}, // 128 KiB
		{"meta-llama/Llama-2-7b-hf", 1, 1, 2, 2 * 32 * 128 * 32 * 2},  // 512 KiB
		{"meta-llama/Llama-2-7b-hf", 4, 2, 2, 2 * 8 * 128 * 16 * 2},   // heads and layers split
		{"meta-llama/Llama-2-70b-hf", 8, 1, 2, 2 * 1 * 128 * 80 * 2},  // one KV head per device
		{"meta-llama/Llama-2-70b-hf", 16, 2, 1, 2 * 1 * 128 * 40 * 1}, // replicated KV head, fp8
		{"Qwen/Qwen2.5-7B", 2, 1, 2, 2 * 2 * 128 * 28 * 2},
	}
	for _, tc := range tests {
		c := mustLookup(t, tc.model)
		if got := c.KVBytesPerToken(tc.tp, tc.pp, tc.elemBytes); got != tc.want {
			t.Errorf("%s TP%d PP%d: %d bytes, want %d", tc.model, tc.tp, tc.pp, got, tc.want)
		}
	}
}

func TestFLOPs(t *testing.T) {
	c := mustLookup(t, "meta-llama/Llama-2-7b-hf")
	// MatmulParams = 32·(4096·128·(64+64) + 3·4096·11008) = 6,476,005,376
	if got := c.MatmulParams(); got != 6_476_005_376 {
		t.Fatalf("MatmulParams = %d", got)
	}
	// 2·6,476,005,376·1000 + 2·32·4096·1000·1001 + 2·32768·4096
	if got, want := c.PrefillFLOPs(1000), 13_214_685_331_456.0; got != want {
		t.Errorf("PrefillFLOPs(1000) = %.0f, want %.0f", got, want)
	}
	// 2·6,476,005,376 + 4·32·4096·1000 + 2·32768·4096
	if got, want := c.DecodeFLOPsPerToken(999), 13_744_734_208.0; got != want {
		t.Errorf("DecodeFLOPsPerToken(999) = %.0f, want %.0f", got, want)
	}
	if got := c.PrefillFLOPs(0); got != 0 {
		t.Errorf("PrefillFLOPs(0) = %v", got)
	}
	// Prefilling P tokens does the work of P decode steps minus P−1 LM heads.
	for _, m := range All() {
		const p = 37
		sum := 0.0
		for i := 0; i < p; i++ {
			sum += m.DecodeFLOPsPerToken(i)
		}
		want := m.PrefillFLOPs(p) + (p-1)*2*float64(m.VocabSize)*float64(m.EmbeddingDim)
		if math.Abs(sum-want) > 1e-9*want {
			t.Errorf("%s: Σ decode = %.6g, prefill + heads = %.6g", m.Name, sum, want)
		}
	}
}

func TestDerivedPanicsOnBadSplit(t *testing.T) {
	c := mustLookup(t, "meta-llama/Llama-2-7b-hf")
	for name, f := range map[string]func(){
		"VidurParamsPerDevice tp0": func() { c.VidurParamsPerDevice(0, 1) },
		"WeightBytes pp0":          func() { c.WeightBytesPerDevice(1, 0, 2) },
		"WeightBytes bytes0":       func() { c.WeightBytesPerDevice(1, 1, 0) },
		"KVBytes tp-1":             func() { c.KVBytesPerToken(-1, 1, 2) },
		"Prefill -1":               func() { c.PrefillFLOPs(-1) },
		"Decode -1":                func() { c.DecodeFLOPsPerToken(-1) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f()
		})
	}
}
