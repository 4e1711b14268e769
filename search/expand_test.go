package search

import (
	"strings"
	"testing"
)

func TestExpandOrderAndIDs(t *testing.T) {
	s := mustSpace(testSpaceYAML)
	exp, err := Expand(s, newFakeCatalog())
	if err != nil {
		t.Fatal(err)
	}
	// 2 models × 2 clusters × 4 TP × 2 PP × (2 vllm + 2 sarathi) = 128.
	if exp.Total != 128 || len(exp.Points)+len(exp.Infeasible) != 128 {
		t.Fatalf("total %d, points %d, infeasible %d", exp.Total, len(exp.Points), len(exp.Infeasible))
	}
	again, _ := Expand(mustSpace(testSpaceYAML), newFakeCatalog())
	ids := map[string]bool{}
	for i, p := range exp.Points {
		if p != again.Points[i] {
			t.Fatalf("expansion not deterministic at %d: %+v vs %+v", i, p, again.Points[i])
		}
		if p.ID != pointID(p.Key()) || len(p.ID) != 10 || ids[p.ID] {
			t.Fatalf("bad or repeated id %q for %s", p.ID, p.Key())
		}
		ids[p.ID] = true
		if i > 0 && p.Index <= exp.Points[i-1].Index {
			t.Fatalf("points out of order at %d", i)
		}
		if p.Replicas != p.GPUs/(p.TP*p.PP) || p.BatchSizeCap != p.BatchSize*p.PP {
			t.Fatalf("derived fields wrong: %+v", p)
		}
	}
	// The first point is the first model on the first cluster, TP1 PP1,
	// vllm batch 64 — and it is infeasible (70B weights do not fit one a100).
	first := exp.Infeasible[0].Point
	if first.Index != 0 || first.Model != "meta-llama/Llama-2-70b-hf" || first.TP != 1 || first.PP != 1 || first.Scheduler != "vllm" || first.BatchSize != 64 {
		t.Fatalf("first point %+v", first)
	}
	// IDs depend only on the configuration, not on the rest of the space.
	sub := mustSpace(strings.Replace(testSpaceYAML, "meta-llama/Llama-2-70b-hf, ", "", 1))
	subExp, _ := Expand(sub, newFakeCatalog())
	for _, p := range subExp.Points {
		if !ids[p.ID] {
			t.Fatalf("id of %s changed when another model was removed", p.Key())
		}
	}
}

func TestExpandFeasibility(t *testing.T) {
	const tmpl = `
models: [MODEL]
clusters: [{device: DEV, node: NODE, gpus: GPUS}]
tensor_parallel: [TP]
pipeline_parallel: [PP]
schedulers: [{name: SCHED}]
workload: {prefill_tokens: 100, decode_tokens: 100}
`
	tests := []struct {
		name                                string
		model, dev, node, gpus, tp, pp, sch string
		noPredictor                         string
		want                                string // "" = feasible
	}{
		{"fits", "meta-llama/Meta-Llama-3-8B", "a100", "a100_pairwise_nvlink", "16", "1", "1", "vllm", "", ""},
		{"70b at TP4", "meta-llama/Llama-2-70b-hf", "a100", "a100_pairwise_nvlink", "16", "4", "1", "vllm", "", ""},
		{"70b at TP2 PP2", "meta-llama/Llama-2-70b-hf", "a100", "a100_pairwise_nvlink", "16", "2", "2", "sarathi", "", ""},
		{"TP exceeds node", "meta-llama/Meta-Llama-3-8B", "a100", "a100_pairwise_nvlink", "16", "8", "1", "vllm", "", "TP 8 exceeds the 4 devices of one a100_pairwise_nvlink node"},
		{"TP8 fits dgx", "meta-llama/Meta-Llama-3-8B", "a100", "a100_dgx", "16", "8", "1", "vllm", "", ""},
		{"budget", "meta-llama/Meta-Llama-3-8B", "a100", "a100_pairwise_nvlink", "4", "4", "2", "vllm", "", "TP×PP = 8 exceeds the GPU budget of 4"},
		{"uneven nodes", "meta-llama/Meta-Llama-3-8B", "a100", "a100_pairwise_nvlink", "16", "2", "4", "vllm", "", ""},
		{"uneven nodes 2", "meta-llama/Llama-2-70b-hf", "a100", "a100_dgx", "16", "2", "5", "vllm", "", "neither fits in one node of 8 nor fills whole nodes"},
		{"PP does not divide layers", "meta-llama/Meta-Llama-3-8B", "a100", "a100_pairwise_nvlink", "16", "1", "3", "vllm", "", "pipeline parallel 3 does not divide num_layers 32"},
		{"heads", "microsoft/phi-2", "a100", "a100_pairwise_nvlink", "16", "2", "1", "vllm", "", "tensor parallelism"},
		{"lightllm PP", "meta-llama/Meta-Llama-3-8B", "a100", "a100_pairwise_nvlink", "16", "1", "2", "lightllm", "", "lightllm supports PP 1 only"},
		{"weights too big", "meta-llama/Llama-2-70b-hf", "a100", "a100_pairwise_nvlink", "16", "1", "1", "vllm", "", "weights need 127.5 GiB per device at TP 1 PP 1, more than the 72.0 GiB usable on a100"},
		// Llama-2-7b TP1: weights 12.06 GiB + one 4096-token request 2 GiB
		// = 14.06 GiB = 15.625 GiB × 0.9 (spec §7 rule).
		{"no room for one request", "meta-llama/Llama-2-7b-hf", "tiny", "tiny_node", "1", "1", "1", "vllm", "", "less than the KV cache of one 4096-token request (2.00 GiB)"},
		{"room for one request", "meta-llama/Llama-2-7b-hf", "small", "small_node", "1", "1", "1", "vllm", "", ""},
		{"no predictor", "meta-llama/Meta-Llama-3-8B", "h100", "h100_pairwise_nvlink", "8", "2", "1", "vllm", "meta-llama/Meta-Llama-3-8B|h100|2", "no predictor: no artifact"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			y := strings.NewReplacer("MODEL", tc.model, "DEV", tc.dev, "NODE", tc.node, "GPUS", tc.gpus, "TP", tc.tp, "PP", tc.pp, "SCHED", tc.sch).Replace(tmpl)
			cat := newFakeCatalog()
			if tc.noPredictor != "" {
				cat.noPredictor[tc.noPredictor] = true
			}
			exp, err := Expand(mustSpace(y), cat)
			if err != nil {
				t.Fatal(err)
			}
			if tc.want == "" {
				if len(exp.Points) != 1 {
					t.Fatalf("infeasible: %v", exp.Infeasible)
				}
				return
			}
			if len(exp.Infeasible) != 1 || !strings.Contains(exp.Infeasible[0].Reason, tc.want) || strings.Contains(exp.Infeasible[0].Reason, "\n") {
				t.Fatalf("got %+v, want reason containing %q", exp.Infeasible, tc.want)
			}
		})
	}
}

func TestExpandSpaceErrors(t *testing.T) {
	tests := []struct{ name, from, to, want string }{
		{"unknown model", "meta-llama/Meta-Llama-3-8B]", "meta-llama/Meta-Llama-3-8b]", `models[1]: unknown model "meta-llama/Meta-Llama-3-8b"`},
		{"unknown device", "device: h100", "device: h200", `clusters[1].device: unknown device "h200"`},
		{"node of another device", "node: h100_pairwise_nvlink", "node: a100_dgx", "clusters[1]: node a100_dgx holds a100 devices, not h100"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Expand(mustSpace(strings.Replace(testSpaceYAML, tc.from, tc.to, 1)), newFakeCatalog())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}
