package predictor

import (
	"testing"

	"github.com/vidur-go/vidur-go/models"
)

// llama3 and llama2 are catalog models (GQA and not).
var (
	llama3 = mustLookup("meta-llama/Meta-Llama-3-8B")
	llama2 = mustLookup("meta-llama/Llama-2-7b-hf")
)

func mustLookup(name string) models.Config {
	m, err := models.Lookup(name)
	if err != nil {
		panic(err)
	}
	return m
}

var smallGrid = Grid{MaxTokens: 64, MaxBatchSize: 4, MaxKVTokens: 256, KVGranularity: 64, MaxPrefillChunk: 64}

// opBase gives every operator a distinct scale so a swapped table shows.
func opBase(op string) float64 { return float64(opOrder[op]+1) * 0.01 }

// fillValue is the synthetic table value at flat index i.
func fillValue(op string, i int) float64 { return opBase(op) + float64(i)*1e-4 }

// testArtifact returns an artifact on g whose tables follow fillValue, with
// every operator the timer may need.
func testArtifact(t testing.TB, g Grid, m models.Config, tp int) *Artifact {
	t.Helper()
	a := NewArtifact(Header{Model: m.Name, ModelConfig: m, Device: "h100", Node: "h100_dgx", TP: tp,
		Predictor: PredictorAnalytical, Grid: g, Seed: 7})
	ops := append(append([]string{}, MLPOps...), OpAttnKVCacheSave, OpAttnPrefill, OpAttnDecode, OpAllReduce, OpSendRecv)
	ops = append(ops, CPUOps...)
	for _, op := range ops {
		k, _ := KindOf(op)
		v := make([]float64, g.Len(k))
		for i := range v {
			v[i] = fillValue(op, i)
		}
		if err := a.SetTable(OpInfo{Name: op, Provenance: ProvenanceAnalytical, Predictor: PredictorAnalytical}, v); err != nil {
			t.Fatal(err)
		}
	}
	return a
}
