package search

import (
	"strings"
	"testing"
)

func TestParseSpaceDefaults(t *testing.T) {
	s := mustSpace(`
models: [meta-llama/Meta-Llama-3-8B]
clusters: [{device: a100, node: a100_pairwise_nvlink, gpus: 4}]
schedulers: [{name: sarathi}, {name: vllm}]
workload: {trace: arxiv.csv}
`)
	if got := s.TensorParallel; len(got) != 1 || got[0] != 1 {
		t.Errorf("tensor_parallel default %v", got)
	}
	if s.Schedulers[0].ChunkSizes[0] != 512 || s.Schedulers[0].BatchSizes[0] != 128 || s.Schedulers[1].ChunkSizes != nil {
		t.Errorf("scheduler defaults %+v", s.Schedulers)
	}
	if s.Workload.Requests != 2000 || s.Workload.MaxTokens != 4096 {
		t.Errorf("workload defaults %+v", s.Workload)
	}
	if len(s.SLOs) != 3 || s.SLOs[0].String() != "TTFT p90 ≤ 2 s" || s.SLOs[1].String() != "TBT p99 ≤ 200 ms" || s.SLOs[2].String() != "scheduling delay p99 ≤ 5 s" {
		t.Errorf("SLO defaults %v", s.SLOs)
	}
	if s.Search.Tolerance != 0.025 || s.Search.StartQPS != 1 || *s.MemoryMarginFraction != 0.1 || s.GlobalScheduler != "round_robin" {
		t.Errorf("search defaults %+v", s.Search)
	}
}

func TestParseSpaceErrors(t *testing.T) {
	base := `
models: [m]
clusters: [{device: a100, node: n, gpus: 4}]
schedulers: [{name: vllm}]
workload: {prefill_tokens: 10, decode_tokens: 10}
`
	tests := []struct {
		name, yaml, want string
	}{
		{"unknown top-level key", base + "modles: [x]\n", `unknown field "modles"`},
		{"unknown nested key", strings.Replace(base, "gpus: 4", "gpus: 4, gpu: 8", 1), `unknown field "gpu"`},
		{"unknown scheduler key", strings.Replace(base, "{name: vllm}", "{name: vllm, chunk: 5}", 1), `unknown field "chunk"`},
		{"duplicate key", base + "models: [y]\n", `"models" already set`},
		{"wrong type", strings.Replace(base, "gpus: 4", "gpus: four", 1), "gpus"},
		{"no models", strings.Replace(base, "models: [m]", "models: []", 1), "models: at least one"},
		{"zero gpus", strings.Replace(base, "gpus: 4", "gpus: 0", 1), "clusters[0].gpus: must be positive"},
		{"unknown scheduler", strings.Replace(base, "vllm", "vllmm", 1), `schedulers[0].name: unknown scheduler "vllmm"`},
		{"chunk on vllm", strings.Replace(base, "{name: vllm}", "{name: vllm, chunk_sizes: [512]}", 1), "only sarathi has a chunk size"},
		{"negative tp", base + "tensor_parallel: [1, -2]\n", "tensor_parallel[1]: must be positive"},
		{"repeated pp", base + "pipeline_parallel: [2, 2]\n", "pipeline_parallel[1]: 2 listed twice"},
		{"trace and lengths", strings.Replace(base, "prefill_tokens: 10", "trace: x.csv, prefill_tokens: 10", 1), "not both"},
		{"no lengths", strings.Replace(base, "{prefill_tokens: 10, decode_tokens: 10}", "{requests: 5}", 1), "give a trace"},
		{"too long", strings.Replace(base, "decode_tokens: 10", "decode_tokens: 10, max_tokens: 15", 1), "exceeds max_tokens 15"},
		{"bad metric", base + "slos: [{metric: latency, quantile: 0.9, max_s: 1}]\n", `slos[0]: metric: unknown "latency"`},
		{"bad quantile", base + "slos: [{metric: ttft, quantile: 90, max_s: 1}]\n", "slos[0]: quantile: must be in (0, 1]"},
		{"bad threshold", base + "slos: [{metric: ttft, quantile: 0.9, max_s: 0}]\n", "slos[0]: max_s: must be a positive"},
		{"tolerance", base + "search: {tolerance: 1.5}\n", "search: tolerance"},
		{"start outside", base + "search: {start_qps: 0.001}\n", "search: start_qps"},
		{"price", base + "cost: {gpu_price_per_hour: {a100: -1}}\n", "cost.gpu_price_per_hour.a100"},
		{"margin", base + "memory_margin_fraction: 1\n", "memory_margin_fraction"},
		{"global scheduler", base + "global_scheduler: lol\n", "global_scheduler"},
		{"not yaml", "models: [", "test.yaml"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseSpace([]byte(tc.yaml), "test.yaml")
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "test.yaml: ") {
				t.Fatalf("error %q, want it to start with the file name and contain %q", err, tc.want)
			}
		})
	}
}

func TestSpaceHash(t *testing.T) {
	a := mustSpace(testSpaceYAML)
	b := mustSpace(testSpaceYAML + "cost: {gpu_price_per_hour: {a100: 3.72}}\n")
	c := mustSpace(strings.Replace(testSpaceYAML, "seed: 7", "seed: 8", 1))
	if a.Hash() != b.Hash() {
		t.Error("a price override changed the space hash; prices only enter the report")
	}
	if a.Hash() == c.Hash() {
		t.Error("a different seed kept the space hash")
	}
	if len(a.Hash()) != 16 {
		t.Errorf("hash %q", a.Hash())
	}
}

func FuzzParseSpace(f *testing.F) {
	f.Add([]byte(testSpaceYAML))
	f.Add([]byte("models: [a]\nclusters: [{device: d, node: n, gpus: 1}]\nschedulers: [{name: orca}]\nworkload: {trace: t}\n"))
	f.Add([]byte("slos: [{metric: tbt, quantile: 1, max_s: .1}]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSpace(data, "fuzz.yaml")
		if err != nil {
			return
		}
		// A parsed space is normalized: parsing its canonical form again
		// gives the same space.
		again, err := ParseSpace(s.canonicalJSON(), "canonical.json")
		if err != nil {
			t.Fatalf("canonical form does not parse: %v\n%s", err, s.canonicalJSON())
		}
		if again.Hash() != s.Hash() {
			t.Fatalf("hash changed on re-parse: %s vs %s", again.Hash(), s.Hash())
		}
	})
}
