package profiler

import (
	"fmt"
	"io"
	"strings"
)

// cpuOverheadKeyColumns are the non-value columns of cpu_overheads.csv.
var cpuOverheadKeyColumns = []string{"model_name", "batch_size", "tensor_parallel_degree"}

// CPUOverheadTargets are the value columns Vidur's CPU-overhead predictors
// train on (spec §9.1); a cpu_overheads.csv must have all of them.
var CPUOverheadTargets = []string{
	"schedule_median", "sampler_e2e_median", "prepare_inputs_e2e_median",
	"process_model_outputs_median", "ray_comm_time_mean",
}

// ReadCPUOverhead reads a cpu_overheads.csv profile (plain or gzip) from
// path. See ParseCPUOverhead.
func ReadCPUOverhead(path string) ([]CPUOverheadRow, error) {
	return readProfile(path, ParseCPUOverhead)
}

// ParseCPUOverhead parses a CPU-overhead profile from r; name identifies
// the input in errors. Required: cpuOverheadKeyColumns and
// CPUOverheadTargets. Every column named <op>_mean or <op>_median is read
// into Values and must be a finite time >= 0 ms; model_name must be
// non-empty and batch_size, tensor_parallel_degree >= 1. Other columns (the
// unnamed index) are ignored.
func ParseCPUOverhead(r io.Reader, name string) ([]CPUOverheadRow, error) {
	t, err := openTable(r, name)
	if err != nil {
		return nil, err
	}
	keys, err := t.require(KindCPUOverhead, cpuOverheadKeyColumns...)
	if err != nil {
		return nil, err
	}
	if _, err := t.require(KindCPUOverhead, CPUOverheadTargets...); err != nil {
		return nil, err
	}
	var valueCols []int
	for i, h := range t.header {
		if strings.HasSuffix(h, "_mean") || strings.HasSuffix(h, "_median") {
			valueCols = append(valueCols, i)
		}
	}
	var rows []CPUOverheadRow
	for {
		ok, err := t.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		var row CPUOverheadRow
		row.ModelName = strings.TrimSpace(t.rec[keys[0]])
		if row.ModelName == "" {
			return nil, t.fieldErr(keys[0], fmt.Errorf("empty: expected a model name such as meta-llama/Llama-2-7b-hf"))
		}
		if row.BatchSize, err = t.intField(keys[1], 1); err != nil {
			return nil, err
		}
		if row.TP, err = t.intField(keys[2], 1); err != nil {
			return nil, err
		}
		row.Values = make(map[string]float64, len(valueCols))
		for _, i := range valueCols {
			if row.Values[t.header[i]], err = t.floatField(i); err != nil {
				return nil, err
			}
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return nil, &ParseError{File: name, Err: fmt.Errorf("header only: %w", ErrEmpty)}
	}
	return rows, nil
}

// WriteCPUOverhead writes rows to path as a cpu_overheads.csv: a leading
// unnamed index column, the value columns of all rows sorted by name
// (ray_comm_time_mean last), then model_name, batch_size,
// tensor_parallel_degree; atomically, gzip-compressed when path ends in
// ".gz". A value missing from a row is written as an empty cell.
func WriteCPUOverhead(path string, rows []CPUOverheadRow) error {
	return writeCSV(path, func(w *csvWriter) error { return encodeCPUOverhead(w, rows) })
}

func encodeCPUOverhead(w *csvWriter, rows []CPUOverheadRow) error {
	seen := map[string]bool{}
	for _, r := range rows {
		for k := range r.Values {
			if !strings.HasSuffix(k, "_mean") && !strings.HasSuffix(k, "_median") {
				return fmt.Errorf("value %q: expected a name ending in _mean or _median", k)
			}
			seen[k] = true
		}
	}
	delete(seen, "ray_comm_time_mean")
	cols := sortedKeys(seen)
	cols = append(cols, "ray_comm_time_mean")
	header := append([]string{""}, cols...)
	w.write(append(header, cpuOverheadKeyColumns...))
	for i, r := range rows {
		rec := append(w.rec[:0], itoa(i))
		for _, c := range cols {
			v, ok := r.Values[c]
			if !ok {
				rec = append(rec, "")
				continue
			}
			rec = append(rec, pyFloat(v))
		}
		w.write(append(rec, r.ModelName, itoa(r.BatchSize), itoa(r.TP)))
	}
	return w.err()
}
