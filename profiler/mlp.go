package profiler

import (
	"fmt"
	"io"
)

// mlpKeyColumns are the non-time columns of mlp.csv in Vidur's order.
var mlpKeyColumns = []string{
	"n_head", "n_kv_head", "n_embd", "n_expanded_embd", "vocab_size",
	"use_gated_mlp", "num_tokens", "num_tensor_parallel_workers",
}

// ReadMLP reads an mlp.csv profile (plain or gzip) from path. See ParseMLP.
func ReadMLP(path string) ([]MLPRow, error) {
	return readProfile(path, ParseMLP)
}

// ParseMLP parses an mlp.csv profile from r; name identifies the input in
// errors. Required columns: mlpKeyColumns and a time_stats.<op>.median for
// every op in the header. Every count must be >= 1; times must be finite and
// >= 0, and the median of every op except emb (which Vidur does not model)
// must be > 0. Rows are returned in file order, duplicates included.
func ParseMLP(r io.Reader, name string) ([]MLPRow, error) {
	t, err := openTable(r, name)
	if err != nil {
		return nil, err
	}
	keys, err := t.require(KindMLP, mlpKeyColumns...)
	if err != nil {
		return nil, err
	}
	ops, err := t.ops()
	if err != nil {
		return nil, err
	}
	if len(ops) == 0 {
		return nil, &ParseError{File: name, Line: 1, Column: timeStatsPrefix + "mlp_up_proj.median",
			Err: fmt.Errorf("missing: an mlp profile needs time_stats.<op>.median columns for the ops %v", MLPOps)}
	}
	var rows []MLPRow
	for {
		ok, err := t.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		var row MLPRow
		ints := []*int{&row.NHead, &row.NKVHead, &row.NEmbd, &row.NExpandedEmbd, &row.VocabSize, nil, &row.NumTokens, &row.TP}
		for k, p := range ints {
			if p == nil {
				if row.UseGatedMLP, err = t.boolField(keys[k]); err != nil {
					return nil, err
				}
				continue
			}
			if *p, err = t.intField(keys[k], 1); err != nil {
				return nil, err
			}
		}
		row.Ops = make(map[string]Stats, len(ops))
		for _, o := range ops {
			s, present, err := t.stats(o)
			if err != nil {
				return nil, err
			}
			if !present {
				continue
			}
			if o.name != "emb" {
				if err := t.requirePositiveMedian(o, s, "an operator the row measures"); err != nil {
					return nil, err
				}
			}
			row.Ops[o.name] = s
		}
		if len(row.Ops) == 0 {
			return nil, &ParseError{File: name, Line: t.line, Err: fmt.Errorf("no operator timings: every time_stats cell is empty")}
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return nil, &ParseError{File: name, Err: fmt.Errorf("header only: %w", ErrEmpty)}
	}
	return rows, nil
}

// WriteMLP writes rows to path as an mlp.csv in Vidur's column order
// (time_stats columns of the ops present in any row, MLPOps order first,
// then the key columns), atomically, gzip-compressed when path ends in
// ".gz". An op missing from a row is written as empty cells.
func WriteMLP(path string, rows []MLPRow) error {
	return writeCSV(path, func(w *csvWriter) error { return encodeMLP(w, rows) })
}

func encodeMLP(w *csvWriter, rows []MLPRow) error {
	ops := opOrder(MLPOps, func(yield func(map[string]Stats)) {
		for i := range rows {
			yield(rows[i].Ops)
		}
	})
	header := statHeader(ops)
	header = append(header, mlpKeyColumns...)
	w.write(header)
	for _, r := range rows {
		rec := w.rec[:0]
		rec = appendStats(rec, ops, r.Ops)
		rec = append(rec, itoa(r.NHead), itoa(r.NKVHead), itoa(r.NEmbd), itoa(r.NExpandedEmbd),
			itoa(r.VocabSize), pyBool(r.UseGatedMLP), itoa(r.NumTokens), itoa(r.TP))
		w.write(rec)
	}
	return w.err()
}
