package scheduler

import (
	"fmt"
	"slices"

	"github.com/vidur-go/vidur-go/sim/cluster"
)

// Global schedulers (routers), by Vidur's global_scheduler_config_type name.
const (
	RoundRobin = "round_robin"
	Random     = "random"
	LOR        = "lor"
)

// RouterKinds lists the router names.
var RouterKinds = []string{RoundRobin, Random, LOR}

// IntN is a source of uniform integers in [0, n): Python's
// random._randbelow(n), continued from request generation (rng.Python).
type IntN interface {
	RandBelow(n int) int
}

// Router assigns queued requests to replicas (spec §5).
type Router interface {
	// Assign appends to dst the replica chosen for each request of queue, in
	// order. queue is already stable-sorted by arrival time.
	Assign(c *cluster.Cluster, queue []int32, dst []int32) []int32
}

// NewRouter returns the router named kind. rng is used only by "random"
// and must then be non-nil.
func NewRouter(kind string, rng IntN) (Router, error) {
	switch kind {
	case RoundRobin:
		return &roundRobin{}, nil
	case Random:
		if rng == nil {
			return nil, fmt.Errorf("router random needs a random source")
		}
		return &random{rng: rng}, nil
	case LOR:
		return &lor{}, nil
	}
	return nil, fmt.Errorf("unknown router %q (want one of %v)", kind, RouterKinds)
}

// ValidRouter reports whether kind names a router.
func ValidRouter(kind string) bool { return slices.Contains(RouterKinds, kind) }

type roundRobin struct{ next int }

// Assign sends request k of the run to replica counter mod N.
func (s *roundRobin) Assign(c *cluster.Cluster, queue []int32, dst []int32) []int32 {
	n := len(c.Replicas)
	for range queue {
		dst = append(dst, int32(s.next%n))
		s.next++
	}
	return dst
}

type random struct{ rng IntN }

// Assign draws randint(1, N) − 1 = _randbelow(N) per request; it consumes
// draws even for one replica, as Python does.
func (s *random) Assign(c *cluster.Cluster, queue []int32, dst []int32) []int32 {
	n := len(c.Replicas)
	for range queue {
		dst = append(dst, int32(s.rng.RandBelow(n)))
	}
	return dst
}

type lor struct{ pending []int }

// Assign snapshots each replica's queue length (requests routed but not yet
// batched) and sends each request to the least loaded one, lowest id first
// on ties.
func (s *lor) Assign(c *cluster.Cluster, queue []int32, dst []int32) []int32 {
	s.pending = s.pending[:0]
	for i := range c.Replicas {
		s.pending = append(s.pending, c.Replicas[i].Queue.Len())
	}
	for range queue {
		best := 0
		for r := 1; r < len(s.pending); r++ {
			if s.pending[r] < s.pending[best] {
				best = r
			}
		}
		s.pending[best]++
		dst = append(dst, int32(best))
	}
	return dst
}
