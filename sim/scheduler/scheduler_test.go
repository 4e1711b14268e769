package scheduler

import (
	"slices"
	"strings"
	"testing"

	"github.com/vidur-go/vidur-go/sim/cluster"
)

// decodeCluster builds one replica with running decode requests, each with
// a 16-token prompt, 17 processed tokens and 1 block, so each needs one
// more block for its next iteration.
func decodeCluster(n, numBlocks int) *cluster.Cluster {
	reqs := make([]cluster.Request, n)
	for i := range reqs {
		reqs[i] = cluster.NewRequest(int32(i), float64(i), 16, 100)
	}
	c := cluster.New(reqs, 1, 1, numBlocks)
	r := &c.Replicas[0]
	for i := range reqs {
		q := &c.Requests[i]
		q.Processed, q.PrefillComplete, q.Scheduled = 17, true, true
		c.Allocate(r, int32(i), 1)
		r.Running = append(r.Running, int32(i))
	}
	return c
}

func queueOf(r *cluster.Replica) []int32 {
	var q []int32
	for i := range r.Queue.Len() {
		q = append(q, r.Queue.At(i))
	}
	return q
}

// TestSarathiPreemptsLastRunning: with no free block, the first decode's
// allocation restarts the last running request (the victim), and a later
// request with no victim left restarts itself (spec §6.5).
func TestSarathiPreemptsLastRunning(t *testing.T) {
	c := decodeCluster(3, 3)
	r := &c.Replicas[0]
	s, err := NewReplica(Params{Kind: Sarathi, BatchSizeCap: 8, BlockSize: 16, NumBlocks: 3, ChunkSize: 64, NumStages: 1})
	if err != nil {
		t.Fatal(err)
	}
	h, err := s.NextBatch(c, r)
	if err != nil || h < 0 {
		t.Fatalf("NextBatch: %d %v", h, err)
	}
	b := c.Batch(h)
	if !slices.Equal(b.Reqs, []int32{0}) || !slices.Equal(b.Tokens, []int{1}) {
		t.Fatalf("batch %v %v, want request 0 with 1 token", b.Reqs, b.Tokens)
	}
	if q := queueOf(r); !slices.Equal(q, []int32{1, 2}) {
		t.Fatalf("queue %v, want [1 2] (self-restarted 1 in front of victim 2)", q)
	}
	for _, i := range []int{1, 2} {
		q := &c.Requests[i]
		if q.NumRestarts != 1 || q.P != 17 || q.D != 99 || q.Processed != 0 || q.Allocated {
			t.Fatalf("request %d after restart: %+v", i, q)
		}
	}
	if r.AllocatedBlocks != 2 || c.Requests[0].Blocks != 2 {
		t.Fatalf("blocks: replica %d, request 0 %d", r.AllocatedBlocks, c.Requests[0].Blocks)
	}
}

// TestSarathiChunking: prefills share the chunk budget after decodes; a new
// request gets what is left.
func TestSarathiChunking(t *testing.T) {
	reqs := []cluster.Request{cluster.NewRequest(0, 0, 16, 10), cluster.NewRequest(1, 1, 1000, 10), cluster.NewRequest(2, 2, 300, 10)}
	c := cluster.New(reqs, 1, 1, 1000)
	r := &c.Replicas[0]
	q0 := &c.Requests[0]
	q0.Processed, q0.PrefillComplete = 17, true
	c.Allocate(r, 0, 2)
	r.Running = []int32{0}
	r.Queue.PushBack(1)
	r.Queue.PushBack(2)
	s, _ := NewReplica(Params{Kind: Sarathi, BatchSizeCap: 8, BlockSize: 16, NumBlocks: 1000, ChunkSize: 512, NumStages: 1})
	h, _ := s.NextBatch(c, r)
	b := c.Batch(h)
	if !slices.Equal(b.Reqs, []int32{0, 1}) || !slices.Equal(b.Tokens, []int{1, 511}) {
		t.Fatalf("batch %v %v, want [0 1] [1 511]", b.Reqs, b.Tokens)
	}
	if b.NumDecodeTokens != 1 || b.NumPrefillTokens != 511 {
		t.Fatalf("prefill %d decode %d", b.NumPrefillTokens, b.NumDecodeTokens)
	}
	if c.Requests[1].Blocks != 63 { // ceil(1000/16): the whole prompt is reserved
		t.Fatalf("request 1 holds %d blocks, want 63", c.Requests[1].Blocks)
	}
}

func TestVLLMNeverMixesAndPadsBudget(t *testing.T) {
	reqs := []cluster.Request{cluster.NewRequest(0, 0, 1000, 10), cluster.NewRequest(1, 1, 100, 10), cluster.NewRequest(2, 2, 3000, 10)}
	c := cluster.New(reqs, 1, 1, 10000)
	r := &c.Replicas[0]
	for i := range 3 {
		r.Queue.PushBack(int32(i))
	}
	s, _ := NewReplica(Params{Kind: VLLM, BatchSizeCap: 8, BlockSize: 16, NumBlocks: 10000, MaxTokensInBatch: 4096, NumStages: 1})
	h, _ := s.NextBatch(c, r)
	// 3 × max(1000, 100, 3000) = 9000 > 4096 stops before request 2.
	if b := c.Batch(h); !slices.Equal(b.Reqs, []int32{0, 1}) || !slices.Equal(b.Tokens, []int{1000, 100}) {
		t.Fatalf("batch %v %v", b.Reqs, b.Tokens)
	}
}

func TestVLLMContextOutgrowsCache(t *testing.T) {
	c := decodeCluster(1, 1)
	s, _ := NewReplica(Params{Kind: VLLM, BatchSizeCap: 8, BlockSize: 16, NumBlocks: 1, MaxTokensInBatch: 4096, NumStages: 1})
	_, err := s.NextBatch(c, &c.Replicas[0])
	if err == nil || !strings.Contains(err.Error(), "can never run again") {
		t.Fatalf("want a clear error instead of Vidur's stall, got %v", err)
	}
}

// TestFasterTransformerFreesCompleted: a request that completes before the
// rest of its static batch releases its blocks at once (Vidur leaks them).
func TestFasterTransformerFreesCompleted(t *testing.T) {
	reqs := []cluster.Request{cluster.NewRequest(0, 0, 16, 1), cluster.NewRequest(1, 0, 16, 5)}
	c := cluster.New(reqs, 1, 1, 100)
	r := &c.Replicas[0]
	r.Queue.PushBack(0)
	r.Queue.PushBack(1)
	s, _ := NewReplica(Params{Kind: FasterTransformer, BatchSizeCap: 8, BlockSize: 16, NumBlocks: 100, NumStages: 1,
		PlannerMaxBatchSize: 8, MaxBlocksPerSequence: 10})
	h, _ := s.NextBatch(c, r)
	b := c.Batch(h)
	r.NumRunningBatches++
	for i, ri := range b.Reqs {
		c.Requests[ri].OnBatchEnd(1, b.Tokens[i])
	}
	if !c.Requests[0].Completed || c.Requests[1].Completed {
		t.Fatal("setup: request 0 should complete with its prefill")
	}
	if err := s.OnBatchEnd(c, r, b); err != nil {
		t.Fatal(err)
	}
	if r.AllocatedBlocks != 10 || c.Requests[0].Allocated {
		t.Fatalf("allocated %d blocks; request 0 should have released its 10", r.AllocatedBlocks)
	}
	c.Release(h)
	h, _ = s.NextBatch(c, r)
	if b := c.Batch(h); !slices.Equal(b.Reqs, []int32{1}) {
		t.Fatalf("next static iteration %v, want [1]", b.Reqs)
	}
}

func TestLightLLMAlternates(t *testing.T) {
	reqs := []cluster.Request{cluster.NewRequest(0, 0, 10, 50), cluster.NewRequest(1, 1, 10, 50)}
	c := cluster.New(reqs, 1, 1, 1000)
	r := &c.Replicas[0]
	r.Queue.PushBack(0)
	s, _ := NewReplica(Params{Kind: LightLLM, BatchSizeCap: 8, BlockSize: 1, NumBlocks: 1000, MaxTokensInBatch: 4096, MaxWaitingIters: 2, NumStages: 1})
	h, _ := s.NextBatch(c, r)
	b := c.Batch(h)
	c.Requests[0].OnBatchSchedule(0)
	c.Requests[0].OnBatchEnd(1, b.Tokens[0])
	r.NumRunningBatches = 1
	s.OnBatchEnd(c, r, b)
	r.Queue.PushBack(1)
	var sizes []int
	for range 4 {
		h, err := s.NextBatch(c, r)
		if err != nil {
			t.Fatal(err)
		}
		b := c.Batch(h)
		sizes = append(sizes, b.Size())
		for i, ri := range b.Reqs {
			c.Requests[ri].OnBatchSchedule(1)
			c.Requests[ri].OnBatchEnd(2, b.Tokens[i])
		}
		r.NumRunningBatches = 1
		s.OnBatchEnd(c, r, b)
	}
	// Two decode iterations of request 0, then admission of request 1, then
	// a decode of both.
	if !slices.Equal(sizes, []int{1, 1, 1, 2}) || c.Requests[1].Processed == 0 {
		t.Fatalf("batch sizes %v", sizes)
	}
}

func TestRouters(t *testing.T) {
	c := cluster.New(make([]cluster.Request, 6), 3, 1, 10)
	c.Replicas[0].Queue.PushBack(0)
	c.Replicas[0].Queue.PushBack(1)
	c.Replicas[2].Queue.PushBack(2)
	queue := []int32{3, 4, 5}
	lor, _ := NewRouter(LOR, nil)
	// Queued [2 0 1] → replica 1; then [2 1 1], a tie won by the lowest id
	// (1); then [2 2 1] → replica 2.
	if got := lor.Assign(c, queue, nil); !slices.Equal(got, []int32{1, 1, 2}) {
		t.Fatalf("lor %v", got)
	}
	rr, _ := NewRouter(RoundRobin, nil)
	rr.Assign(c, queue[:2], nil)
	if got := rr.Assign(c, queue, nil); !slices.Equal(got, []int32{2, 0, 1}) {
		t.Fatalf("round robin continues its counter: %v", got)
	}
	if _, err := NewRouter(Random, nil); err == nil {
		t.Fatal("random without a source must fail")
	}
}
