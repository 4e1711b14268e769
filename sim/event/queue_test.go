package event

import (
	"math/rand/v2"
	"sort"
	"testing"
)

func TestQueueOrdersByTimeThenCreation(t *testing.T) {
	var q Queue
	times := []float64{3, 1, 2, 1, 3, 0.5, 1}
	for i, tm := range times {
		q.Push(Event{TimeS: tm, Batch: int32(i)})
	}
	var got []int32
	for q.Len() > 0 {
		got = append(got, q.Pop().Batch)
	}
	want := []int32{5, 1, 3, 6, 2, 0, 4}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("pop order %v, want %v", got, want)
		}
	}
}

func TestQueueMatchesSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var q Queue
	first := q.Reserve(10)
	if first != 1 {
		t.Fatalf("first reserved id %d, want 1", first)
	}
	var all []Event
	for range 2000 {
		// Interleave pushes and pops; coarse times force many ties.
		if rng.IntN(3) == 0 && q.Len() > 0 {
			q.Pop()
			continue
		}
		id := q.Push(Event{TimeS: float64(rng.IntN(20))})
		if id <= 10 {
			t.Fatalf("id %d collides with reserved ids", id)
		}
	}
	for q.Len() > 0 {
		all = append(all, q.Pop())
	}
	if !sort.SliceIsSorted(all, func(i, j int) bool { return Less(&all[i], &all[j]) }) {
		t.Fatal("events not popped in (time, id) order")
	}
}

func TestKindString(t *testing.T) {
	if BatchEnd.String() != "batch_end" || Kind(0).String() != "unknown" {
		t.Fatal(BatchEnd.String())
	}
}

// BenchmarkPushPop measures steady-state heap traffic with 64 pending
// events; it must report 0 allocs/op.
func BenchmarkPushPop(b *testing.B) {
	var q Queue
	q.Grow(128)
	for i := range 64 {
		q.Push(Event{TimeS: float64(i)})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e := q.Pop()
		e.TimeS += 64.5
		q.Push(e)
	}
}
