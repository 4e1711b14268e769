package event

// Kind says which handler processes an event (spec §4.3).
type Kind uint8

// The event kinds, in Vidur's numbering. The numbers never decide order.
const (
	BatchStageArrival    Kind = 1
	RequestArrival       Kind = 2
	BatchStageEnd        Kind = 3
	BatchEnd             Kind = 4
	GlobalSchedule       Kind = 5
	ReplicaSchedule      Kind = 6
	ReplicaStageSchedule Kind = 7
)

var kindNames = [...]string{
	BatchStageArrival:    "batch_stage_arrival",
	RequestArrival:       "request_arrival",
	BatchStageEnd:        "batch_stage_end",
	BatchEnd:             "batch_end",
	GlobalSchedule:       "global_schedule",
	ReplicaSchedule:      "replica_schedule",
	ReplicaStageSchedule: "replica_stage_schedule",
}

// String returns Vidur's snake_case name of the kind.
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "unknown"
}

// Event is one scheduled occurrence. Which payload fields are meaningful
// depends on Kind: Request for RequestArrival; Replica for the replica and
// stage events; Stage for stage events; Batch (an index into the
// simulator's batch pool) for batch events.
type Event struct {
	// TimeS is the simulated time in seconds.
	TimeS float64
	// ID is the creation id (the first event created has id 1).
	ID      uint64
	Kind    Kind
	Replica int32
	Stage   int32
	// Batch is a batch handle, or the request index for RequestArrival.
	Batch int32
}

// Less reports whether a comes before b: earlier time first, then lower id.
func Less(a, b *Event) bool {
	if a.TimeS != b.TimeS {
		return a.TimeS < b.TimeS
	}
	return a.ID < b.ID
}

// Queue is a priority queue of events keyed by (TimeS, ID). The zero value
// is an empty queue whose first assigned id is 1.
//
// Most events of a simulation are created for the current time (a schedule
// after an arrival, a stage arrival after a schedule, ...). Such an event
// has the highest id so far and the earliest possible time, so it goes to a
// FIFO instead of the binary heap: every FIFO event has the same time and
// they are appended in id order, so the FIFO is sorted, and Pop takes the
// smaller of its front and the heap's top. The order is exactly that of
// one heap.
type Queue struct {
	heap   []Event
	fifo   []Event // events at time fifoAt, in id order, from head on
	head   int
	fifoAt float64
	clock  float64 // time of the latest popped event
	nextID uint64
}

// Reserve sets aside n ids (1..n when called first) for events that the
// caller keeps outside the heap, such as the pre-sorted request arrivals;
// ids handed out by Push continue after them. It returns the first reserved
// id.
func (q *Queue) Reserve(n int) uint64 {
	first := q.nextID + 1
	q.nextID += uint64(n)
	return first
}

// Len is the number of pending events.
func (q *Queue) Len() int { return len(q.heap) + len(q.fifo) - q.head }

// Grow makes room for n pending events without reallocation.
func (q *Queue) Grow(n int) {
	if cap(q.heap)-len(q.heap) < n {
		h := make([]Event, len(q.heap), len(q.heap)+n)
		copy(h, q.heap)
		q.heap = h
	}
	if cap(q.fifo)-len(q.fifo) < n {
		f := make([]Event, len(q.fifo), len(q.fifo)+n)
		copy(f, q.fifo)
		q.fifo = f
	}
}

// Push assigns e the next creation id, inserts it, and returns the id.
// Events must be pushed in the order Vidur creates them.
func (q *Queue) Push(e Event) uint64 {
	q.nextID++
	e.ID = q.nextID
	if q.head < len(q.fifo) {
		if e.TimeS == q.fifoAt {
			q.fifo = append(q.fifo, e)
			return e.ID
		}
	} else if e.TimeS == q.clock {
		q.fifo, q.head, q.fifoAt = append(q.fifo[:0], e), 0, e.TimeS
		return e.ID
	}
	q.heap = append(q.heap, e)
	q.up(len(q.heap) - 1)
	return e.ID
}

// fifoFirst reports whether the next event is the FIFO's front.
func (q *Queue) fifoFirst() bool {
	return q.head < len(q.fifo) && (len(q.heap) == 0 || Less(&q.fifo[q.head], &q.heap[0]))
}

// Peek returns the earliest event without removing it. It panics on an
// empty queue.
func (q *Queue) Peek() *Event {
	if q.fifoFirst() {
		return &q.fifo[q.head]
	}
	return &q.heap[0]
}

// Pop removes and returns the earliest event. It panics on an empty queue.
func (q *Queue) Pop() Event {
	if q.fifoFirst() {
		e := q.fifo[q.head]
		q.head++
		if q.head == len(q.fifo) {
			q.fifo, q.head = q.fifo[:0], 0
		}
		q.clock = e.TimeS
		return e
	}
	h := q.heap
	top := h[0]
	n := len(h) - 1
	h[0] = h[n]
	q.heap = h[:n]
	if n > 1 {
		q.down(0)
	}
	q.clock = top.TimeS
	return top
}

func (q *Queue) up(j int) {
	h := q.heap
	e := h[j]
	for j > 0 {
		i := (j - 1) / 2
		if !Less(&e, &h[i]) {
			break
		}
		h[j] = h[i]
		j = i
	}
	h[j] = e
}

func (q *Queue) down(i int) {
	h := q.heap
	n := len(h)
	e := h[i]
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		j := l
		if r := l + 1; r < n && Less(&h[r], &h[l]) {
			j = r
		}
		if !Less(&h[j], &e) {
			break
		}
		h[i] = h[j]
		i = j
	}
	h[i] = e
}
