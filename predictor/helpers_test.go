package predictor

import (
	"testing"

	"github.com/vidur-go/vidur-go/models"
)

// llama3 is Meta-Llama-3-8B's architecture (GQA), written out so the tests
// do not depend on the model catalog.
var llama3 = models.Config{Name: "meta-llama/Meta-Llama-3-8B", NumLayers: 32, NumQHeads: 32, NumKVHeads: 8,
	EmbeddingDim: 4096, MLPHiddenDim: 14336, UseGatedMLP: true, PostAttnNorm: true, VocabSize: 128256}

// llama2 is Llama-2-7b-hf's architecture (not GQA).
var llama2 = models.Config{Name: "meta-llama/Llama-2-7b-hf", NumLayers: 32, NumQHeads: 32, NumKVHeads: 32,
	EmbeddingDim: 4096, MLPHiddenDim: 11008, UseGatedMLP: true, PostAttnNorm: true, VocabSize: 32768}

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
