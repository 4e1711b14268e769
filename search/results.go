package search

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// ResultsFile is the default name of the results log in an output directory.
const ResultsFile = "results.jsonl"

// resultsVersion is the format version of results files (2: a probe that
// stopped early records its Stop as an object).
const resultsVersion = 2

// Shard selects the configurations with Index mod Count == Index of this
// shard. The zero value means "unsharded" and behaves like 0/1.
type Shard struct {
	Index int `json:"index"`
	Count int `json:"count"`
}

// ParseShard reads "i/N" with 0 ≤ i < N.
func ParseShard(s string) (Shard, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return Shard{}, fmt.Errorf("shard %q: want i/N with 0 ≤ i < N, e.g. 0/4", s)
	}
	return Shard{Index: i, Count: n}, nil
}

func (sh Shard) norm() Shard {
	if sh.Count == 0 {
		return Shard{0, 1}
	}
	return sh
}

// Has reports whether configuration index belongs to the shard.
func (sh Shard) Has(index int) bool {
	sh = sh.norm()
	return index%sh.Count == sh.Index
}

func (sh Shard) String() string {
	sh = sh.norm()
	return fmt.Sprintf("%d/%d", sh.Index, sh.Count)
}

// Header is the first line of a results file.
type Header struct {
	Version   int    `json:"version"`
	SpaceHash string `json:"space_hash"`
	// Space is the normalized space, so that a merge can report without
	// the original YAML.
	Space *Space `json:"space"`
	// Total is the number of configurations of the expansion.
	Total int   `json:"total"`
	Shard Shard `json:"shard"`
	// Evaluator describes the evaluation settings outside the space (e.g.
	// the predictor artifact directory); resuming or merging requires the
	// same description, so results of different predictors never mix.
	Evaluator string `json:"evaluator,omitempty"`
}

// resultsLine is one line of a results file: a header or a record.
type resultsLine struct {
	Header *Header `json:"header,omitempty"`
	Record *Record `json:"record,omitempty"`
}

// ReadResults reads a results file: its header and its records in file
// order. A final line cut short by an interruption (no newline, not valid
// JSON) is ignored; its byte offset is returned as goodSize so that a
// writer can truncate it. Any other malformed line is an error naming it.
func ReadResults(path string) (h *Header, recs []Record, goodSize int64, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, 0, err
	}
	lineNo := 0
	for off := 0; off < len(data); {
		lineNo++
		end := bytes.IndexByte(data[off:], '\n')
		complete := end >= 0
		if !complete {
			end = len(data) - off
		}
		line := data[off : off+end]
		var l resultsLine
		if jerr := json.Unmarshal(line, &l); jerr != nil || (l.Header == nil) == (l.Record == nil) {
			if !complete && lineNo > 1 {
				break // torn final write: ignore
			}
			if jerr == nil {
				jerr = errors.New(`want exactly one of "header" or "record"`)
			}
			return nil, nil, 0, fmt.Errorf("read %s line %d: %w", path, lineNo, jerr)
		}
		switch {
		case lineNo == 1 && l.Header == nil:
			return nil, nil, 0, fmt.Errorf("read %s line 1: not a results file (no header)", path)
		case lineNo == 1:
			h = l.Header
			if err := checkHeader(h); err != nil {
				return nil, nil, 0, fmt.Errorf("read %s line 1: %w", path, err)
			}
		case l.Header != nil:
			return nil, nil, 0, fmt.Errorf("read %s line %d: second header", path, lineNo)
		default:
			r := *l.Record
			if r.Point.Index < 0 || r.Point.Index >= h.Total {
				return nil, nil, 0, fmt.Errorf("read %s line %d: configuration index %d outside [0, %d)", path, lineNo, r.Point.Index, h.Total)
			}
			if n := btoi(r.Capacity != nil) + btoi(r.Infeasible != "") + btoi(r.Error != ""); n != 1 {
				return nil, nil, 0, fmt.Errorf("read %s line %d: record %s needs exactly one of capacity, error, infeasible", path, lineNo, r.Point.ID)
			}
			if err := checkCapacity(r.Capacity); err != nil {
				return nil, nil, 0, fmt.Errorf("read %s line %d: record %s: %w", path, lineNo, r.Point.ID, err)
			}
			recs = append(recs, r)
		}
		off += end
		if complete {
			off++
		}
		goodSize = int64(off)
	}
	if h == nil {
		return nil, nil, 0, fmt.Errorf("read %s: empty results file", path)
	}
	return h, recs, goodSize, nil
}

// checkCapacity checks what the report relies on in a capacity record
// (nil is fine): a finite, non-negative capacity whose probe at that rate
// is present with one value per quantile and completed requests.
func checkCapacity(c *Capacity) error {
	if c == nil {
		return nil
	}
	switch {
	case !(c.QPS >= 0) || math.IsInf(c.QPS, 0):
		return fmt.Errorf("capacity %v QPS, want a finite rate ≥ 0", c.QPS)
	case c.QPS == 0:
		return nil
	case c.At == nil:
		return fmt.Errorf("capacity %v QPS without the probe at that rate (\"at\")", c.QPS)
	case c.At.QPS != c.QPS:
		return fmt.Errorf("capacity %v QPS but its probe (\"at\") ran at %v QPS", c.QPS, c.At.QPS)
	}
	if err := checkOutcome(c.At.Outcome, c.Quantiles); err != nil {
		return fmt.Errorf("probe at capacity: %w", err)
	}
	return nil
}

func checkHeader(h *Header) error {
	switch {
	case h.Version != resultsVersion:
		return fmt.Errorf("results format version %d, this build reads %d", h.Version, resultsVersion)
	case h.Space == nil:
		return errors.New("header has no space")
	case h.Space.Hash() != h.SpaceHash:
		return fmt.Errorf("header space hashes to %s, not the recorded %s (edited file?)", h.Space.Hash(), h.SpaceHash)
	case h.Total < 0:
		return fmt.Errorf("negative total %d", h.Total)
	}
	sh := h.Shard.norm()
	if sh.Count < 1 || sh.Index < 0 || sh.Index >= sh.Count {
		return fmt.Errorf("invalid shard %d/%d", h.Shard.Index, h.Shard.Count)
	}
	return nil
}

// resultsWriter appends records to a results file, syncing each.
type resultsWriter struct {
	mu   sync.Mutex
	f    *os.File
	path string
}

// openResults opens path for appending records under header h. When the
// file exists and resume is true, its records are returned (so the caller
// skips them) after checking that it was written for the same space and
// shard; a torn last line is cut off. Otherwise the file is created afresh.
func openResults(path string, h *Header, resume bool) (*resultsWriter, []Record, error) {
	if _, err := os.Stat(path); err == nil && resume {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			return nil, nil, err
		}
		if err := lockResults(f); err != nil {
			f.Close()
			return nil, nil, err
		}
		old, recs, good, err := ReadResults(path)
		if err != nil {
			f.Close()
			return nil, nil, err
		}
		var mismatch error
		switch {
		case old.SpaceHash != h.SpaceHash:
			mismatch = fmt.Errorf("%s was written for a different search space (hash %s, this space is %s): use another output directory, or --resume=false to start over", path, old.SpaceHash, h.SpaceHash)
		case old.Evaluator != h.Evaluator:
			mismatch = fmt.Errorf("%s was written with other evaluation settings (%q, now %q): use another output directory, or --resume=false to start over", path, old.Evaluator, h.Evaluator)
		case old.Shard.norm() != h.Shard.norm():
			mismatch = fmt.Errorf("%s holds shard %s, not %s: use another output directory", path, old.Shard, h.Shard)
		case old.Total != h.Total:
			mismatch = fmt.Errorf("%s expands to %d configurations, this space to %d (catalog or predictors changed?): use --resume=false to start over", path, old.Total, h.Total)
		}
		if mismatch != nil {
			f.Close()
			return nil, nil, mismatch
		}
		if err := f.Truncate(good); err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("repair %s: %w", path, err)
		}
		return &resultsWriter{f: f, path: path}, recs, nil
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, nil, err
	}
	if err := lockResults(f); err != nil {
		f.Close()
		return nil, nil, err
	}
	if err := f.Truncate(0); err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("truncate %s: %w", path, err)
	}
	w := &resultsWriter{f: f, path: path}
	if err := w.write(resultsLine{Header: h}); err != nil {
		f.Close()
		return nil, nil, err
	}
	return w, nil, nil
}

func (w *resultsWriter) write(l resultsLine) error {
	b, err := json.Marshal(l)
	if err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, err := w.f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("append to %s: %w", w.path, err)
	}
	if err := w.f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", w.path, err)
	}
	return nil
}

// Append writes one record and syncs the file.
func (w *resultsWriter) Append(r Record) error { return w.write(resultsLine{Record: &r}) }

func (w *resultsWriter) Close() error { return w.f.Close() }

// Merge reads results files (shards of one search, or one unsharded file)
// and returns their space and the union of their records, ordered by
// configuration index. It fails when the files come from different spaces,
// when two files disagree about a configuration, or when configurations are
// missing (naming them and the shards they belong to).
func Merge(paths []string) (*Space, []Record, error) {
	if len(paths) == 0 {
		return nil, nil, errors.New("merge: no results files")
	}
	var first *Header
	byIndex := map[int]Record{}
	from := map[int]string{}
	for _, p := range paths {
		h, recs, _, err := ReadResults(p)
		if err != nil {
			return nil, nil, err
		}
		if first == nil {
			first = h
		} else if h.SpaceHash != first.SpaceHash || h.Total != first.Total {
			return nil, nil, fmt.Errorf("merge: %s is from space %s (%d configurations), %s from space %s (%d)", p, h.SpaceHash, h.Total, paths[0], first.SpaceHash, first.Total)
		} else if h.Evaluator != first.Evaluator {
			return nil, nil, fmt.Errorf("merge: %s was evaluated with %q, %s with %q", p, h.Evaluator, paths[0], first.Evaluator)
		}
		for _, r := range recs {
			if old, ok := byIndex[r.Point.Index]; ok {
				a, _ := json.Marshal(old)
				b, _ := json.Marshal(r)
				if !bytes.Equal(a, b) {
					return nil, nil, fmt.Errorf("merge: configuration %d (%s) differs between %s and %s", r.Point.Index, r.Point.ID, from[r.Point.Index], p)
				}
				continue
			}
			byIndex[r.Point.Index] = r
			from[r.Point.Index] = p
		}
	}
	var missing []int
	recs := make([]Record, 0, first.Total)
	for i := 0; i < first.Total; i++ {
		r, ok := byIndex[i]
		if !ok {
			missing = append(missing, i)
			continue
		}
		recs = append(recs, r)
	}
	if len(missing) > 0 {
		return nil, nil, fmt.Errorf("merge: %d of %d configurations missing (%s)%s", len(missing), first.Total, listInts(missing, 10), missingShards(missing, first.Shard))
	}
	return first.Space, recs, nil
}

func missingShards(missing []int, sh Shard) string {
	sh = sh.norm()
	if sh.Count == 1 {
		return "; the search did not finish: resume it"
	}
	seen := map[int]bool{}
	var shards []int
	for _, i := range missing {
		if s := i % sh.Count; !seen[s] {
			seen[s] = true
			shards = append(shards, s)
		}
	}
	var names []string
	sort.Ints(shards)
	for _, s := range shards {
		names = append(names, fmt.Sprintf("%d/%d", s, sh.Count))
	}
	return "; unfinished or missing shards: " + strings.Join(names, ", ")
}

func listInts(v []int, max int) string {
	var parts []string
	for i, x := range v {
		if i == max {
			parts = append(parts, fmt.Sprintf("… %d more", len(v)-max))
			break
		}
		parts = append(parts, strconv.Itoa(x))
	}
	return strings.Join(parts, ", ")
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
