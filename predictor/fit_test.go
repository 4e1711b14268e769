package predictor

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vidur-go/vidur-go/models"
)

func vidurData(t testing.TB) string {
	t.Helper()
	d := os.Getenv("VIDUR_DATA")
	if d == "" {
		t.Skip("VIDUR_DATA not set: skipping training on Vidur's profiles")
	}
	return d
}

func mustModel(t testing.TB, name string) models.Config {
	t.Helper()
	m, err := models.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// testFallback is a plausible h100-like roofline for analytical attention.
var testFallback = &Fallback{
	Roofline:   Roofline{FLOPsPerMs: 989e9, BytesPerMs: 3.35e9, LinkBytesPerMs: 450e6, DeviceName: "h100"},
	Efficiency: Efficiency{GEMMCompute: 0.6, GEMMMemory: 0.7, GEMMLaunchMs: 0.01, ElementwiseMemory: 0.6, ElementwiseLaunchMs: 0.004, AttentionCompute: 0.5, AttentionMemory: 0.6, AttentionLaunchMs: 0.01, Network: 0.7, NetworkLatencyMs: 0.01},
	Source:     "test",
}

func fitSpec(data, sku, model string, tp int, m models.Config) FitSpec {
	rel := filepath.Join("compute", sku, model, "mlp.csv")
	s := FitSpec{Model: m, Device: sku, Node: sku + "_dgx", TP: tp, Grid: Grid{MaxTokens: 512, MaxBatchSize: 16, MaxKVTokens: 1024, KVGranularity: 64, MaxPrefillChunk: 256},
		MLP: ProfileFile{Path: rel, File: filepath.Join(data, "profiling", rel)}, Fallback: testFallback,
		Train: TrainOptions{Search: SearchFast, Seed: 3}}
	att := filepath.Join(data, "synthetic", "profiling", "compute", sku, model, "attention.csv.gz")
	if _, err := os.Stat(att); err == nil {
		s.Attention = &ProfileFile{Path: filepath.Join("compute", sku, model, "attention.csv.gz"), File: att, Synthetic: true}
	}
	if tp > 1 {
		ar := filepath.Join("network", sku+"_dgx", "all_reduce.csv")
		s.AllReduce = &ProfileFile{Path: ar, File: filepath.Join(data, "profiling", ar)}
	}
	return s
}

func TestFitVidurData(t *testing.T) {
	data := vidurData(t)
	// The case with a (10k-row) attention profile uses linear regression,
	// which trains in a fraction of a forest's time (the tests also run
	// under -race); the forest path is covered by the other cases.
	cases := []struct {
		sku, model string
		tp         int
		attention  string
		predictor  string
	}{
		{"h100", "meta-llama/Llama-2-7b-hf", 1, ProvenanceSynthetic, PredictorLinearRegression},
		{"a100", "meta-llama/Llama-2-70b-hf", 4, ProvenanceAnalytical, PredictorRandomForest},
		{"h100", "microsoft/phi-2", 1, ProvenanceAnalytical, PredictorRandomForest},
	}
	for _, tc := range cases {
		t.Run(strings.ReplaceAll(tc.model, "/", "_")+"_"+tc.sku, func(t *testing.T) {
			m := mustModel(t, tc.model)
			spec := fitSpec(data, tc.sku, tc.model, tc.tp, m)
			spec.Train.Predictor = tc.predictor
			a, res, err := Fit(spec)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range res {
				if r.Rows == 0 || r.CVMAPE != r.CVMAPE || r.Params == "" {
					t.Errorf("%s: %+v", r.Op, r)
				}
			}
			if o, _ := a.Op(OpAttnDecode); o.Provenance != tc.attention {
				t.Errorf("attn_decode provenance %q, want %q", o.Provenance, tc.attention)
			}
			if o, _ := a.Op(OpMLPUpProj); o.Provenance != ProvenanceMeasured || o.CVMAPE == nil || o.HeldOutMAPE == nil || o.TrainingRows == 0 {
				t.Errorf("mlp_up_proj info %+v", o)
			}
			if tc.tp > 1 {
				if _, ok := a.Table(OpAllReduce); !ok {
					t.Error("no all_reduce table")
				}
			}
			// The artifact drives the batch-time model.
			tm, err := NewTimer(a, DefaultTimerConfig(m, tc.tp, 1))
			if err != nil {
				t.Fatal(err)
			}
			st, err := tm.StageTime(mixed, 0)
			if err != nil || !(st.TotalS > 0) {
				t.Fatalf("StageTime = %+v, %v", st, err)
			}
		})
	}
}

// Byte-identical artifacts for a seed (across worker counts) are checked
// end to end in internal/traincmd (TestFitEndToEnd).

func TestFitEmptyTrainingSet(t *testing.T) {
	data := vidurData(t)
	m := mustModel(t, "microsoft/phi-2")
	_, _, err := Fit(fitSpec(data, "a100", "microsoft/phi-2", 2, m)) // phi-2 is profiled at TP 1 only
	var ee *EmptyDataError
	if !errors.As(err, &ee) {
		t.Fatalf("error %v, want EmptyDataError", err)
	}
	for _, w := range []string{"training data for attn_pre_proj", "is empty: no rows in compute/a100/microsoft/phi-2/mlp.csv match n_head=32", "num_tensor_parallel_workers=2", "found TP values: 1"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q lacks %q", err, w)
		}
	}
}
