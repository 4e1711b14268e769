package predictor

import (
	"math"
	"strings"
	"testing"

	"github.com/vidur-go/vidur-go/hardware"
)

var (
	testDev  = hardware.Device{Name: "h100", FP16TFLOPS: 989.4, MemoryBandwidthGBps: 3350}
	testNode = hardware.Node{Name: "h100_dgx", Device: "h100", DevicesPerNode: 8, InterconnectGBps: 450}
)

func TestOpWorkHandComputed(t *testing.T) {
	// Llama-2-7b at TP 2: E 4096, d 128, q 16, k 16 per device, F 5504, gated.
	tests := []struct {
		op  string
		key []int
		w   Work
	}{
		{OpAttnPreProj, []int{10}, Work{2 * 10 * 4096 * 128 * 48, 2 * (4096*128*48 + 10*4096 + 10*128*48), 0}},
		{OpMLPUpProj, []int{1}, Work{2 * 4096 * 2 * 5504, 2 * (4096*2*5504 + 4096 + 2*5504), 0}},
		{OpAttnDecode, []int{4, 1000}, Work{4 * 16 * 128 * 4 * 1000, 2 * 4 * (2*16*128*1000 + 2*16*128), 0}},
		{OpAttnPrefill, []int{64, 100}, Work{4 * 16 * 128 * 100 * (64 + 50), 2 * (2*16*128*164 + 2*16*128*100), 0}},
		{OpAllReduce, []int{8}, Work{0, 2 * 0.5 * 2 * 8 * 4096, 2}},
	}
	for _, tc := range tests {
		t.Run(tc.op, func(t *testing.T) {
			if got := OpWork(tc.op, llama2, 2, tc.key...); got != tc.w {
				t.Fatalf("OpWork = %+v, want %+v", got, tc.w)
			}
		})
	}
}

func TestOpTimeRoofline(t *testing.T) {
	r := NewRoofline(testDev, testNode)
	e := testFallback.Efficiency
	// A tiny GEMM is memory-bound, a huge one compute-bound.
	small := OpWork(OpMLPUpProj, llama2, 1, 1)
	big := OpWork(OpMLPUpProj, llama2, 1, 4096)
	if got, want := OpTimeMs(OpMLPUpProj, small, r, e), small.Bytes/(r.BytesPerMs*e.GEMMMemory)+e.GEMMLaunchMs; got != want {
		t.Errorf("small GEMM %v, want memory-bound %v", got, want)
	}
	if got, want := OpTimeMs(OpMLPUpProj, big, r, e), big.FLOPs/(r.FLOPsPerMs*e.GEMMCompute)+e.GEMMLaunchMs; got != want {
		t.Errorf("big GEMM %v, want compute-bound %v", got, want)
	}
	e.PerNode = map[string]KernelFactor{"h100_dgx": {Memory: 0.5, LaunchMs: 0.003}}
	w := OpWork(OpAllReduce, llama2, 4, 100)
	if got, want := OpTimeMs(OpAllReduce, w, r, e), w.Bytes/(r.LinkBytesPerMs*0.5)+6*0.003; got != want {
		t.Errorf("all_reduce %v, want %v", got, want)
	}
}

func TestAnalyticalArtifact(t *testing.T) {
	a, err := AnalyticalOnGrid(llama3, testDev, testNode, 2, testFallback.Efficiency, smallGrid)
	if err != nil {
		t.Fatal(err)
	}
	if a.Header.Provenance != ProvenanceAnalytical || !strings.Contains(a.Header.Notes[0], "not measured") {
		t.Fatalf("header %+v", a.Header)
	}
	for _, op := range []string{OpAllReduce, OpSendRecv, OpAttnPrefill} {
		if _, ok := a.Table(op); !ok {
			t.Errorf("no %s table", op)
		}
	}
	// Monotone in tokens, batch and kv: more work never takes less time.
	up, _ := a.Table(OpMLPUpProj)
	for i := 1; i < len(up); i++ {
		if up[i] < up[i-1] {
			t.Fatalf("mlp_up_proj not monotone at %d", i)
		}
	}
	d1, _ := a.Lookup(OpAttnDecode, 1, 256)
	d2, _ := a.Lookup(OpAttnDecode, 4, 256)
	d3, _ := a.Lookup(OpAttnDecode, 4, 0)
	if !(d2 > d1 && d2 > d3) {
		t.Fatalf("decode %v %v %v", d1, d2, d3)
	}
	tm, err := NewTimer(a, DefaultTimerConfig(llama3, 2, 2))
	if err != nil {
		t.Fatal(err)
	}
	if st, err := tm.StageTime(mixed, 0); err != nil || !(st.TotalS > 0) {
		t.Fatalf("%+v %v", st, err)
	}
}

func TestAnalyticalBadInput(t *testing.T) {
	e := testFallback.Efficiency
	noBW := testDev
	noBW.MemoryBandwidthGBps = 0
	bad := e
	bad.GEMMCompute = 1.5
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"bandwidth", func() error { _, err := Analytical(llama3, noBW, testNode, 1, e); return err }(), "memory_bandwidth_gbps 0"},
		{"efficiency", func() error { _, err := Analytical(llama3, testDev, testNode, 1, bad); return err }(), "gemm_compute is 1.5"},
		{"tp", func() error { _, err := Analytical(llama3, testDev, testNode, 3, e); return err }(), "3"},
		{"no interconnect", func() error {
			n := testNode
			n.InterconnectGBps = 0
			_, err := Analytical(llama3, testDev, n, 2, e)
			return err
		}(), "interconnect"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", tc.err, tc.want)
			}
		})
	}
}

// TestCalibrateRecoversFactors generates rows from known factors and checks
// that Calibrate finds them again.
func TestCalibrateRecoversFactors(t *testing.T) {
	r := NewRoofline(testDev, testNode)
	truth := Efficiency{GEMMCompute: 0.55, GEMMMemory: 0.7, GEMMLaunchMs: 0.012, ElementwiseMemory: 0.4, ElementwiseLaunchMs: 0.003,
		AttentionCompute: 0.35, AttentionMemory: 0.65, AttentionLaunchMs: 0.02, Network: 0.3, NetworkLatencyMs: 0.005,
		PerOp: map[string]KernelFactor{OpAdd: {0.25, 0.002}}, PerNode: map[string]KernelFactor{"n1": {0.6, 0.004}}}
	var rows []CalibRow
	for _, n := range []int{1, 8, 64, 256, 1024, 4096} {
		for _, op := range []string{OpAttnPreProj, OpMLPDownProj, OpAdd, OpMLPAct} {
			w := OpWork(op, llama3, 1, n)
			rows = append(rows, CalibRow{Op: op, W: w, Y: OpTimeMs(op, w, r, truth)})
		}
		w := OpWork(OpAllReduce, llama3, 4, n)
		rr := r
		rr.NodeName = "n1"
		rows = append(rows, CalibRow{Op: OpAllReduce, W: w, Y: OpTimeMs(OpAllReduce, w, rr, truth), Node: "n1", LinkBytesPerMs: r.LinkBytesPerMs})
		for _, kv := range []int{0, 512, 4096} {
			w := OpWork(OpAttnDecode, llama3, 1, 1+n/64, kv)
			rows = append(rows, CalibRow{Op: OpAttnDecode, W: w, Y: OpTimeMs(OpAttnDecode, w, r, truth)})
			w = OpWork(OpAttnPrefill, llama3, 1, kv, n)
			rows = append(rows, CalibRow{Op: OpAttnPrefill, W: w, Y: OpTimeMs(OpAttnPrefill, w, r, truth)})
		}
	}
	res, err := Calibrate(rows, r, testFallback.Efficiency)
	if err != nil {
		t.Fatal(err)
	}
	for _, acc := range AnalyticalAccuracy(rows, r, res.Efficiency) {
		if acc.MAPE > 1 {
			t.Errorf("%s: MAPE %.3f%% after calibrating on exact data", acc.Op, acc.MAPE)
		}
	}
	e := res.Efficiency
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"gemm compute", e.GEMMCompute, 0.55}, {"attention memory", e.AttentionMemory, 0.65}, {"add memory", e.PerOp[OpAdd].Memory, 0.25}, {"node memory", e.PerNode["n1"].Memory, 0.6}} {
		if math.Abs(c.got-c.want) > 0.01 {
			t.Errorf("%s = %.4f, want %.2f", c.name, c.got, c.want)
		}
	}
	again, _ := Calibrate(rows, r, testFallback.Efficiency)
	if again.Efficiency.GEMMCompute != e.GEMMCompute || again.Efficiency.PerOp[OpAdd] != e.PerOp[OpAdd] {
		t.Fatal("calibration is not deterministic")
	}
}

func TestDefaultAnalytical(t *testing.T) {
	a, err := DefaultAnalytical("meta-llama/Meta-Llama-3-8B", "h100", "h100_dgx", 1)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(a.Header.Notes[0], "embedded calibration of h100") {
		t.Fatalf("note %q", a.Header.Notes[0])
	}
	// An uncalibrated device borrows the mean factors and says so.
	b, err := DefaultAnalytical("meta-llama/Meta-Llama-3-8B", "l40s", "l40s_pcie", 2)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.Header.Notes[0], "l40s is not calibrated") {
		t.Fatalf("note %q", b.Header.Notes[0])
	}
	if _, err := DefaultAnalytical("meta-llama/Nope", "h100", "h100_dgx", 1); err == nil {
		t.Fatal("unknown model accepted")
	}
	m := mustModel(t, "meta-llama/Meta-Llama-3-8B")
	tm, err := NewTimer(a, DefaultTimerConfig(m, 1, 1))
	if err != nil {
		t.Fatal(err)
	}
	// A 512-token prefill of Llama-3-8B on an H100 takes tens of ms at most.
	st, err := tm.StageTime([]Entry{{NumTokens: 512}}, 0)
	if err != nil || st.TotalS < 0.005 || st.TotalS > 0.2 {
		t.Fatalf("512-token prefill %v s (%v)", st.TotalS, err)
	}
}

func BenchmarkDefaultAnalytical(b *testing.B) {
	for b.Loop() {
		if _, err := DefaultAnalytical("meta-llama/Meta-Llama-3-8B", "h100", "h100_dgx", 1); err != nil {
			b.Fatal(err)
		}
	}
}
