package profiler

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// collectiveKeyColumns are the non-time columns of all_reduce.csv and
// send_recv.csv in Vidur's order (after the unnamed index column).
var collectiveKeyColumns = []string{"rank", "num_workers", "size", "collective", "devices_per_node", "max_devices_per_node"}

// ReadCollective reads an all_reduce.csv or send_recv.csv profile (plain or
// gzip) from path. See ParseCollective.
func ReadCollective(path string) ([]CollectiveRow, error) {
	return readProfile(path, ParseCollective)
}

// ParseCollective parses a collective profile from r; name identifies the
// input in errors. Required: collectiveKeyColumns and
// time_stats.<collective>.median, where <collective> is the value of the
// collective column of every row (all_reduce or send_recv). The leading
// unnamed index column is ignored. rank >= 0, num_workers, size (bytes),
// devices_per_node and max_devices_per_node >= 1; the median must be > 0.
func ParseCollective(r io.Reader, name string) ([]CollectiveRow, error) {
	t, err := openTable(r, name)
	if err != nil {
		return nil, err
	}
	kind, _ := DetectKind(t.header)
	if kind != KindAllReduce && kind != KindSendRecv {
		kind = "all_reduce or send_recv"
	}
	keys, err := t.require(kind, collectiveKeyColumns...)
	if err != nil {
		return nil, err
	}
	ops, err := t.ops()
	if err != nil {
		return nil, err
	}
	if len(ops) == 0 {
		return nil, &ParseError{File: name, Line: 1, Column: "time_stats.all_reduce.median",
			Err: fmt.Errorf("missing: a collective profile needs time_stats.all_reduce.* or time_stats.send_recv.* columns")}
	}
	var rows []CollectiveRow
	for {
		ok, err := t.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		var row CollectiveRow
		if row.Rank, err = t.intField(keys[0], 0); err != nil {
			return nil, err
		}
		if row.NumWorkers, err = t.intField(keys[1], 1); err != nil {
			return nil, err
		}
		if row.SizeBytes, err = t.int64Field(keys[2], 1); err != nil {
			return nil, err
		}
		row.Collective = strings.TrimSpace(t.rec[keys[3]])
		if row.DevicesPerNode, err = t.intField(keys[4], 1); err != nil {
			return nil, err
		}
		if row.MaxDevicesPerNode, err = t.intField(keys[5], 1); err != nil {
			return nil, err
		}
		o, ok := findOp(ops, row.Collective)
		if !ok {
			return nil, t.fieldErr(keys[3], fmt.Errorf("%q has no time_stats.%s.* columns in the header: expected one of %s",
				row.Collective, row.Collective, opNames(ops)))
		}
		s, present, err := t.stats(o)
		if err != nil {
			return nil, err
		}
		if !present {
			return nil, t.fieldErr(o.idx[3], fmt.Errorf("empty: expected the %s time", row.Collective))
		}
		if err := t.requirePositiveMedian(o, s, "the collective"); err != nil {
			return nil, err
		}
		row.Stats = s
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return nil, &ParseError{File: name, Err: fmt.Errorf("header only: %w", ErrEmpty)}
	}
	return rows, nil
}

func opNames(ops []opColumns) string {
	names := make([]string, len(ops))
	for i, o := range ops {
		names[i] = o.name
	}
	return strings.Join(names, ", ")
}

// WriteCollective writes rows to path in Vidur's collective CSV layout (a
// leading unnamed index column, time_stats.<collective>.*, then the key
// columns), atomically, gzip-compressed when path ends in ".gz". All rows
// must have the same Collective.
func WriteCollective(path string, rows []CollectiveRow) error {
	return writeCSV(path, func(w *csvWriter) error { return encodeCollective(w, rows) })
}

func encodeCollective(w *csvWriter, rows []CollectiveRow) error {
	if len(rows) == 0 {
		return fmt.Errorf("no rows to write")
	}
	c := rows[0].Collective
	if c == "" || strings.ContainsAny(c, ".,\"\n") {
		return fmt.Errorf("collective name %q: expected all_reduce or send_recv", c)
	}
	for i, r := range rows {
		if r.Collective != c {
			return fmt.Errorf("row %d is %s but row 0 is %s: a collective file holds one collective", i, r.Collective, c)
		}
	}
	header := append([]string{""}, statHeader([]string{c})...)
	w.write(append(header, collectiveKeyColumns...))
	for i, r := range rows {
		s := r.Stats
		w.write(append(w.rec[:0], itoa(i), pyFloat(s.Min), pyFloat(s.Max), pyFloat(s.Mean), pyFloat(s.Median), pyFloat(s.Std),
			itoa(r.Rank), itoa(r.NumWorkers), strconv.FormatInt(r.SizeBytes, 10), c, itoa(r.DevicesPerNode), itoa(r.MaxDevicesPerNode)))
	}
	return w.err()
}
