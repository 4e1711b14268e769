package cluster

// Deque is a double-ended queue of request indices backed by a ring
// buffer; it allocates only when it grows.
type Deque struct {
	buf        []int32
	head, size int
}

// Len is the number of elements.
func (d *Deque) Len() int { return d.size }

// At returns the i-th element from the front.
func (d *Deque) At(i int) int32 { return d.buf[(d.head+i)&(len(d.buf)-1)] }

// Front returns the first element; the deque must not be empty.
func (d *Deque) Front() int32 { return d.buf[d.head] }

func (d *Deque) grow() {
	n := len(d.buf) * 2
	if n == 0 {
		n = 16
	}
	nb := make([]int32, n)
	for i := 0; i < d.size; i++ {
		nb[i] = d.At(i)
	}
	d.buf, d.head = nb, 0
}

// PushBack appends v.
func (d *Deque) PushBack(v int32) {
	if d.size == len(d.buf) {
		d.grow()
	}
	d.buf[(d.head+d.size)&(len(d.buf)-1)] = v
	d.size++
}

// PushFront inserts v before the first element.
func (d *Deque) PushFront(v int32) {
	if d.size == len(d.buf) {
		d.grow()
	}
	d.head = (d.head - 1) & (len(d.buf) - 1)
	d.buf[d.head] = v
	d.size++
}

// PopFront removes and returns the first element; the deque must not be
// empty.
func (d *Deque) PopFront() int32 {
	v := d.buf[d.head]
	d.head = (d.head + 1) & (len(d.buf) - 1)
	d.size--
	return v
}
