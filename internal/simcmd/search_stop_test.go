package simcmd

import (
	"context"
	"strings"
	"testing"

	"github.com/vidur-go/vidur-go/search"
)

// earlyStopSpace mixes SLO-bound, zero-capacity and queueing-bound
// configurations: TBT p99 ≤ 25 ms is out of reach at TP 1 on a40 (about
// 28 ms per decode step alone), TTFT and scheduling delay bind at high
// rates.
const earlyStopSpace = `
name: early-stop
models: [meta-llama/Meta-Llama-3-8B]
clusters:
  - {device: a100, node: a100_pairwise_nvlink, gpus: 4}
  - {device: a40, node: a40_pairwise_nvlink, gpus: 4}
tensor_parallel: [1, 2, 4]
schedulers:
  - {name: vllm, batch_sizes: [32, 128]}
  - {name: sarathi, batch_sizes: [64], chunk_sizes: [256, 1024]}
  - {name: orca, batch_sizes: [32]}
workload: {prefill_tokens: 1024, decode_tokens: 64, requests: 120, seed: 5}
slos:
  - {metric: ttft, quantile: 0.9, max_s: 0.6}
  - {metric: tbt, quantile: 0.99, max_s: 0.025}
  - {metric: scheduling_delay, quantile: 0.99, max_s: 1}
search: {tolerance: 0.05, start_qps: 8}
`

// Stopping a probe once an SLO violation is certain changes neither a
// capacity nor any probe's verdict, and probes that do not stop are
// unchanged; the stopped ones simulate less.
func TestSearchEarlyStopSameCapacities(t *testing.T) {
	run := func(full bool) []search.Record {
		s, err := search.ParseSpace([]byte(earlyStopSpace), "space.yaml")
		if err != nil {
			t.Fatal(err)
		}
		s.Search.FullProbes = full
		exp, err := search.Expand(s, searchCatalog{})
		if err != nil {
			t.Fatal(err)
		}
		res, err := search.Run(context.Background(), s, exp, &simEvaluator{space: s}, search.RunOptions{Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		return res.Records
	}
	early, full := run(false), run(true)
	stopped, zero := 0, 0
	for i := range full {
		f, e := full[i], early[i]
		if f.Capacity == nil {
			continue
		}
		if f.Error != "" || e.Error != "" {
			t.Fatalf("%s: errors %q / %q", f.Point.Label(), f.Error, e.Error)
		}
		fc, ec := f.Capacity, e.Capacity
		if fc.QPS != ec.QPS || len(fc.Probes) != len(ec.Probes) {
			t.Fatalf("%s: capacity %g in %d probes with early stop, %g in %d without", f.Point.Label(), ec.QPS, len(ec.Probes), fc.QPS, len(fc.Probes))
		}
		if fc.QPS == 0 {
			zero++
		}
		for j := range fc.Probes {
			fp, ep := fc.Probes[j], ec.Probes[j]
			if fp.QPS != ep.QPS || fp.OK != ep.OK {
				t.Fatalf("%s probe %d: %g ok=%v early, %g ok=%v full", f.Point.Label(), j, ep.QPS, ep.OK, fp.QPS, fp.OK)
			}
			if ep.Outcome.Stopped == nil {
				if ep.Outcome.DurationS != fp.Outcome.DurationS || ep.Outcome.Requests != fp.Outcome.Requests {
					t.Fatalf("%s probe %d: a probe that ran to the end differs", f.Point.Label(), j)
				}
				continue
			}
			stopped++
			if ep.OK || ep.Outcome.DurationS > fp.Outcome.DurationS || ep.Outcome.Requests > fp.Outcome.Requests {
				t.Fatalf("%s probe %d stopped (%+v) but simulated as much as the full run", f.Point.Label(), j, ep.Outcome.Stopped)
			}
		}
		if ec.Above != nil && ec.Above.Outcome.Stopped != nil && !strings.Contains(ec.Why, "the probe stopped once") {
			t.Errorf("%s: why %q does not say its figures are partial", f.Point.Label(), ec.Why)
		}
	}
	if stopped < 10 || zero == 0 {
		t.Fatalf("%d probes stopped early and %d configurations have zero capacity; the test needs both", stopped, zero)
	}
}
