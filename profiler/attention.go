package profiler

import (
	"fmt"
	"io"
	"strings"
)

// attentionKeyColumns are the non-time columns of attention.csv in Vidur's order.
var attentionKeyColumns = []string{
	"n_embd", "n_q_head", "n_kv_head", "block_size", "num_tensor_parallel_workers",
	"max_model_len", "batch_size", "prefill_chunk_size", "kv_cache_size", "is_prefill",
	"attention_backend",
}

// ReadAttention reads an attention.csv profile (plain or gzip) from path.
// See ParseAttention.
func ReadAttention(path string) ([]AttentionRow, error) {
	return readProfile(path, ParseAttention)
}

// ParseAttention parses an attention.csv profile from r; name identifies
// the input in errors. Required: attentionKeyColumns and
// time_stats.attn_prefill.median and time_stats.attn_decode.median (plus a
// median for every other op in the header). Shape counts must be >= 1,
// prefill_chunk_size and kv_cache_size >= 0, and is_prefill must agree with
// prefill_chunk_size > 0 (Vidur's is_decode is prefill_chunk_size == 0).
// Times must be finite and >= 0; a prefill row needs attn_prefill median > 0
// and a decode row attn_decode median > 0 (the other is 0 in Vidur's files).
func ParseAttention(r io.Reader, name string) ([]AttentionRow, error) {
	t, err := openTable(r, name)
	if err != nil {
		return nil, err
	}
	keys, err := t.require(KindAttention, attentionKeyColumns...)
	if err != nil {
		return nil, err
	}
	ops, err := t.ops()
	if err != nil {
		return nil, err
	}
	prefillOp, ok1 := findOp(ops, "attn_prefill")
	decodeOp, ok2 := findOp(ops, "attn_decode")
	if !ok1 || !ok2 {
		missing := "attn_prefill"
		if ok1 {
			missing = "attn_decode"
		}
		return nil, &ParseError{File: name, Line: 1, Column: timeStatsPrefix + missing + ".median",
			Err: fmt.Errorf("missing: an attention profile needs time_stats.<op>.median for attn_prefill and attn_decode")}
	}
	var rows []AttentionRow
	for {
		ok, err := t.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		var row AttentionRow
		ints := []*int{&row.NEmbd, &row.NQHead, &row.NKVHead, &row.BlockSize, &row.TP, &row.MaxModelLen, &row.BatchSize, &row.PrefillChunkSize, &row.KVCacheSize}
		for k, p := range ints {
			min := 1
			if k >= 7 {
				min = 0
			}
			if *p, err = t.intField(keys[k], min); err != nil {
				return nil, err
			}
		}
		if row.IsPrefill, err = t.boolField(keys[9]); err != nil {
			return nil, err
		}
		if row.IsPrefill != (row.PrefillChunkSize > 0) {
			return nil, t.fieldErr(keys[9], fmt.Errorf("is_prefill is %s but prefill_chunk_size is %d: expected True exactly when prefill_chunk_size > 0",
				pyBool(row.IsPrefill), row.PrefillChunkSize))
		}
		row.Backend = strings.TrimSpace(t.rec[keys[10]])
		row.Ops = make(map[string]Stats, len(ops))
		for _, o := range ops {
			s, present, err := t.stats(o)
			if err != nil {
				return nil, err
			}
			if present {
				row.Ops[o.name] = s
			}
		}
		measured, why := decodeOp, "a decode row (prefill_chunk_size 0)"
		if row.IsPrefill {
			measured, why = prefillOp, "a prefill row"
		}
		s, present := row.Ops[measured.name]
		if !present {
			return nil, t.fieldErr(measured.idx[3], fmt.Errorf("empty: expected the %s time of %s", measured.name, why))
		}
		if err := t.requirePositiveMedian(measured, s, why); err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return nil, &ParseError{File: name, Err: fmt.Errorf("header only: %w", ErrEmpty)}
	}
	return rows, nil
}

// WriteAttention writes rows to path as an attention.csv in Vidur's column
// order, atomically, gzip-compressed when path ends in ".gz".
func WriteAttention(path string, rows []AttentionRow) error {
	return writeCSV(path, func(w *csvWriter) error { return encodeAttention(w, rows) })
}

func encodeAttention(w *csvWriter, rows []AttentionRow) error {
	ops := opOrder(AttentionOps, func(yield func(map[string]Stats)) {
		for i := range rows {
			yield(rows[i].Ops)
		}
	})
	header := statHeader(ops)
	header = append(header, attentionKeyColumns...)
	w.write(header)
	for _, r := range rows {
		rec := w.rec[:0]
		rec = appendStats(rec, ops, r.Ops)
		rec = append(rec, itoa(r.NEmbd), itoa(r.NQHead), itoa(r.NKVHead), itoa(r.BlockSize), itoa(r.TP),
			itoa(r.MaxModelLen), itoa(r.BatchSize), itoa(r.PrefillChunkSize), itoa(r.KVCacheSize),
			pyBool(r.IsPrefill), r.Backend)
		w.write(rec)
	}
	return w.err()
}
