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

// TestQueueMatchesReference pops against a sorted reference list after
// every step, with pushes at the current time (the FIFO path), later times
// and, rarely, earlier times, as a simulation's handlers make them.
func TestQueueMatchesReference(t *testing.T) {
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 7))
		var q Queue
		q.Reserve(3)
		var ref []Event
		now := 0.0
		for step := range 5000 {
			if rng.IntN(5) < 2 && len(ref) > 0 {
				e := q.Pop()
				sort.Slice(ref, func(i, j int) bool { return Less(&ref[i], &ref[j]) })
				if e != ref[0] {
					t.Fatalf("seed %d step %d: popped %+v, want %+v", seed, step, e, ref[0])
				}
				ref = ref[1:]
				now = e.TimeS
				continue
			}
			tm := now
			switch rng.IntN(6) {
			case 0, 1:
				tm = now + float64(rng.IntN(4))
			case 2:
				tm = now - float64(rng.IntN(2))
			}
			e := Event{TimeS: tm, Batch: int32(step)}
			e.ID = q.Push(e)
			ref = append(ref, e)
			if q.Len() != len(ref) {
				t.Fatalf("seed %d step %d: Len %d, want %d", seed, step, q.Len(), len(ref))
			}
			sort.Slice(ref, func(i, j int) bool { return Less(&ref[i], &ref[j]) })
			if p := q.Peek(); *p != ref[0] {
				t.Fatalf("seed %d step %d: Peek %+v, want %+v", seed, step, *p, ref[0])
			}
		}
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
