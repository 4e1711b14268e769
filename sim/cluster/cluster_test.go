package cluster

import "testing"

// TestRequestLifecycle follows spec §3.1: the first output token comes with
// the prefill, a restart turns processed tokens into the new prompt.
func TestRequestLifecycle(t *testing.T) {
	q := NewRequest(0, 1.0, 10, 3)
	q.OnBatchSchedule(1.5)
	if q.SchedulingDelay != 0.5 || !q.Scheduled {
		t.Fatalf("schedule: %+v", q)
	}
	q.OnStageSchedule(1.5)
	q.OnStageEnd(2.0, 0.5, 0.4)
	if _, gap, ok := q.OnBatchEnd(2.0, 10); !ok || gap {
		t.Fatal("prefill must not produce a token gap")
	}
	if !q.PrefillComplete || q.Processed != 11 || q.PrefillCompletedAt != 2.0 {
		t.Fatalf("after prefill: %+v", q)
	}
	q.OnStageSchedule(2.25)
	if q.PreemptedTime != 0.25 {
		t.Fatalf("preempted time %g, want 0.25", q.PreemptedTime)
	}
	g, hasGap, _ := q.OnBatchEnd(2.5, 1)
	if !hasGap || g != 0.5 {
		t.Fatalf("gap %g %v", g, hasGap)
	}
	q.Restart()
	if q.P != 12 || q.D != 1 || q.Processed != 0 || q.PrefillComplete || q.NumRestarts != 1 {
		t.Fatalf("after restart: %+v", q)
	}
	q.OnBatchSchedule(3)
	if q.ScheduledAt != 1.5 {
		t.Fatal("a restart keeps the first scheduled_at")
	}
	g, _, _ = q.OnBatchEnd(4, 12)
	if !q.Completed || q.CompletedAt != 4 || q.PrefillCompletedAt != 2.0 || g != 1.5 || q.MaxTokenGap != 1.5 {
		t.Fatalf("completion: %+v gap %g", q, g)
	}
	if _, _, ok := q.OnBatchEnd(5, 1); ok {
		t.Fatal("processing beyond the total must be reported")
	}
}

func TestDeque(t *testing.T) {
	var d Deque
	for i := range 40 {
		d.PushBack(int32(i))
	}
	d.PushFront(-1)
	if d.Len() != 41 || d.Front() != -1 || d.At(40) != 39 {
		t.Fatalf("len %d front %d", d.Len(), d.Front())
	}
	for i := -1; i < 40; i++ {
		if v := d.PopFront(); v != int32(i) {
			t.Fatalf("pop %d, want %d", v, i)
		}
	}
}

func TestFreeErrors(t *testing.T) {
	c := New([]Request{NewRequest(0, 0, 5, 5)}, 1, 1, 10)
	r := &c.Replicas[0]
	if err := c.Free(r, 0); err == nil {
		t.Fatal("freeing an unallocated request must fail")
	}
	c.Allocate(r, 0, 3)
	c.Allocate(r, 0, 2)
	if r.AllocatedBlocks != 5 || r.NumAllocated != 1 {
		t.Fatalf("allocated %d in %d", r.AllocatedBlocks, r.NumAllocated)
	}
	if err := c.Free(r, 0); err != nil || r.AllocatedBlocks != 0 || r.MemoryUsagePercent() != 0 {
		t.Fatal(err)
	}
}
