package sim

import (
	"fmt"

	"github.com/vidur-go/vidur-go/models"
	"github.com/vidur-go/vidur-go/sim/metrics"
	"github.com/vidur-go/vidur-go/sim/scheduler"
	"github.com/vidur-go/vidur-go/sim/workload"
)

// ExampleSimulate runs two replicas of Llama-2-7b under sarathi with a
// stand-in batch timer (1 ms + 20 µs per token) and summarises the run.
func ExampleSimulate() {
	model, err := models.Lookup("meta-llama/Llama-2-7b-hf")
	if err != nil {
		panic(err)
	}
	var reqs []workload.Request
	for i := range 100 {
		reqs = append(reqs, workload.Request{ArrivedAt: 0.05 * float64(i), NumPrefillTokens: 500, NumDecodeTokens: 50})
	}
	p := Params{
		Model: model, DeviceMemoryGB: 80, DeviceFP16TFLOPS: 312, TP: 1, PP: 1, Replicas: 2,
		MemoryMarginFraction: 0.1, Router: scheduler.RoundRobin, MaxTokens: 4096,
		Scheduler: scheduler.Params{Kind: scheduler.Sarathi, BatchSizeCap: 128, BlockSize: 16,
			WatermarkFraction: 0.01, ChunkSize: 512},
	}
	res, err := Simulate(p, reqs, linearTimer{Scale: 1}, nil)
	if err != nil {
		panic(err)
	}
	s := metrics.Summarize(res.Requests, res.Metrics, metrics.SummaryInput{EndTimeS: res.EndTimeS})
	fmt.Printf("completed %d/%d, KV blocks per replica %d\n", s.Completed, s.Requests, res.NumBlocks)
	fmt.Printf("TTFT p50 %.1f ms, e2e p99 %.1f ms\n", s.TTFT.P50*1e3, s.E2E.P99*1e3)
	// Output:
	// completed 100/100, KV blocks per replica 7424
	// TTFT p50 11.0 ms, e2e p99 61.4 ms
}

// ExampleParseConfig overrides two keys of the defaults; unknown keys are
// errors.
func ExampleParseConfig() {
	cfg, err := ParseConfig("my.yaml", []byte("cluster:\n  num_replicas: 4\nscheduler:\n  type: vllm\n"))
	if err != nil {
		panic(err)
	}
	fmt.Println(cfg.Cluster.Replicas, cfg.Scheduler.Type, cfg.Cluster.Model)
	_, err = ParseConfig("bad.yaml", []byte("cluster:\n  replicas: 4\n"))
	fmt.Println(err != nil)
	// Output:
	// 4 vllm meta-llama/Meta-Llama-3-8B
	// true
}
