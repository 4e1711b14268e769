package workload

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/vidur-go/vidur-go/sim/rng"
)

// Generate validates cfg and builds its requests, sorted by arrival time
// (stable; ids are slice indices).
//
// py is the simulation's Python random stream (Vidur's global random
// module), seeded by the caller with the simulation seed. A synthetic
// workload re-seeds it with cfg.Seed and then draws from it (poisson
// intervals, uniform lengths), exactly as Vidur's generator does; the caller
// then continues the same stream, e.g. for the random global scheduler
// (spec §5). Trace replay leaves py untouched. py may be nil when the caller
// has no further use for the stream. numpy's global stream (gamma
// intervals) is internal: it is re-seeded with cfg.Seed and nothing in the
// simulation draws from it afterwards.
//
// Apart from the result slice (sized up front when the count is known),
// generation allocates only per-generator setup (trace files, Zipf state).
func Generate(cfg Config, py *rng.Python) ([]Request, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("workload config: %w", err)
	}
	if cfg.Type == TypeTraceReplay {
		rows, err := readFile(cfg.TraceFile, ReadRequestTrace)
		if err != nil {
			return nil, err
		}
		if n := cfg.NumRequests; n > 0 {
			if n > len(rows) {
				return nil, fmt.Errorf("trace %s: num_requests is %d but the trace has only %d rows (0 or no num_requests replays the whole trace)", cfg.TraceFile, n, len(rows))
			}
			rows = rows[:n]
		}
		reqs, err := Replay(rows, cfg.PrefillScaleFactor, cfg.DecodeScaleFactor, cfg.TimeScaleFactor, cfg.MaxTokens)
		if err != nil {
			return nil, fmt.Errorf("trace %s: %w", cfg.TraceFile, err)
		}
		return reqs, nil
	}
	return generateSynthetic(cfg, py)
}

func generateSynthetic(cfg Config, py *rng.Python) ([]Request, error) {
	// Generators are built before seeding, as in Vidur (the Zipf and
	// trace-length generators seed their own streams).
	lengths, err := newLengthGen(cfg)
	if err != nil {
		return nil, err
	}
	intervals, err := newIntervalGen(cfg.Interval)
	if err != nil {
		return nil, err
	}
	if py == nil {
		py = new(rng.Python)
	}
	py.Seed(cfg.Seed)
	var np rng.NumPy
	np.Seed(uint32(cfg.Seed))

	s := synth{cfg: &cfg, iv: &intervals, len: &lengths, py: py, np: &np}
	reqs := make([]Request, 0, expectedCount(cfg, len(intervals.trace)))
	now := 0.0
	switch {
	case cfg.Duration > 0:
		for now < cfg.Duration {
			r, ok, err := s.next(now, len(reqs))
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, fmt.Errorf("workload: %s trace exhausted after %d requests at t=%.6g s, before duration %v s", s.exhausted(), len(reqs), now, cfg.Duration)
			}
			reqs = append(reqs, r)
			now = r.ArrivedAt
		}
		reqs = slices.DeleteFunc(reqs, func(r Request) bool { return r.ArrivedAt >= cfg.Duration })
	case cfg.NumRequests > 0:
		for range cfg.NumRequests {
			r, ok, err := s.next(now, len(reqs))
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, fmt.Errorf("workload: %s trace exhausted after %d requests, num_requests is %d (set num_requests: 0 to stop at the end of an interval trace)", s.exhausted(), len(reqs), cfg.NumRequests)
			}
			reqs = append(reqs, r)
			now = r.ArrivedAt
		}
	default: // interval trace: until a generator runs out
		for {
			r, ok, err := s.next(now, len(reqs))
			if err != nil {
				return nil, err
			}
			if !ok {
				break
			}
			reqs = append(reqs, r)
			now = r.ArrivedAt
		}
	}
	if !slices.IsSortedFunc(reqs, byArrival) {
		slices.SortStableFunc(reqs, byArrival)
	}
	return reqs, nil
}

func byArrival(a, b Request) int { return cmp.Compare(a.ArrivedAt, b.ArrivedAt) }

// expectedCount sizes the result slice.
func expectedCount(cfg Config, traceIntervals int) int {
	switch {
	case cfg.Duration > 0:
		switch cfg.Interval.Type {
		case IntervalPoisson, IntervalGamma:
			n := cfg.Duration*cfg.Interval.QPS*1.05 + 16
			if n < 1<<24 {
				return int(n)
			}
			return 1 << 24
		case IntervalTrace:
			return traceIntervals
		}
		return 16
	case cfg.NumRequests > 0:
		return cfg.NumRequests
	default:
		return traceIntervals
	}
}

// synth draws one synthetic request at a time.
type synth struct {
	cfg *Config
	iv  *intervalGen
	len *lengthGen
	py  *rng.Python
	np  *rng.NumPy
}

// next draws the interval, then the lengths (Vidur's order), and converts
// the lengths with int() truncation. ok is false when a trace runs out.
func (s *synth) next(now float64, id int) (Request, bool, error) {
	dt, ok := s.iv.next(s.py, s.np)
	if !ok {
		return Request{}, false, nil
	}
	p, d, ok := s.len.next(s.py)
	if !ok {
		return Request{}, false, nil
	}
	r := Request{ArrivedAt: now + dt, NumPrefillTokens: int(p), NumDecodeTokens: int(d)}
	if r.NumPrefillTokens < 1 || r.NumDecodeTokens < 1 || math.IsNaN(p) || math.IsNaN(d) {
		return Request{}, false, fmt.Errorf("workload: request %d: %s lengths gave %v prefill and %v decode tokens (need ≥ 1 each after truncation); raise length.min_tokens or lower length.prefill_to_decode_ratio",
			id, s.cfg.Length.Type, p, d)
	}
	return r, true, nil
}

// exhausted names the trace that ran out.
func (s *synth) exhausted() string {
	if s.iv.kind == IntervalTrace && s.iv.pos >= len(s.iv.trace) {
		return "interval"
	}
	return "length"
}

// maxExactTokens bounds scaled token counts so int conversion is exact.
const maxExactTokens = 1 << 53

// Replay turns request-trace rows into requests in file order (spec §2.4):
// p = int(p·prefillScale), d = int(d·decodeScale), both clipped to ≥ 1;
// if p+d > maxTokens only the prefill is reduced, p -= p+d-maxTokens;
// arrived_at·timeScale. A row whose decode alone leaves no prefill token
// within maxTokens is an error naming the row (Vidur would emit a request
// with a non-positive prompt). Rows are not sorted (Vidur does not either).
func Replay(rows []TraceRow, prefillScale, decodeScale, timeScale float64, maxTokens int) ([]Request, error) {
	reqs := make([]Request, len(rows))
	for i, r := range rows {
		ps, ds := r.PrefillTokens*prefillScale, r.DecodeTokens*decodeScale
		if ps > maxExactTokens || ds > maxExactTokens {
			return nil, fmt.Errorf("data row %d: scaled token counts %v prefill, %v decode are implausibly large", i+1, ps, ds)
		}
		p := max(int(ps), 1)
		d := max(int(ds), 1)
		if diff := p + d - maxTokens; diff > 0 {
			p -= diff
		}
		if p < 1 {
			return nil, fmt.Errorf("data row %d: %d decode tokens leave no room for a prompt within max_tokens %d", i+1, d, maxTokens)
		}
		reqs[i] = Request{ArrivedAt: r.ArrivedAt * timeScale, NumPrefillTokens: p, NumDecodeTokens: d}
	}
	return reqs, nil
}
