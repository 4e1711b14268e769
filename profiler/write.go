package profiler

import (
	"bufio"
	"compress/gzip"
	"encoding/csv"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/vidur-go/vidur-go/internal/atomicfile"
)

// csvWriter wraps csv.Writer with a reusable record.
type csvWriter struct {
	cw  *csv.Writer
	rec []string
	e   error
}

func (w *csvWriter) write(rec []string) {
	if w.e == nil {
		w.e = w.cw.Write(rec)
	}
	w.rec = rec[:0]
}

func (w *csvWriter) err() error {
	w.cw.Flush()
	if w.e != nil {
		return w.e
	}
	return w.cw.Error()
}

// writeCSV writes a CSV atomically to path, gzip-compressed when path ends
// in ".gz".
func writeCSV(path string, fill func(*csvWriter) error) error {
	return atomicfile.Write(path, 0o644, func(out io.Writer) error {
		return encodeCSV(out, strings.HasSuffix(path, ".gz"), fill)
	})
}

// encodeCSV writes a CSV to out, optionally gzip-compressed.
func encodeCSV(out io.Writer, gz bool, fill func(*csvWriter) error) error {
	bw := bufio.NewWriterSize(out, 64<<10)
	var dst io.Writer = bw
	var zw *gzip.Writer
	if gz {
		zw = gzip.NewWriter(bw)
		dst = zw
	}
	w := &csvWriter{cw: csv.NewWriter(dst)}
	if err := fill(w); err != nil {
		return err
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// opOrder returns the ops present in any of the maps yielded by each:
// those in canonical order first, then the others sorted by name.
func opOrder(canonical []string, each func(yield func(map[string]Stats))) []string {
	seen := map[string]bool{}
	each(func(m map[string]Stats) {
		for k := range m {
			seen[k] = true
		}
	})
	var out []string
	for _, op := range canonical {
		if seen[op] {
			out = append(out, op)
			delete(seen, op)
		}
	}
	rest := sortedKeys(seen)
	return append(out, rest...)
}

// statHeader returns the time_stats columns of ops.
func statHeader(ops []string) []string {
	h := make([]string, 0, 5*len(ops))
	for _, op := range ops {
		for _, s := range StatNames {
			h = append(h, timeStatsPrefix+op+"."+s)
		}
	}
	return h
}

// appendStats appends the five stats of each op (empty cells when absent).
func appendStats(rec []string, ops []string, m map[string]Stats) []string {
	for _, op := range ops {
		s, ok := m[op]
		if !ok {
			rec = append(rec, "", "", "", "", "")
			continue
		}
		rec = append(rec, pyFloat(s.Min), pyFloat(s.Max), pyFloat(s.Mean), pyFloat(s.Median), pyFloat(s.Std))
	}
	return rec
}

// pyFloat formats v as Python's repr(float) does (the shortest string that
// reads back as v, "4096.0" rather than "4096", exponent form below 1e-4 and
// from 1e16), so files written here look like pandas' output.
func pyFloat(v float64) string {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	a := math.Abs(v)
	if a != 0 && (a < 1e-4 || a >= 1e16) {
		s := strconv.FormatFloat(v, 'e', -1, 64)
		return s
	}
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if !strings.ContainsAny(s, ".") {
		s += ".0"
	}
	return s
}

func itoa(v int) string { return strconv.Itoa(v) }

// pyBool formats b as pandas does.
func pyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}
