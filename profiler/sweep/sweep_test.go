package sweep

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/vidur-go/vidur-go/models"
)

var llama3_8b = models.Config{
	Name: "meta-llama/Meta-Llama-3-8B", NumLayers: 32, NumQHeads: 32, NumKVHeads: 8, EmbeddingDim: 4096,
	MLPHiddenDim: 14336, UseGatedMLP: true, Activation: "silu", Norm: "rms_norm", PostAttnNorm: true, VocabSize: 128256,
}

var phi2 = models.Config{
	Name: "microsoft/phi-2", NumLayers: 32, NumQHeads: 32, NumKVHeads: 32, EmbeddingDim: 2560, MLPHiddenDim: 10240,
	Activation: "gelu", Norm: "layer_norm", PartialRotaryFactor: 0.4, NoTensorParallel: true, VocabSize: 51200,
}

var h100 = Device{Name: "h100", PeakTFLOPS: 989, MemoryBandwidthGBps: 3350, MemoryGB: 80, InterconnectGBps: 450}

func TestNumTokensGrid(t *testing.T) {
	g := NumTokensGrid(4096)
	if len(g) != 259 || g[0] != 1 || g[3] != 8 || g[len(g)-1] != 4096 {
		t.Fatalf("grid: %d values, %v...%v", len(g), g[:5], g[len(g)-3:])
	}
	if !slices.IsSorted(g) || len(uniqueSorted(slices.Clone(g))) != len(g) {
		t.Fatal("grid not strictly ascending")
	}
	if got := NumTokensGrid(100); got[len(got)-1] != 96 {
		t.Fatalf("limit 100: last %d", got[len(got)-1])
	}
	if len(NumTokensGrid(0)) != 0 {
		t.Fatal("limit 0 not empty")
	}
}

// TestNumTokensGridMatchesVidur compares the grid with the token counts of a
// shipped Vidur mlp.csv.
func TestNumTokensGridMatchesVidur(t *testing.T) {
	root := os.Getenv("VIDUR_DATA")
	if root == "" {
		t.Skip("VIDUR_DATA not set: skipping comparison with Vidur's shipped mlp.csv")
	}
	f, err := os.Open(filepath.Join(root, "profiling/compute/h100/meta-llama/Llama-2-7b-hf/mlp.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := slices.Index(recs[0], "num_tokens")
	tpCol := slices.Index(recs[0], "num_tensor_parallel_workers")
	var toks []int
	for _, r := range recs[1:] {
		if r[tpCol] == "1" {
			v, _ := strconv.Atoi(r[col])
			toks = append(toks, v)
		}
	}
	if got, want := NumTokensGrid(4096), uniqueSorted(toks); !slices.Equal(got, want) {
		t.Fatalf("grid differs from Vidur's: %d vs %d values", len(got), len(want))
	}
}

func TestAttentionGrids(t *testing.T) {
	if l := SeqLengthGrid(4096); len(l) != 79 || l[0] != 32 || l[30] != 992 || l[31] != 1024 || l[len(l)-1] != 4032 {
		t.Fatalf("seq lengths %d: %v", len(l), l)
	}
	if c := ChunkSizeGrid(4096); c[0] != 64 || c[3] != 112 || c[4] != 128 || c[len(c)-1] != 4096 {
		t.Fatalf("chunks %v", c)
	}
	if b := BatchSizeGrid(128); len(b) != 128 {
		t.Fatalf("batches %d", len(b))
	}
	if b := CPUOverheadBatchGrid(128); len(b) != 12 || b[len(b)-1] != 128 {
		t.Fatalf("cpu batches %v", b)
	}
}

func baseRequest() Request {
	return Request{Models: []models.Config{llama3_8b}, TP: []int{1, 2, 4, 8}, MaxContext: 4096, Device: h100, Warmup: 2, Repeats: 10}
}

// smallRequest is a cheaper plan for tests that build many plans.
func smallRequest() Request {
	r := baseRequest()
	r.TP, r.MaxContext, r.MaxBatchSize = []int{1, 2}, 1024, 32
	return r
}

func TestBuildDefaultGrid(t *testing.T) {
	p, err := Build(baseRequest())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(p.MLPRows), 4*259; got != want {
		t.Fatalf("mlp rows %d, want %d", got, want)
	}
	kinds, total := p.Summary()
	by := map[string]KindSummary{}
	for _, k := range kinds {
		by[k.Kind] = k
	}
	// The input and post-attention norms and the residual add act on the
	// full embedding at every TP degree: 2 norms + add, measured once for
	// all four degrees, and the two norms share one measurement.
	if n := by[OpNorm]; n.Refs != 2*4*259 || n.Unique != 259 {
		t.Fatalf("norm: %+v", n)
	}
	if a := by[OpAdd]; a.Unique != 259 || a.Deduplicated != 3*259 {
		t.Fatalf("add: %+v", a)
	}
	// Decode: 79 KV lengths × 128 batch sizes per TP degree.
	if d := by[OpAttnDecode]; d.Unique != 4*79*128 {
		t.Fatalf("decode: %+v", d)
	}
	if total.Refs != total.Unique+total.Deduplicated || total.GPUSeconds <= 0 {
		t.Fatalf("total %+v", total)
	}
	if _, ok := by[OpAllReduce]; ok {
		t.Fatal("collectives planned without GPUs")
	}
	// Every referenced key exists.
	keys := map[string]bool{}
	for _, pt := range p.Points {
		if keys[pt.Key] {
			t.Fatalf("duplicate point %s", pt.Key)
		}
		keys[pt.Key] = true
	}
	for _, r := range p.AttentionRows {
		for _, o := range r.Ops {
			if !keys[o.Key] {
				t.Fatalf("dangling %s", o.Key)
			}
		}
		if r.IsPrefill && r.PrefillChunkSize+r.KVCacheSize > 4096 {
			t.Fatalf("invalid prefill row %+v", r)
		}
	}
}

func TestBuildCollectivesAndDedupAcrossModels(t *testing.T) {
	other := llama3_8b
	other.Name = "copy-of-llama3"
	req := baseRequest()
	req.TP = []int{1, 2}
	req.Models = append(req.Models, other)
	req.GPUs = 8
	p, err := Build(req)
	if err != nil {
		t.Fatal(err)
	}
	single, _ := Build(Request{Models: []models.Config{llama3_8b}, TP: req.TP, MaxContext: 4096, Device: h100, Warmup: 2, Repeats: 10, GPUs: 8})
	if len(p.Points) != len(single.Points) {
		t.Fatalf("identical second model added points: %d vs %d", len(p.Points), len(single.Points))
	}
	if len(p.MLPRows) != 2*len(single.MLPRows) {
		t.Fatalf("rows %d vs %d", len(p.MLPRows), len(single.MLPRows))
	}
	var ar, sr int
	for _, r := range p.CollectiveRows {
		switch r.Collective {
		case OpAllReduce:
			ar++
		case OpSendRecv:
			sr++
		}
	}
	if ar != 259 || sr != 259 {
		t.Fatalf("all_reduce %d send_recv %d", ar, sr)
	}
}

func TestBuildNoTensorParallel(t *testing.T) {
	req := baseRequest()
	req.Models = []models.Config{phi2}
	p, err := Build(req)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range p.MLPRows {
		if r.TP != 1 {
			t.Fatalf("phi-2 at TP %d", r.TP)
		}
	}
	if len(p.Notes) == 0 {
		t.Fatal("no note on skipped TP")
	}
	// phi-2: no post-attention norm, 3-operand add, partial rotary 0.4.
	for _, o := range p.MLPRows[0].Ops {
		if o.Name == NamePostAttnNorm {
			t.Fatal("post-attention norm planned for phi-2")
		}
	}
}

func TestBuildBudget(t *testing.T) {
	small := smallRequest()
	full, err := Build(small)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		budget Budget
	}{
		{"points", Budget{Points: 500}},
		{"seconds", Budget{GPUSeconds: full.GPUSeconds() / 5}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := smallRequest()
			req.Budget = tc.budget
			p, err := Build(req)
			if err != nil {
				t.Fatal(err)
			}
			if tc.budget.Points > 0 && len(p.Points) > tc.budget.Points {
				t.Fatalf("%d points over budget", len(p.Points))
			}
			if tc.budget.GPUSeconds > 0 && p.GPUSeconds() > tc.budget.GPUSeconds {
				t.Fatalf("%.0fs over budget", p.GPUSeconds())
			}
			if p.Density <= 0 || p.Density >= 1 || len(p.Points) >= len(full.Points) {
				t.Fatalf("density %g points %d", p.Density, len(p.Points))
			}
			// Ends of the token range are always kept.
			var toks []int
			for _, r := range p.MLPRows {
				if r.TP == 1 {
					toks = append(toks, r.NumTokens)
				}
			}
			if toks[0] != 1 || toks[len(toks)-1] != 1024 {
				t.Fatalf("token ends %v", toks)
			}
		})
	}
	req := baseRequest()
	req.Budget = Budget{Points: 10}
	if _, err := Build(req); err == nil {
		t.Fatal("impossible budget accepted")
	}
}

func TestBuildErrors(t *testing.T) {
	bad := llama3_8b
	bad.NumQHeads = 0
	odd := llama3_8b
	odd.Name = "odd"
	cases := map[string]func(*Request){
		"no model":    func(r *Request) { r.Models = nil },
		"bad heads":   func(r *Request) { r.Models = []models.Config{bad} },
		"tp 3":        func(r *Request) { r.TP = []int{3} },
		"tp 0":        func(r *Request) { r.TP = []int{0} },
		"context":     func(r *Request) { r.MaxContext = 0 },
		"device":      func(r *Request) { r.Device = Device{Name: "x"} },
		"repeats":     func(r *Request) { r.Repeats = 0 },
		"duplicate":   func(r *Request) { r.Models = []models.Config{llama3_8b, llama3_8b} },
		"neg budget":  func(r *Request) { r.Budget.Points = -1 },
		"nan seconds": func(r *Request) { r.Budget.GPUSeconds = math.NaN() },
	}
	for name, mut := range cases {
		t.Run(name, func(t *testing.T) {
			req := baseRequest()
			mut(&req)
			if _, err := Build(req); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

func TestSelectPointsConcentratesAtBends(t *testing.T) {
	xs := NumTokensGrid(4096)
	// A roofline: flat (launch-bound) below 512, then linear with steps of
	// 128 tokens.
	f := func(x int) float64 { return math.Max(1, float64(ceilTo(x, 128))/512) }
	got := selectPoints(xs, 0.15, f)
	if len(got) != int(math.Ceil(0.15*float64(len(xs)))) {
		t.Fatalf("%d points", len(got))
	}
	if got[0] != 1 || got[len(got)-1] != 4096 || !slices.IsSorted(got) {
		t.Fatalf("ends/order %v", got)
	}
	// Just past a step boundary (128k+8 for k ≥ 4) is where linear
	// interpolation fails; those should be picked far more often than in a
	// uniform thinning.
	after := 0
	for _, x := range got {
		i := slices.Index(xs, x)
		if x > 512 && x%128 != 0 && xs[i-1]%128 == 0 {
			after++
		}
	}
	if after < 5 {
		t.Fatalf("only %d points just past tile boundaries: %v", after, got)
	}
	if !slices.Equal(selectPoints(xs, 1, f), xs) {
		t.Fatal("density 1 changed the grid")
	}
}

func TestEstimateMonotone(t *testing.T) {
	for _, op := range []string{OpLinear, OpNorm, OpAct, OpRope, OpAdd, OpKVSave} {
		s := Shape{In: 4096, Out: 4096, Hidden: 4096, Operands: 2, QHeads: 32, KVHeads: 8, HeadDim: 128, RotaryDim: 128}
		prev := 0.0
		for _, tok := range []int{1, 64, 512, 4096} {
			s.Tokens = tok
			e := Estimate(op, s, h100)
			if e < prev || e <= 0 {
				t.Fatalf("%s: %g after %g at %d tokens", op, e, prev, tok)
			}
			prev = e
		}
	}
	// A 4096×4096×4096 GEMM is compute bound: 137 GFLOP at 0.7·989 TFLOP/s ≈ 0.199 ms.
	got := Estimate(OpLinear, Shape{Tokens: 4096, In: 4096, Out: 4096}, h100)
	if want := 2*4096.0*4096*4096/(989e12*ComputeEfficiency)*1e3 + KernelLaunchMs; math.Abs(got-want) > 1e-9 {
		t.Fatalf("gemm %g want %g", got, want)
	}
}

func TestBuildDeterministic(t *testing.T) {
	req := smallRequest()
	req.Budget = Budget{Points: 500}
	a, _ := Build(req)
	b, _ := Build(req)
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Fatal("plans differ")
	}
}

func ExampleBuild() {
	p, err := Build(Request{
		Models: []models.Config{llama3_8b}, TP: []int{1, 2}, MaxContext: 1024, MaxBatchSize: 32,
		Device: h100, Warmup: 2, Repeats: 10, Budget: Budget{GPUSeconds: 5},
	})
	if err != nil {
		panic(err)
	}
	_, total := p.Summary()
	fmt.Println(total.GPUSeconds <= 5, total.Unique == len(p.Points))
	// Output: true true
}
