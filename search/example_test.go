package search

import (
	"fmt"
)

func ExampleExpand() {
	space, err := ParseSpace([]byte(`
models: [meta-llama/Llama-2-70b-hf]
clusters: [{device: a100, node: a100_pairwise_nvlink, gpus: 8}]
tensor_parallel: [1, 4, 8]
schedulers: [{name: sarathi, chunk_sizes: [512]}]
workload: {prefill_tokens: 2048, decode_tokens: 256}
`), "space.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	exp, err := Expand(space, newFakeCatalog())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range exp.Points {
		fmt.Println("feasible:", p.Label())
	}
	for _, inf := range exp.Infeasible {
		fmt.Println("infeasible:", inf.Point.Label(), "—", inf.Reason)
	}
	// Output:
	// feasible: Llama-2-70b-hf a100×8 TP4 PP1 (2 replicas) sarathi_cs512 bsz128
	// infeasible: Llama-2-70b-hf a100×8 TP1 PP1 (8 replicas) sarathi_cs512 bsz128 — weights need 127.5 GiB per device at TP 1 PP 1, more than the 72.0 GiB usable on a100 (80 GiB × (1 − 0.1))
	// infeasible: Llama-2-70b-hf a100×8 TP8 PP1 (1 replica) sarathi_cs512 bsz128 — TP 8 exceeds the 4 devices of one a100_pairwise_nvlink node
}

func ExampleParseSpace() {
	_, err := ParseSpace([]byte("models: [x]\nclusterz: []\n"), "space.yaml")
	fmt.Println(err)
	// Output:
	// space.yaml: unknown field "clusterz"
}
