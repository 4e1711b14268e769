package workload

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"
)

// TraceRow is one row of a request or length trace as read, before any
// scaling: Vidur reads these columns as floats.
type TraceRow struct {
	ArrivedAt     float64 // s (request traces only; 0 in length traces)
	PrefillTokens float64 // num_prefill_tokens, ≥ 0
	DecodeTokens  float64 // num_decode_tokens, ≥ 0
}

// Column names of the trace CSVs.
const (
	colArrivedAt     = "arrived_at"
	colPrefillTokens = "num_prefill_tokens"
	colDecodeTokens  = "num_decode_tokens"
	colArrivalTime   = "arrival_time"
)

// ReadRequestTrace reads a trace_replay CSV: columns arrived_at (s),
// num_prefill_tokens and num_decode_tokens, found by header name (other
// columns are ignored). Rows keep file order. Every value must be a finite
// number ≥ 0; errors name the file (name), line, column and expectation.
// A file without data rows is an error.
func ReadRequestTrace(name string, r io.Reader) ([]TraceRow, error) {
	return readTokenTrace(name, r, true)
}

// ReadLengthTrace reads a length-trace CSV: columns num_prefill_tokens and
// num_decode_tokens (e.g. Vidur's arxiv_summarization stats file), with the
// same rules as ReadRequestTrace. ArrivedAt is 0 in the result.
func ReadLengthTrace(name string, r io.Reader) ([]TraceRow, error) {
	return readTokenTrace(name, r, false)
}

func readTokenTrace(name string, r io.Reader, withArrival bool) ([]TraceRow, error) {
	want := []string{colPrefillTokens, colDecodeTokens}
	if withArrival {
		want = append([]string{colArrivedAt}, want...)
	}
	t, err := newCSVTable(name, r, want)
	if err != nil {
		return nil, err
	}
	var rows []TraceRow
	for {
		rec, line, err := t.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		var vals [3]float64
		for i := range want {
			v, err := t.number(rec, line, i)
			if err != nil {
				return nil, err
			}
			vals[i] = v
		}
		if withArrival {
			rows = append(rows, TraceRow{ArrivedAt: vals[0], PrefillTokens: vals[1], DecodeTokens: vals[2]})
		} else {
			rows = append(rows, TraceRow{PrefillTokens: vals[0], DecodeTokens: vals[1]})
		}
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("read %s: no data rows after the header", name)
	}
	return rows, nil
}

// ReadArrivalTrace reads the arrival_time column of an interval-trace CSV
// as datetimes ("2006-01-02 15:04:05" with optional fractional seconds, a
// "T" separator, a time zone offset or "Z"; naive times are UTC). Rows keep
// file order. A file without data rows is an error.
func ReadArrivalTrace(name string, r io.Reader) ([]time.Time, error) {
	t, err := newCSVTable(name, r, []string{colArrivalTime})
	if err != nil {
		return nil, err
	}
	var times []time.Time
	for {
		rec, line, err := t.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		field := strings.TrimSpace(rec[t.cols[0]])
		ts, ok := parseDatetime(field)
		if !ok {
			return nil, fmt.Errorf("read %s line %d: column %q: expected a datetime like \"1970-01-04 12:00:00\", got %q", name, line, colArrivalTime, field)
		}
		times = append(times, ts)
	}
	if len(times) == 0 {
		return nil, fmt.Errorf("read %s: no data rows after the header", name)
	}
	return times, nil
}

var datetimeLayouts = []string{
	"2006-01-02 15:04:05",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05Z07:00",
	time.RFC3339Nano,
	"2006-01-02 15:04",
	"2006-01-02",
}

// parseDatetime parses the datetime forms pandas.to_datetime commonly
// meets in traces. Fractional seconds are accepted after the seconds.
func parseDatetime(s string) (time.Time, bool) {
	for _, layout := range datetimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// readFile opens path and applies read to it.
func readFile[T any](path string, read func(string, io.Reader) (T, error)) (T, error) {
	f, err := os.Open(path)
	if err != nil {
		var zero T
		return zero, fmt.Errorf("read trace: %w", err)
	}
	defer f.Close()
	return read(path, f)
}

// csvTable reads a CSV whose columns are located by header name.
type csvTable struct {
	name string
	r    *csv.Reader
	want []string
	cols []int // index in the record of each wanted column
}

func newCSVTable(name string, r io.Reader, want []string) (*csvTable, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // checked per row with a clearer message
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("read %s: empty file: expected a header with columns %s", name, strings.Join(want, ","))
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: header: %w", name, err)
	}
	t := &csvTable{name: name, r: cr, want: want, cols: make([]int, len(want))}
	for i, w := range want {
		t.cols[i] = -1
		for j, h := range header {
			h = strings.TrimSpace(h)
			if j == 0 {
				h = strings.TrimPrefix(h, "\ufeff")
			}
			if h == w {
				t.cols[i] = j
				break
			}
		}
		if t.cols[i] < 0 {
			return nil, fmt.Errorf("read %s line 1: missing column %q (header has %s; expected columns %s)",
				name, w, strings.Join(header, ","), strings.Join(want, ","))
		}
	}
	return t, nil
}

// next returns the next record and its line number, io.EOF at the end.
func (t *csvTable) next() ([]string, int, error) {
	rec, err := t.r.Read()
	if err == io.EOF {
		return nil, 0, io.EOF
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, 0, fmt.Errorf("read %s line %d: malformed CSV: %w", t.name, pe.Line, pe.Err)
		}
		return nil, 0, fmt.Errorf("read %s: %w", t.name, err)
	}
	line, _ := t.r.FieldPos(0)
	for _, c := range t.cols {
		if c >= len(rec) {
			return nil, 0, fmt.Errorf("read %s line %d: row has %d fields, expected at least %d (column %q is field %d)",
				t.name, line, len(rec), c+1, t.want[indexOf(t.cols, c)], c+1)
		}
	}
	return rec, line, nil
}

// number parses wanted column i of rec as a finite number ≥ 0.
func (t *csvTable) number(rec []string, line, i int) (float64, error) {
	field := strings.TrimSpace(rec[t.cols[i]])
	v, err := strconv.ParseFloat(field, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("read %s line %d: column %q: expected a finite number ≥ 0, got %q", t.name, line, t.want[i], field)
	}
	if v < 0 {
		return 0, fmt.Errorf("read %s line %d: column %q: expected a number ≥ 0, got %v", t.name, line, t.want[i], v)
	}
	return v, nil
}

func indexOf(s []int, v int) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return 0
}
