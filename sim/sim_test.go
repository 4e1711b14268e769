package sim

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/vidur-go/vidur-go/models"
	"github.com/vidur-go/vidur-go/predictor"
	"github.com/vidur-go/vidur-go/sim/metrics"
	"github.com/vidur-go/vidur-go/sim/rng"
	"github.com/vidur-go/vidur-go/sim/scheduler"
	"github.com/vidur-go/vidur-go/sim/workload"
)

// linearTimer is a fake batch timer: Scale × (1 ms + 20 µs per token + 1 µs
// per 64 tokens of attended context), the same for every stage.
type linearTimer struct{ Scale float64 }

func (l linearTimer) StageTime(entries []predictor.Entry, stage int) (predictor.StageTime, error) {
	ms := 1.0
	for _, e := range entries {
		ms += 0.02*float64(e.NumTokens) + 0.001*float64(e.Processed+e.NumTokens)/64
	}
	s := ms * 1e-3 * l.Scale
	return predictor.StageTime{TotalS: s, ModelS: s}, nil
}

var _ predictor.BatchTimer = linearTimer{}

func testModel(t testing.TB) models.Config {
	t.Helper()
	m, err := models.Lookup("meta-llama/Meta-Llama-3-8B")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func testParams(t testing.TB, kind string) Params {
	p := Params{
		Model: testModel(t), DeviceMemoryGB: 80, DeviceFP16TFLOPS: 1000, TP: 1, PP: 1, Replicas: 1,
		MemoryMarginFraction: 0.1, Router: scheduler.RoundRobin, MaxTokens: 4096,
		Scheduler: scheduler.Params{Kind: kind, BatchSizeCap: 128, BlockSize: 16, WatermarkFraction: 0.01,
			ChunkSize: 512, MaxTokensInBatch: 4096, MaxWaitingIters: 10},
	}
	if kind == scheduler.LightLLM {
		p.Scheduler.BlockSize = 1
	}
	return p
}

// randomRequests draws n requests with Poisson arrivals at qps and prompt
// and output lengths uniform in [1, maxP] and [1, maxD].
func randomRequests(seed uint64, n int, qps float64, maxP, maxD int) []workload.Request {
	py := rng.NewPython(seed)
	reqs := make([]workload.Request, n)
	t := 0.0
	for i := range reqs {
		t += -math.Log(1-py.Random()) / qps
		reqs[i] = workload.Request{ArrivedAt: t, NumPrefillTokens: 1 + py.RandBelow(maxP), NumDecodeTokens: 1 + py.RandBelow(maxD)}
	}
	return reqs
}

func mustSimulate(t *testing.T, p Params, reqs []workload.Request, timer predictor.BatchTimer) *Result {
	t.Helper()
	res, err := Simulate(p, reqs, timer, rng.NewPython(7))
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestAllSchedulersAllRouters runs every replica scheduler with every router
// and checks that every request completes with consistent accounting.
func TestAllSchedulersAllRouters(t *testing.T) {
	reqs := randomRequests(1, 300, 40, 1500, 300)
	for _, kind := range scheduler.ReplicaKinds {
		for _, router := range scheduler.RouterKinds {
			for _, pp := range []int{1, 2} {
				if kind == scheduler.LightLLM && pp > 1 {
					continue
				}
				t.Run(kind+"/"+router+"/pp"+string(rune('0'+pp)), func(t *testing.T) {
					p := testParams(t, kind)
					p.Router, p.Replicas, p.PP = router, 3, pp
					p.Record = metrics.Options{Batches: true, Stages: true, TokenGaps: true}
					res := mustSimulate(t, p, reqs, linearTimer{1})
					if res.Completed != len(reqs) {
						t.Fatalf("%d of %d requests completed", res.Completed, len(reqs))
					}
					tokens := 0
					for _, b := range res.Metrics.Batches {
						tokens += b.NumTokens
					}
					want := 0
					for i := range res.Requests {
						q := &res.Requests[i]
						if q.Processed != q.Total() || q.CompletedAt < q.PrefillCompletedAt || q.PrefillCompletedAt < q.ArrivedAt {
							t.Fatalf("request %d inconsistent: %+v", i, q)
						}
						// Tokens processed = prompt + output − 1 (the first output
						// token comes with the prefill), plus recomputation.
						want += q.OrigP + q.OrigD - 1
					}
					if tokens < want {
						t.Fatalf("batches processed %d tokens, requests need at least %d", tokens, want)
					}
					if len(res.Metrics.Stages) != pp*len(res.Metrics.Batches) {
						t.Fatalf("%d stage records for %d batches × %d stages", len(res.Metrics.Stages), len(res.Metrics.Batches), pp)
					}
				})
			}
		}
	}
}

// TestPreemption forces restarts with a tiny KV cache: vLLM and Sarathi must
// preempt (restart) and still complete every request with blocks conserved.
func TestPreemption(t *testing.T) {
	reqs := randomRequests(2, 200, 200, 600, 600)
	for _, kind := range []string{scheduler.VLLM, scheduler.Sarathi} {
		t.Run(kind, func(t *testing.T) {
			p := testParams(t, kind)
			p.MaxTokens = 1300
			p.Scheduler.NumBlocks = 200 // 3200 tokens of KV cache
			p.Record.TokenGaps = true
			res := mustSimulate(t, p, reqs, linearTimer{1})
			// Restarts (in Sarathi also in the middle of a prefill) do not
			// change the number of output tokens: OrigD − 1 gaps each.
			gaps := 0
			for _, r := range reqs {
				gaps += r.NumDecodeTokens - 1
			}
			if len(res.Metrics.TokenGaps) != gaps {
				t.Fatalf("%d token gaps recorded, want Σ(D − 1) = %d", len(res.Metrics.TokenGaps), gaps)
			}
			restarts := 0
			for i := range res.Requests {
				restarts += res.Requests[i].NumRestarts
			}
			if restarts == 0 {
				t.Fatal("no request was restarted; the test does not exercise preemption")
			}
			if res.Completed != len(reqs) {
				t.Fatalf("%d of %d completed", res.Completed, len(reqs))
			}
			sum := metrics.Summarize(res.Requests, res.Metrics, metrics.SummaryInput{EndTimeS: res.EndTimeS})
			if sum.Restarts.Max < 1 || sum.PreemptionTime.Max <= 0 {
				t.Fatalf("summary misses preemption: %+v %+v", sum.Restarts, sum.PreemptionTime)
			}
		})
	}
}

// TestRoundRobinSplitsIntoIndependentReplicas: two replicas under round
// robin behave exactly like two one-replica runs on alternate requests.
func TestRoundRobinSplitsIntoIndependentReplicas(t *testing.T) {
	reqs := randomRequests(3, 400, 30, 2000, 200)
	p := testParams(t, scheduler.Sarathi)
	p.Replicas = 2
	both := mustSimulate(t, p, reqs, linearTimer{1})
	p.Replicas = 1
	for half := range 2 {
		var sub []workload.Request
		for i := half; i < len(reqs); i += 2 {
			sub = append(sub, reqs[i])
		}
		one := mustSimulate(t, p, sub, linearTimer{1})
		for k := range sub {
			a, b := &both.Requests[half+2*k], &one.Requests[k]
			if a.PrefillCompletedAt != b.PrefillCompletedAt || a.CompletedAt != b.CompletedAt || a.ScheduledAt != b.ScheduledAt {
				t.Fatalf("request %d: 2-replica run (%g, %g) != 1-replica run (%g, %g)", half+2*k,
					a.PrefillCompletedAt, a.CompletedAt, b.PrefillCompletedAt, b.CompletedAt)
			}
		}
	}
}

// TestTimeScaling: doubling every arrival time and every batch time doubles
// every latency exactly (×2 is exact in floating point).
func TestTimeScaling(t *testing.T) {
	reqs := randomRequests(4, 300, 50, 1000, 300)
	scaled := make([]workload.Request, len(reqs))
	for i, r := range reqs {
		r.ArrivedAt *= 2
		scaled[i] = r
	}
	for _, kind := range scheduler.ReplicaKinds {
		t.Run(kind, func(t *testing.T) {
			p := testParams(t, kind)
			a := mustSimulate(t, p, reqs, linearTimer{1})
			b := mustSimulate(t, p, scaled, linearTimer{2})
			for i := range a.Requests {
				x, y := &a.Requests[i], &b.Requests[i]
				if 2*(x.CompletedAt-x.ArrivedAt) != y.CompletedAt-y.ArrivedAt || 2*x.PrefillCompletedAt != y.PrefillCompletedAt {
					t.Fatalf("request %d: e2e %g vs scaled %g", i, x.CompletedAt-x.ArrivedAt, y.CompletedAt-y.ArrivedAt)
				}
			}
		})
	}
}

// TestSchedulersAgreeOnIsolatedRequests: when requests never overlap, every
// scheduler prefills the whole prompt in one iteration and then decodes one
// token per iteration, so all give identical latencies.
func TestSchedulersAgreeOnIsolatedRequests(t *testing.T) {
	var reqs []workload.Request
	for i := range 20 {
		reqs = append(reqs, workload.Request{ArrivedAt: float64(i) * 100, NumPrefillTokens: 100 + 20*i, NumDecodeTokens: 50 + i})
	}
	var ref *Result
	for _, kind := range scheduler.ReplicaKinds {
		p := testParams(t, kind)
		res := mustSimulate(t, p, reqs, linearTimer{1})
		if ref == nil {
			ref = res
			continue
		}
		for i := range reqs {
			if res.Requests[i].CompletedAt != ref.Requests[i].CompletedAt || res.Requests[i].PrefillCompletedAt != ref.Requests[i].PrefillCompletedAt {
				t.Fatalf("%s request %d: completed %g, sarathi %g", kind, i, res.Requests[i].CompletedAt, ref.Requests[i].CompletedAt)
			}
		}
	}
}

func TestTimeLimit(t *testing.T) {
	reqs := randomRequests(5, 500, 20, 1000, 300)
	p := testParams(t, scheduler.Sarathi)
	p.TimeLimitS = 5
	res := mustSimulate(t, p, reqs, linearTimer{1})
	if !res.TimeLimited || res.Completed == len(reqs) || res.EndTimeS <= 5 {
		t.Fatalf("time limit not applied: limited=%v completed=%d end=%g", res.TimeLimited, res.Completed, res.EndTimeS)
	}
}

func TestDeterministic(t *testing.T) {
	reqs := randomRequests(6, 300, 40, 1500, 300)
	p := testParams(t, scheduler.VLLM)
	p.Replicas, p.Router = 3, scheduler.Random
	a := mustSimulate(t, p, reqs, linearTimer{1})
	b := mustSimulate(t, p, reqs, linearTimer{1})
	for i := range a.Requests {
		if a.Requests[i] != b.Requests[i] {
			t.Fatalf("request %d differs between identical runs", i)
		}
	}
}

func TestImpossibleConfigs(t *testing.T) {
	reqs := randomRequests(7, 10, 1, 100, 10)
	tests := []struct {
		name string
		mod  func(*Params)
		want string
	}{
		{"lightllm block", func(p *Params) { p.Scheduler.Kind = scheduler.LightLLM; p.Scheduler.BlockSize = 16 }, "block_size 1"},
		{"pp divides layers", func(p *Params) { p.PP = 3 }, "do not divide"},
		{"does not fit", func(p *Params) { p.DeviceMemoryGB = 10 }, "does not fit"},
		{"unknown scheduler", func(p *Params) { p.Scheduler.Kind = "fifo" }, "unknown replica scheduler"},
		{"unknown router", func(p *Params) { p.Router = "best" }, "unknown router"},
		{"request too long", func(p *Params) { p.MaxTokens = 50 }, "exceed max tokens"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := testParams(t, scheduler.Sarathi)
			tc.mod(&p)
			_, err := Simulate(p, reqs, linearTimer{1}, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

// TestSimultaneousArrivalsFollowPythonSetOrder: two requests arriving
// together are routed to replicas 7 and 8 in one GlobalSchedule; Vidur
// iterates the set {7, 8} as 8, 7 (CPython, 8 slots), so replica 8's batch is
// created first and gets the lower batch id.
func TestSimultaneousArrivalsFollowPythonSetOrder(t *testing.T) {
	var reqs []workload.Request
	for i := range 7 {
		reqs = append(reqs, workload.Request{ArrivedAt: float64(i), NumPrefillTokens: 10, NumDecodeTokens: 2})
	}
	reqs = append(reqs, workload.Request{ArrivedAt: 10, NumPrefillTokens: 10, NumDecodeTokens: 2},
		workload.Request{ArrivedAt: 10, NumPrefillTokens: 10, NumDecodeTokens: 2})
	p := testParams(t, scheduler.Sarathi)
	p.Replicas = 9
	p.Record = metrics.Options{Stages: true}
	res := mustSimulate(t, p, reqs, linearTimer{1})
	batchOf := map[int32]int{}
	for _, st := range res.Metrics.Stages {
		for _, ri := range res.Metrics.StageReqs[st.First : st.First+st.Count] {
			if _, ok := batchOf[ri]; !ok {
				batchOf[ri] = st.BatchID
			}
		}
	}
	if res.Requests[7].Replica != 7 || res.Requests[8].Replica != 8 {
		t.Fatalf("routing: %d %d", res.Requests[7].Replica, res.Requests[8].Replica)
	}
	if !(batchOf[8] < batchOf[7]) {
		t.Fatalf("first batch of request 8 (replica 8) has id %d, of request 7 (replica 7) %d; want 8's first", batchOf[8], batchOf[7])
	}
}

// A closed Done channel stops the run within a few thousand events with an
// error wrapping Err (a context's), so Ctrl-C ends a long simulation.
func TestCancel(t *testing.T) {
	reqs := randomRequests(8, 2000, 40, 1500, 300)
	p := testParams(t, scheduler.Sarathi)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p.Done, p.Err = ctx.Done(), ctx.Err
	_, err := Simulate(p, reqs, linearTimer{1}, rng.NewPython(1))
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "interrupted at t=") {
		t.Fatalf("cancelled run: %v", err)
	}
	done := make(chan struct{})
	close(done)
	p.Done, p.Err = done, nil
	if _, err := Simulate(p, reqs, linearTimer{1}, rng.NewPython(1)); !errors.Is(err, errCanceled) {
		t.Fatalf("closed Done without Err: %v", err)
	}
	p.Done = make(chan struct{}) // never closed: the run completes
	if res, err := Simulate(p, reqs, linearTimer{1}, rng.NewPython(1)); err != nil || res.Completed != len(reqs) {
		t.Fatalf("open Done: %v", err)
	}
}
