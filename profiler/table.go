package profiler

import (
	"bufio"
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
)

// table reads a profile CSV record by record and turns field problems into
// *ParseError values that name the file, line and column.
type table struct {
	name   string
	header []string
	col    map[string]int
	cr     *csv.Reader
	rec    []string
	line   int // line of the current record's first field
}

// openTable starts reading r (plain or gzip, by content) and reads the
// header. A missing header is ErrEmpty.
func openTable(r io.Reader, name string) (*table, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	magic, _ := br.Peek(2)
	var src io.Reader = br
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, &ParseError{File: name, Err: fmt.Errorf("corrupt gzip stream: %w", err)}
		}
		src = zr
	}
	cr := csv.NewReader(src)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, &ParseError{File: name, Err: fmt.Errorf("empty file: %w", ErrEmpty)}
	}
	if err != nil {
		return nil, csvErr(name, cr, err)
	}
	t := &table{name: name, header: append([]string(nil), header...), col: make(map[string]int, len(header)), cr: cr}
	for i, h := range t.header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		t.header[i] = h
		if h == "" {
			continue // the unnamed index column pandas writes
		}
		if _, dup := t.col[h]; dup {
			return nil, &ParseError{File: name, Line: 1, Column: h, Err: errors.New("column appears twice in the header")}
		}
		t.col[h] = i
	}
	return t, nil
}

// csvErr converts an error from encoding/csv or the decompressor.
func csvErr(name string, cr *csv.Reader, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &ParseError{File: name, Line: pe.Line, Err: pe.Err}
	}
	line, _ := cr.FieldPos(0)
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) {
		return &ParseError{File: name, Line: line, Err: fmt.Errorf("corrupt or truncated gzip stream: %w", err)}
	}
	return &ParseError{File: name, Line: line, Err: err}
}

// next reads the next record; it returns false at the end of the file.
func (t *table) next() (bool, error) {
	rec, err := t.cr.Read()
	if err == io.EOF {
		return false, nil
	}
	if err != nil {
		return false, csvErr(t.name, t.cr, err)
	}
	t.rec = rec
	t.line, _ = t.cr.FieldPos(0)
	return true, nil
}

// require returns the indexes of the named columns, or an error naming the
// first missing one and listing all of them. kind names the profile kind for
// the message; when the header looks like another kind, the error says so.
func (t *table) require(kind string, names ...string) ([]int, error) {
	idx := make([]int, len(names))
	for i, n := range names {
		j, ok := t.col[n]
		if !ok {
			var err error = fmt.Errorf("missing; %s profile needs the columns %s", article(kind), strings.Join(names, ", "))
			if got, ok := DetectKind(t.header); ok && got != kind {
				err = fmt.Errorf("missing: %w", &WrongKindError{Want: kind, Got: got})
			}
			return nil, &ParseError{File: t.name, Line: 1, Column: n, Err: err}
		}
		idx[i] = j
	}
	return idx, nil
}

// fieldErr builds a ParseError for column i of the current record.
func (t *table) fieldErr(i int, err error) error {
	line, _ := t.cr.FieldPos(i)
	return &ParseError{File: t.name, Line: line, Column: t.header[i], Err: err}
}

// intField parses column i as an integer >= min. Integral floats such as
// "4096.0" (pandas writes them when a column held NaN) are accepted.
func (t *table) intField(i, min int) (int, error) {
	v, err := t.int64Field(i, int64(min))
	return int(v), err
}

func (t *table) int64Field(i int, min int64) (int64, error) {
	s := strings.TrimSpace(t.rec[i])
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			return 0, t.fieldErr(i, fmt.Errorf("%q is not an integer", t.rec[i]))
		}
		v = int64(f)
	}
	if v < min {
		return 0, t.fieldErr(i, fmt.Errorf("%d is out of range: expected an integer >= %d", v, min))
	}
	return v, nil
}

// boolField parses column i as a boolean ("True"/"False" as pandas writes).
func (t *table) boolField(i int) (bool, error) {
	b, err := strconv.ParseBool(strings.TrimSpace(t.rec[i]))
	if err != nil {
		return false, t.fieldErr(i, fmt.Errorf("%q is not a boolean: expected True or False", t.rec[i]))
	}
	return b, nil
}

// floatField parses column i as a finite number >= 0 (a time in ms).
func (t *table) floatField(i int) (float64, error) {
	s := strings.TrimSpace(t.rec[i])
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, t.fieldErr(i, fmt.Errorf("%q is not a number: expected a time in ms", t.rec[i]))
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, t.fieldErr(i, fmt.Errorf("%s is not a finite number: expected a time in ms", s))
	}
	if v < 0 {
		return 0, t.fieldErr(i, fmt.Errorf("negative time %s: expected a time >= 0 ms", s))
	}
	return v, nil
}

// opColumns are the column indexes of one operator's time_stats columns;
// -1 marks an absent stat.
type opColumns struct {
	name string
	idx  [5]int
}

const timeStatsPrefix = "time_stats."

// statIndex returns the position of stat in StatNames, or -1.
func statIndex(stat string) int {
	for i, s := range StatNames {
		if s == stat {
			return i
		}
	}
	return -1
}

// ops discovers the time_stats.<op>.<stat> columns of the header, ordered
// by first appearance. Each op must have a median column. Columns with an
// unknown stat suffix are ignored.
func (t *table) ops() ([]opColumns, error) {
	var out []opColumns
	pos := map[string]int{}
	for i, h := range t.header {
		rest, ok := strings.CutPrefix(h, timeStatsPrefix)
		if !ok {
			continue
		}
		dot := strings.LastIndexByte(rest, '.')
		if dot <= 0 {
			continue
		}
		op, stat := rest[:dot], rest[dot+1:]
		si := statIndex(stat)
		if si < 0 {
			continue
		}
		p, ok := pos[op]
		if !ok {
			p = len(out)
			pos[op] = p
			out = append(out, opColumns{name: op, idx: [5]int{-1, -1, -1, -1, -1}})
		}
		out[p].idx[si] = i
	}
	for _, o := range out {
		if o.idx[3] < 0 {
			return nil, &ParseError{File: t.name, Line: 1, Column: timeStatsPrefix + o.name + ".median",
				Err: fmt.Errorf("missing: the header has other time_stats.%s columns, and the median is the one the predictors use", o.name)}
		}
	}
	return out, nil
}

// stats parses one op's stats in the current record. A row in which all of
// the op's cells are empty does not measure the op (pandas writes NaN as an
// empty cell when files with different operators are concatenated): present
// is false then. A partially empty op is an error.
func (t *table) stats(o opColumns) (s Stats, present bool, err error) {
	empty, total := 0, 0
	for _, i := range o.idx {
		if i < 0 {
			continue
		}
		total++
		if strings.TrimSpace(t.rec[i]) == "" {
			empty++
		}
	}
	if empty == total {
		return Stats{}, false, nil
	}
	var v [5]float64
	for k, i := range o.idx {
		if i < 0 {
			continue
		}
		if v[k], err = t.floatField(i); err != nil {
			return Stats{}, false, err
		}
	}
	return Stats{Min: v[0], Max: v[1], Mean: v[2], Median: v[3], Std: v[4]}, true, nil
}

// requirePositiveMedian reports a zero median of an op the row measures.
func (t *table) requirePositiveMedian(o opColumns, s Stats, why string) error {
	if s.Median > 0 {
		return nil
	}
	return t.fieldErr(o.idx[3], fmt.Errorf("zero time: expected a median > 0 ms for %s", why))
}

// findOp returns the op named name, or false.
func findOp(ops []opColumns, name string) (opColumns, bool) {
	for _, o := range ops {
		if o.name == name {
			return o, true
		}
	}
	return opColumns{}, false
}

// openFile opens path for one of the Read* functions.
// readProfile opens path (the parser detects gzip by content)
// and parses it with parse, naming path in errors.
func readProfile[Row any](path string, parse func(io.Reader, string) ([]Row, error)) ([]Row, error) {
	f, err := openFile(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parse(f, path)
}

func openFile(path string) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read profile: %w", err)
	}
	return f, nil
}

// DetectKind guesses the profile kind of a CSV from its header: the
// time_stats.all_reduce/send_recv columns mark collectives, n_q_head and
// is_prefill (or attn_prefill timings) attention, num_tokens with
// n_expanded_embd the MLP profile, tensor_parallel_degree with model_name
// CPU overheads.
func DetectKind(header []string) (string, bool) {
	has := make(map[string]bool, len(header))
	ops := map[string]bool{}
	for _, h := range header {
		has[h] = true
		if rest, ok := strings.CutPrefix(h, timeStatsPrefix); ok {
			if dot := strings.LastIndexByte(rest, '.'); dot > 0 {
				ops[rest[:dot]] = true
			}
		}
	}
	switch {
	case ops["all_reduce"]:
		return KindAllReduce, true
	case ops["send_recv"]:
		return KindSendRecv, true
	case has["n_q_head"] && has["is_prefill"], ops["attn_prefill"], ops["attn_decode"]:
		return KindAttention, true
	case has["num_tokens"] && has["n_expanded_embd"], ops["mlp_up_proj"]:
		return KindMLP, true
	case has["tensor_parallel_degree"] && has["model_name"]:
		return KindCPUOverhead, true
	}
	return "", false
}

// sortedKeys returns the keys of m in increasing order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
