package profiler

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ImportOptions control ImportFile and ImportTree.
type ImportOptions struct {
	// SKU, Node and Model, when set, override what is inferred from the
	// source path (compute/<sku>/<org>/<model>/..., network/<node>/...,
	// cpu_overhead/<node>/<org>/<model>/...). They are needed for files that
	// do not sit in such a tree.
	SKU, Node, Model string
	// Synthetic marks every imported profile as synthetic (not measured).
	// Files under a directory named "synthetic" are marked regardless.
	Synthetic bool
	// Now is the clock for manifests' Created time; nil means time.Now.
	Now func() time.Time
}

// Import statuses.
const (
	StatusImported  = "imported"  // new in the store
	StatusUpdated   = "updated"   // replaced a stored profile with different bytes
	StatusUnchanged = "unchanged" // the same bytes were already stored
	StatusSkipped   = "skipped"   // deliberately not imported (Reason says why)
	StatusFailed    = "failed"    // invalid or unreadable (Err says why)
)

// ImportResult is the outcome of importing one file.
type ImportResult struct {
	// Source is the file imported, as given.
	Source string
	// Kind, SKU, Node, Model identify the profile ("" when unknown).
	Kind, SKU, Node, Model string
	// Path is the stored file relative to the store root ("" unless stored).
	Path string
	// Rows is the number of data rows.
	Rows int
	// Status is one of the Status* constants; Reason explains a skip or
	// notes something worth knowing about an import; Err is set on failure.
	Status string
	Reason string
	Err    error
	// Synthetic reports how the profile was marked.
	Synthetic bool
	// ExactDuplicates counts rows identical to an earlier row in every
	// parsed column (Vidur's drop_duplicates() drops them before training);
	// RepeatedKeys counts rows repeating an earlier row's input columns with
	// different timings (repeated measurements; Vidur trains on all of them).
	ExactDuplicates, RepeatedKeys int
}

// ImportTree imports every profile file under src, which may be a Vidur
// data/profiling tree (compute/, network/, cpu_overhead/ below it) or any
// directory inside one, or a single file. Files are visited in lexical
// order. Files with a profile name (mlp.csv, attention.csv, all_reduce.csv,
// send_recv.csv, cpu_overheads.csv, cpu_overhead.csv, each optionally .gz)
// are imported; other .csv and .csv.gz files are reported as skipped; other
// files are ignored. Each file is all-or-nothing: a file that fails to
// parse leaves the store untouched and is reported with StatusFailed, and
// the others are still imported. The error is non-nil only when src cannot
// be walked.
func (s *Store) ImportTree(src string, opts ImportOptions) ([]ImportResult, error) {
	st, err := os.Stat(src)
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	if !st.IsDir() {
		r, _ := s.ImportFile(src, opts)
		return []ImportResult{r}, nil
	}
	var files []string
	err = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != src && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		files = append(files, p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", src, err)
	}
	sort.Strings(files)
	var out []ImportResult
	for _, p := range files {
		name := filepath.Base(p)
		if _, ok := kindOfFileName(name); !ok {
			if strings.HasSuffix(name, ".csv") || strings.HasSuffix(name, ".csv.gz") {
				out = append(out, ImportResult{Source: p, Status: StatusSkipped,
					Reason: "not a profile file name (mlp, attention, all_reduce, send_recv, cpu_overheads .csv)"})
			}
			continue
		}
		r, _ := s.importFile(p, opts, false)
		out = append(out, r)
	}
	return out, nil
}

// ImportFile validates the profile file src by parsing it fully and copies
// its bytes unchanged (plain or gzip) into the store with a manifest. The
// kind comes from the file name (or, for a file with another name, from its
// header) and must agree with the header, else the file is skipped. The
// identity comes from opts or from the path. Importing the same bytes again
// reports StatusUnchanged and writes nothing. The returned error is the
// result's Err (non-nil only for StatusFailed).
func (s *Store) ImportFile(src string, opts ImportOptions) (ImportResult, error) {
	return s.importFile(src, opts, true)
}

func (s *Store) importFile(src string, opts ImportOptions, explicit bool) (ImportResult, error) {
	res := ImportResult{Source: src}
	fail := func(err error) (ImportResult, error) {
		res.Status, res.Err = StatusFailed, err
		return res, err
	}
	data, err := os.ReadFile(src)
	if err != nil {
		return fail(fmt.Errorf("import: %w", err))
	}
	t, err := openTable(bytes.NewReader(data), src)
	if err != nil {
		return fail(err)
	}
	headerKind, headerOK := DetectKind(t.header)
	nameKind, nameOK := kindOfFileName(filepath.Base(src))
	switch {
	case nameOK && headerOK && nameKind != headerKind:
		res.Kind, res.Status = nameKind, StatusSkipped
		res.Reason = fmt.Sprintf("mis-named: the file name says %s but the header is %s profile", nameKind, article(headerKind))
		return res, nil
	case nameOK:
		res.Kind = nameKind
	case explicit && headerOK:
		res.Kind = headerKind
		res.Reason = "kind taken from the header"
	default:
		return fail(fmt.Errorf("import %s: cannot tell the profile kind from the file name or the header", src))
	}

	abs, err := filepath.Abs(src)
	if err != nil {
		return fail(err)
	}
	res.SKU, res.Node, res.Model = inferIdentity(res.Kind, abs)
	if opts.SKU != "" {
		res.SKU = opts.SKU
	}
	if opts.Node != "" {
		res.Node = opts.Node
	}
	if opts.Model != "" {
		res.Model = opts.Model
	}
	if err := checkIdentity(res.Kind, res.SKU, res.Node, res.Model); err != nil {
		return fail(fmt.Errorf("import %s: %w", src, err))
	}
	res.Synthetic = opts.Synthetic || underSynthetic(abs)

	gz := len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b
	dest, err := s.PathFor(res.Kind, res.SKU, res.Node, res.Model, gz)
	if err != nil {
		return fail(fmt.Errorf("import %s: %w", src, err))
	}
	rel, _ := filepath.Rel(s.Root, dest)
	res.Path = filepath.ToSlash(rel)
	sum := sha256.Sum256(data)
	if old, ok := s.unchanged(dest, hex.EncodeToString(sum[:]), res.Kind, res.Synthetic); ok {
		// These bytes were validated when they were stored.
		res.Status, res.Rows = StatusUnchanged, old.Rows
		res.ExactDuplicates, _ = strconv.Atoi(old.Extra["exact_duplicate_rows"])
		res.RepeatedKeys, _ = strconv.Atoi(old.Extra["repeated_key_rows"])
		return res, nil
	}
	n, exact, repeated, err := parseForImport(res.Kind, data, src)
	if err != nil {
		return fail(err)
	}
	res.Rows, res.ExactDuplicates, res.RepeatedKeys = n, exact, repeated
	m := Manifest{
		Kind: res.Kind, Source: abs, SHA256: hex.EncodeToString(sum[:]), Rows: n,
		SKU: res.SKU, Node: res.Node, Model: res.Model,
		Synthetic: res.Synthetic, Measured: !res.Synthetic, Method: "vidur-csv-import",
	}
	if exact > 0 || repeated > 0 {
		m.Extra = map[string]string{
			"exact_duplicate_rows": strconv.Itoa(exact),
			"repeated_key_rows":    strconv.Itoa(repeated),
		}
	}
	status, err := s.put(dest, data, m, opts.Now)
	if err != nil {
		return fail(err)
	}
	res.Status = status
	return res, nil
}

// put stores data at dest with manifest m (SHA256 already set) unless the
// same bytes with the same marking are already there; it removes the other
// compression variant of the same profile. It returns the status.
func (s *Store) put(dest string, data []byte, m Manifest, now func() time.Time) (string, error) {
	other := strings.TrimSuffix(dest, ".gz")
	if other == dest {
		other = dest + ".gz"
	}
	if _, ok := s.unchanged(dest, m.SHA256, m.Kind, m.Synthetic); ok {
		return StatusUnchanged, nil
	}
	status := StatusImported
	if _, err := os.Stat(dest + ManifestSuffix); err == nil {
		status = StatusUpdated
	} else if _, err := os.Stat(other); err == nil {
		status = StatusUpdated
	}
	if now == nil {
		now = time.Now
	}
	m.Created = now().UTC().Truncate(time.Second)
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return "", fmt.Errorf("store %s: %w", dest, err)
	}
	// Remove the stale manifest first so that a crash between the two
	// writes leaves a profile without a manifest (reported by Profiles)
	// rather than a manifest describing other bytes.
	if err := os.Remove(dest + ManifestSuffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("store %s: %w", dest, err)
	}
	if err := atomicWrite(dest, data); err != nil {
		return "", err
	}
	if err := writeManifest(dest, m); err != nil {
		return "", err
	}
	for _, p := range []string{other + ManifestSuffix, other} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("store: remove stale %s: %w", p, err)
		}
	}
	return status, nil
}

// unchanged reports whether dest already holds bytes with hex SHA-256 sum
// as a profile of kind with the same synthetic mark; it returns the stored
// manifest.
func (s *Store) unchanged(dest, sum, kind string, synthetic bool) (Manifest, bool) {
	old, err := ReadManifest(dest + ManifestSuffix)
	if err != nil || old.SHA256 != sum || old.Kind != kind || old.Synthetic != synthetic {
		return Manifest{}, false
	}
	return old, fileSHA(dest) == sum
}

// fileSHA returns the hex SHA-256 of a file, or "" if it cannot be read.
func fileSHA(p string) string {
	b, err := os.ReadFile(p)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// underSynthetic reports whether any directory of abs is named "synthetic".
func underSynthetic(abs string) bool {
	for _, c := range strings.Split(filepath.ToSlash(filepath.Dir(abs)), "/") {
		if c == "synthetic" {
			return true
		}
	}
	return false
}

// inferIdentity reads sku, node and model from a path laid out like
// Vidur's data/profiling tree. Missing parts are returned empty.
func inferIdentity(kind, abs string) (sku, node, model string) {
	c := strings.Split(filepath.ToSlash(abs), "/")
	last := len(c) - 1 // the file name
	find := func(root string, depth int) int {
		i := last - depth
		if i >= 0 && c[i] == root {
			return i
		}
		return -1
	}
	switch kind {
	case KindMLP, KindAttention:
		if i := find("compute", 4); i >= 0 {
			return c[i+1], "", c[i+2] + "/" + c[i+3]
		}
	case KindAllReduce, KindSendRecv:
		if i := find("network", 2); i >= 0 {
			return "", c[i+1], ""
		}
	case KindCPUOverhead:
		if i := find("cpu_overhead", 4); i >= 0 {
			return "", c[i+1], c[i+2] + "/" + c[i+3]
		}
	}
	return "", "", ""
}

// checkIdentity says which identity flag a kind still needs.
func checkIdentity(kind, sku, node, model string) error {
	var missing []string
	switch kind {
	case KindMLP, KindAttention:
		if sku == "" {
			missing = append(missing, "--sku")
		}
		if model == "" {
			missing = append(missing, "--model")
		}
	case KindAllReduce, KindSendRecv:
		if node == "" {
			missing = append(missing, "--node")
		}
	case KindCPUOverhead:
		if node == "" {
			missing = append(missing, "--node")
		}
		if model == "" {
			missing = append(missing, "--model")
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("cannot tell the %s profile's identity from its path (expected %s): pass %s",
			kind, layoutOf(kind), strings.Join(missing, " and "))
	}
	return nil
}

func layoutOf(kind string) string {
	switch kind {
	case KindMLP, KindAttention:
		return "compute/<sku>/<org>/<model>/" + FileName(kind)
	case KindAllReduce, KindSendRecv:
		return "network/<node>/" + FileName(kind)
	}
	return "cpu_overhead/<node>/<org>/<model>/cpu_overheads.csv"
}

// parseForImport parses data as kind and counts duplicate rows.
func parseForImport(kind string, data []byte, name string) (rows, exact, repeated int, err error) {
	r := bytes.NewReader(data)
	var keys, sigs []string
	switch kind {
	case KindMLP:
		rs, err := ParseMLP(r, name)
		if err != nil {
			return 0, 0, 0, err
		}
		for _, x := range rs {
			keys = append(keys, fmt.Sprint(x.NHead, x.NKVHead, x.NEmbd, x.NExpandedEmbd, x.VocabSize, x.UseGatedMLP, x.NumTokens, x.TP))
			sigs = append(sigs, opsSig(x.Ops))
		}
	case KindAttention:
		rs, err := ParseAttention(r, name)
		if err != nil {
			return 0, 0, 0, err
		}
		for _, x := range rs {
			keys = append(keys, fmt.Sprint(x.NEmbd, x.NQHead, x.NKVHead, x.BlockSize, x.TP, x.MaxModelLen, x.BatchSize,
				x.PrefillChunkSize, x.KVCacheSize, x.IsPrefill, x.Backend))
			sigs = append(sigs, opsSig(x.Ops))
		}
	case KindAllReduce, KindSendRecv:
		rs, err := ParseCollective(r, name)
		if err != nil {
			return 0, 0, 0, err
		}
		for _, x := range rs {
			if x.Collective != kind {
				return 0, 0, 0, fmt.Errorf("read %s: collective %q in a %s profile", name, x.Collective, kind)
			}
			keys = append(keys, fmt.Sprint(x.Collective, x.Rank, x.NumWorkers, x.SizeBytes, x.DevicesPerNode, x.MaxDevicesPerNode))
			sigs = append(sigs, fmt.Sprint(x.Stats))
		}
	case KindCPUOverhead:
		rs, err := ParseCPUOverhead(r, name)
		if err != nil {
			return 0, 0, 0, err
		}
		for _, x := range rs {
			keys = append(keys, fmt.Sprint(x.ModelName, x.BatchSize, x.TP))
			var b strings.Builder
			for _, k := range sortedKeys(x.Values) {
				fmt.Fprint(&b, k, "=", x.Values[k], ";")
			}
			sigs = append(sigs, b.String())
		}
	default:
		return 0, 0, 0, fmt.Errorf("unknown profile kind %q", kind)
	}
	exact, repeated = countDuplicates(keys, sigs)
	return len(keys), exact, repeated, nil
}

// countDuplicates counts rows whose (key, sig) was seen before (exact) and
// rows whose key was seen before with only other sigs (repeated).
func countDuplicates(keys, sigs []string) (exact, repeated int) {
	seen := make(map[string]map[string]bool, len(keys))
	for i, k := range keys {
		m := seen[k]
		if m == nil {
			seen[k] = map[string]bool{sigs[i]: true}
			continue
		}
		if m[sigs[i]] {
			exact++
		} else {
			repeated++
			m[sigs[i]] = true
		}
	}
	return exact, repeated
}

func opsSig(m map[string]Stats) string {
	var b strings.Builder
	for _, k := range sortedKeys(m) {
		fmt.Fprint(&b, k, m[k], ";")
	}
	return b.String()
}
