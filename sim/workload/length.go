package workload

import (
	"fmt"
	"math"
	"os"
	"sync"

	"github.com/vidur-go/vidur-go/sim/rng"
)

// lengthGen draws (prefill, decode) token counts as floats; the synthetic
// generator truncates them with int() (spec §2.3).
type lengthGen struct {
	kind       string
	prefill    float64 // fixed
	decode     float64 // fixed
	min, max   float64 // uniform
	ratio      float64 // uniform, zipf
	zipf       *zipf
	trace      []TraceRow // trace: reduced and shuffled rows
	pos        int
	traceFile  string
	traceTotal int
}

func newLengthGen(c Config) (lengthGen, error) {
	l := c.Length
	g := lengthGen{kind: l.Type, ratio: l.PrefillToDecodeRatio}
	switch l.Type {
	case LengthFixed:
		g.prefill, g.decode = float64(l.PrefillTokens), float64(l.DecodeTokens)
	case LengthUniform:
		g.min, g.max = float64(l.MinTokens), float64(c.MaxTokens)
	case LengthZipf:
		g.zipf = newZipf(l.MinTokens, c.MaxTokens, l.Theta, l.Scramble, l.Seed)
	case LengthTrace:
		trace, err := shuffledLengthTrace(l, c.MaxTokens)
		if err != nil {
			return g, err
		}
		g.trace, g.traceFile = trace, l.TraceFile
	}
	return g, nil
}

// next returns the next (prefill, decode) pair, or ok = false when a length
// trace is exhausted. Uniform draws from py (Python's global random).
func (g *lengthGen) next(py *rng.Python) (prefill, decode float64, ok bool) {
	switch g.kind {
	case LengthFixed:
		return g.prefill, g.decode, true
	case LengthUniform:
		total := py.Uniform(g.min, g.max)
		decode = math.Ceil(total / (1 + g.ratio))
		return total - decode, decode, true
	case LengthZipf:
		total := float64(g.zipf.next())
		decode = total / (1 + g.ratio)
		return total - decode, decode, true
	default: // LengthTrace
		if g.pos >= len(g.trace) {
			return 0, 0, false
		}
		r := g.trace[g.pos]
		g.pos++
		return r.PrefillTokens, r.DecodeTokens, true
	}
}

// ReduceLengthTrace applies Vidur's trace length generator rules (spec
// §2.3) to rows, in order, without shuffling: p = int(p·prefillScale),
// d = int(d·decodeScale); total = p+d; diff = max(total - maxTokens, 0);
// p -= ceil(diff·p/total), d -= ceil(diff·d/total) (both ratios from the
// unreduced values); clip both to ≥ 1. It returns an error naming the row
// (1-based data row) if a reduced row still exceeds maxTokens.
func ReduceLengthTrace(rows []TraceRow, prefillScale, decodeScale float64, maxTokens int) ([]TraceRow, error) {
	out := make([]TraceRow, len(rows))
	for i, r := range rows {
		p := math.Trunc(r.PrefillTokens * prefillScale)
		d := math.Trunc(r.DecodeTokens * decodeScale)
		if p > maxExactTokens || d > maxExactTokens {
			return nil, fmt.Errorf("data row %d: scaled token counts %v prefill, %v decode are implausibly large", i+1, p, d)
		}
		total := p + d
		if diff := math.Max(total-float64(maxTokens), 0); diff > 0 {
			p, d = p-math.Ceil(diff*p/total), d-math.Ceil(diff*d/total)
		}
		p, d = math.Max(p, 1), math.Max(d, 1)
		if p+d > float64(maxTokens) {
			return nil, fmt.Errorf("data row %d: %v prefill + %v decode tokens exceed max_tokens %d after reduction", i+1, p, d, maxTokens)
		}
		out[i] = TraceRow{PrefillTokens: p, DecodeTokens: d}
	}
	return out, nil
}

// lengthTraceKey identifies a reduced, shuffled length trace: the file (by
// path, size and modification time) and every setting that shapes it.
type lengthTraceKey struct {
	path                      string
	size                      int64
	modNanos                  int64
	prefillScale, decodeScale float64
	maxTokens                 int
	seed                      uint64
}

// lengthTraces remembers the last few reduced, shuffled length traces, so
// that simulations of the same workload at other rates (a capacity search
// runs dozens per configuration) do not re-read and re-shuffle the file.
// Entries are never modified after creation.
var lengthTraces struct {
	sync.Mutex
	keys []lengthTraceKey
	rows [][]TraceRow
}

const maxCachedLengthTraces = 4

// shuffledLengthTrace reads, reduces (ReduceLengthTrace) and shuffles (numpy
// permutation seeded with l.Seed) the length trace of l, or returns the
// remembered result for an unchanged file and the same settings. The
// result is shared: callers must not modify it.
func shuffledLengthTrace(l LengthConfig, maxTokens int) ([]TraceRow, error) {
	key := lengthTraceKey{path: l.TraceFile, prefillScale: l.PrefillScaleFactor, decodeScale: l.DecodeScaleFactor,
		maxTokens: maxTokens, seed: l.Seed}
	if st, err := os.Stat(l.TraceFile); err == nil {
		key.size, key.modNanos = st.Size(), st.ModTime().UnixNano()
		lengthTraces.Lock()
		for i, k := range lengthTraces.keys {
			if k == key {
				rows := lengthTraces.rows[i]
				lengthTraces.Unlock()
				return rows, nil
			}
		}
		lengthTraces.Unlock()
	}
	rows, err := readFile(l.TraceFile, ReadLengthTrace)
	if err != nil {
		return nil, err
	}
	reduced, err := ReduceLengthTrace(rows, l.PrefillScaleFactor, l.DecodeScaleFactor, maxTokens)
	if err != nil {
		return nil, fmt.Errorf("length trace %s: %w", l.TraceFile, err)
	}
	perm := rng.NewNumPy(uint32(l.Seed)).Permutation(len(reduced))
	shuffled := make([]TraceRow, len(reduced))
	for i, j := range perm {
		shuffled[i] = reduced[j]
	}
	if key.modNanos != 0 || key.size != 0 {
		lengthTraces.Lock()
		if len(lengthTraces.keys) == maxCachedLengthTraces {
			lengthTraces.keys, lengthTraces.rows = lengthTraces.keys[1:], lengthTraces.rows[1:]
		}
		lengthTraces.keys = append(lengthTraces.keys, key)
		lengthTraces.rows = append(lengthTraces.rows, shuffled)
		lengthTraces.Unlock()
	}
	return shuffled, nil
}
