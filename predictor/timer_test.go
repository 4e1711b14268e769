package predictor

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/vidur-go/vidur-go/models"
)

func val(op string, i int) float64 { return fillValue(op, i) }

// mixed is a small batch: two prefills (one fresh, one on its second chunk)
// and two decodes. Σtokens = 17 → T8 = 24; decode B=2, mean(100, 37) = 68.5
// → 68 → kv 128; prefill Σk = 0 + ceil64(70) = 128, √(10²+5²) = 11.18 → 11.
var mixed = []Entry{
	{NumTokens: 10, Processed: 0},
	{NumTokens: 5, Processed: 70},
	{NumTokens: 1, Processed: 100, PrefillComplete: true},
	{NumTokens: 1, Processed: 37, PrefillComplete: true},
}

func TestStageTimeHandComputed(t *testing.T) {
	const (
		i8      = 23            // T8 = 24
		iT      = 16            // T = 17 (kv_cache_save)
		iDecode = 1*5 + 2       // (batch 2, kv 128): row 1 of 5 kv columns, column 128/64
		iPre    = 2*64 + 11 - 1 // (kv 128, chunk 11)
	)
	block := func(fd, fp, tp float64) float64 {
		attn := val(OpAttnPreProj, i8) + val(OpAttnPostProj, i8) + val(OpAttnRope, i8) + val(OpAttnKVCacheSave, iT) +
			val(OpAttnDecode, iDecode)*(1+fd) + val(OpAttnPrefill, iPre)*(1+fp) + tp + val(OpInputLayernorm, i8)
		mlp := val(OpMLPUpProj, i8) + val(OpMLPDownProj, i8) + val(OpMLPAct, i8) + tp + val(OpPostAttentionLayernorm, i8)
		return attn + mlp + val(OpAdd, i8)
	}
	cpu := val(OpSchedule, 3) + val(OpSamplerE2E, 3) + val(OpPrepareInputsE2E, 3) + val(OpProcessModelOutputs, 3) + val(OpRayCommTime, 3)
	ar := val(OpAllReduce, i8) + 0.02 + 0.5*math.Pow(2, 1.25)
	noPostNorm := llama3
	noPostNorm.PostAttnNorm = false
	tests := []struct {
		name      string
		model     models.Config
		tp, pp    int
		stage     int
		cpu, skew bool
		wantModel float64
		wantTotal float64
	}{
		{name: "gqa tp1 pp1", model: llama3, tp: 1, pp: 1,
			wantModel: block(0.1, 0.1, 0) * 32 * 1e-3},
		{name: "mha has no batching overhead", model: llama2, tp: 1, pp: 1,
			wantModel: block(0, 0, 0) * 32 * 1e-3},
		{name: "tp2 pp2 first stage pays send_recv and cpu", model: llama3, tp: 2, pp: 2, stage: 0, cpu: true, skew: true,
			wantModel: (block(0.1, 0.1, ar)*16 + val(OpSendRecv, i8)) * 1e-3},
		{name: "tp2 pp2 last stage", model: llama3, tp: 2, pp: 2, stage: 1, cpu: true, skew: true,
			wantModel: block(0.1, 0.1, ar) * 16 * 1e-3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := testArtifact(t, smallGrid, tc.model, tc.tp)
			cfg := DefaultTimerConfig(tc.model, tc.tp, tc.pp)
			cfg.SkipCPUOverhead = !tc.cpu
			if tc.skew {
				cfg.NCCLSkewPerDeviceMs = 0.5
			}
			tm, err := NewTimer(a, cfg)
			if err != nil {
				t.Fatal(err)
			}
			got, err := tm.StageTime(mixed, tc.stage)
			if err != nil {
				t.Fatal(err)
			}
			want := tc.wantModel
			if tc.cpu {
				want += cpu * 1e-3
			}
			if got.ModelS != tc.wantModel || got.TotalS != want {
				t.Fatalf("got model %.17g total %.17g, want %.17g %.17g", got.ModelS, got.TotalS, tc.wantModel, want)
			}
		})
	}
	t.Run("no post-attention norm", func(t *testing.T) {
		a := testArtifact(t, smallGrid, noPostNorm, 1)
		tm, err := NewTimer(a, DefaultTimerConfig(noPostNorm, 1, 1))
		if err != nil {
			t.Fatal(err)
		}
		got, _ := tm.StageTime(mixed, 0)
		want := (block(0.1, 0.1, 0) - val(OpPostAttentionLayernorm, i8)) * 32 * 1e-3
		if math.Abs(got.ModelS-want) > 1e-15 {
			t.Fatalf("got %.17g want %.17g", got.ModelS, want)
		}
	})
}

func TestStageTimeSingleDecodeNoOverhead(t *testing.T) {
	a := testArtifact(t, smallGrid, llama3, 1)
	tm, err := NewTimer(a, DefaultTimerConfig(llama3, 1, 1))
	if err != nil {
		t.Fatal(err)
	}
	got, err := tm.StageTime([]Entry{{NumTokens: 1, Processed: 64, PrefillComplete: true}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	// T = 1 → T8 = 8 (index 7), kv_save index 0, decode (1, 64) → index 1.
	attn := val(OpAttnPreProj, 7) + val(OpAttnPostProj, 7) + val(OpAttnRope, 7) + val(OpAttnKVCacheSave, 0) +
		val(OpAttnDecode, 1) + 0.0 + 0.0 + val(OpInputLayernorm, 7)
	mlp := val(OpMLPUpProj, 7) + val(OpMLPDownProj, 7) + val(OpMLPAct, 7) + 0.0 + val(OpPostAttentionLayernorm, 7)
	want := (attn + mlp + val(OpAdd, 7)) * 32 * 1e-3
	if got.TotalS != want {
		t.Fatalf("got %.17g want %.17g", got.TotalS, want)
	}
}

func TestStageTimeOutOfGrid(t *testing.T) {
	g := smallGrid
	g.MaxPrefillChunk = 16
	a := testArtifact(t, g, llama3, 1)
	tm, err := NewTimer(a, DefaultTimerConfig(llama3, 1, 1))
	if err != nil {
		t.Fatal(err)
	}
	decodes := func(n, processed int) []Entry {
		e := make([]Entry, n)
		for i := range e {
			e[i] = Entry{NumTokens: 1, Processed: processed, PrefillComplete: true}
		}
		return e
	}
	tests := []struct {
		name    string
		entries []Entry
		stage   int
		want    []string
		grid    bool
	}{
		{"tokens", []Entry{{NumTokens: 65}}, 0, []string{"attn_pre_proj", "num_tokens=72", "batch total 65", "1 ≤ num_tokens ≤ 64", "vidur-train fit", "--max-tokens"}, true},
		{"decode batch", decodes(5, 10), 0, []string{"attn_decode", "batch_size=5", "batch_size ≤ 4", "--max-batch-size"}, true},
		{"decode kv", decodes(1, 300), 0, []string{"attn_decode", "kv_cache_size=320", "kv_cache_size ≤ 256"}, true},
		{"prefill kv", []Entry{{NumTokens: 1, Processed: 200}, {NumTokens: 1, Processed: 200}}, 0, []string{"attn_prefill", "kv_cache_size=512"}, true},
		{"prefill chunk", []Entry{{NumTokens: 20}}, 0, []string{"attn_prefill", "prefill_chunk_size=20", "≤ 16", "--max-prefill-chunk"}, true},
		{"empty batch", nil, 0, []string{"num_tokens=0"}, true},
		{"negative", []Entry{{NumTokens: -1}}, 0, []string{"entry 0", "num_tokens -1"}, false},
		{"stage", mixed, 1, []string{"stage 1 outside 0..0"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tm.StageTime(tc.entries, tc.stage)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if errors.Is(err, ErrOutOfGrid) != tc.grid {
				t.Errorf("errors.Is(ErrOutOfGrid) = %v", !tc.grid)
			}
		})
	}
}

func TestNewTimerChecks(t *testing.T) {
	full := testArtifact(t, smallGrid, llama3, 2)
	noAR := NewArtifact(full.Header)
	for _, o := range full.Header.Ops {
		if o.Name != OpAllReduce {
			v, _ := full.Table(o.Name)
			if err := noAR.SetTable(o, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	other := llama2
	tests := []struct {
		name string
		a    *Artifact
		cfg  TimerConfig
		want string
	}{
		{"model", full, DefaultTimerConfig(other, 2, 1), "built for model"},
		{"tp", full, DefaultTimerConfig(llama3, 4, 1), "tensor parallelism 2, not 4"},
		{"pp", full, DefaultTimerConfig(llama3, 2, 3), "divide the model's 32 layers"},
		{"all_reduce", noAR, DefaultTimerConfig(llama3, 2, 1), "no table for [all_reduce]"},
		{"granularity", full, func() TimerConfig { c := DefaultTimerConfig(llama3, 2, 1); c.KVGranularity = 96; return c }(), "multiple"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewTimer(tc.a, tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want mention of %q", err, tc.want)
			}
		})
	}
}

func TestStageTimeAllocatesNothing(t *testing.T) {
	a := testArtifact(t, smallGrid, llama3, 2)
	cfg := DefaultTimerConfig(llama3, 2, 2)
	cfg.SkipCPUOverhead = false
	tm, err := NewTimer(a, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = tm.StageTime(mixed, 0) }); n != 0 {
		t.Fatalf("StageTime allocates %v times per call", n)
	}
}

func BenchmarkStageTime(b *testing.B) {
	a := testArtifact(b, DefaultGrid(), llama3, 1)
	tm, err := NewTimer(a, DefaultTimerConfig(llama3, 1, 1))
	if err != nil {
		b.Fatal(err)
	}
	batch := make([]Entry, 0, 128)
	batch = append(batch, Entry{NumTokens: 400, Processed: 512})
	for i := 0; i < 100; i++ {
		batch = append(batch, Entry{NumTokens: 1, Processed: 300 + 7*i, PrefillComplete: true})
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tm.StageTime(batch, 0); err != nil {
			b.Fatal(err)
		}
	}
}
