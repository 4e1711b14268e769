package profiler

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/vidur-go/vidur-go/internal/atomicfile"
)

// WriteMLP stores measured MLP rows for (sku, model) as
// compute/<sku>/<model>/mlp.csv with manifest m. The store fills m's Kind,
// SHA256, Rows, SKU and Model, and Created when zero; the caller sets
// Source, Measured/Synthetic, Method and Extra. The rows are validated by
// reading the encoded file back (ParseMLP), so the store never holds a file
// its readers reject. An existing profile at that path is replaced.
func (s *Store) WriteMLP(sku, model string, rows []MLPRow, m Manifest) (Profile, error) {
	m.SKU, m.Model = sku, model
	return s.writeMeasured(KindMLP, m, func(w *csvWriter) error { return encodeMLP(w, rows) },
		func(r io.Reader, name string) (int, error) { rs, err := ParseMLP(r, name); return len(rs), err })
}

// WriteAttention stores measured attention rows for (sku, model) as
// compute/<sku>/<model>/attention.csv. See WriteMLP.
func (s *Store) WriteAttention(sku, model string, rows []AttentionRow, m Manifest) (Profile, error) {
	m.SKU, m.Model = sku, model
	return s.writeMeasured(KindAttention, m, func(w *csvWriter) error { return encodeAttention(w, rows) },
		func(r io.Reader, name string) (int, error) { rs, err := ParseAttention(r, name); return len(rs), err })
}

// WriteCollective stores measured collective rows for node as
// network/<node>/<collective>.csv, the collective being rows[0].Collective
// (all_reduce or send_recv). See WriteMLP.
func (s *Store) WriteCollective(node string, rows []CollectiveRow, m Manifest) (Profile, error) {
	if len(rows) == 0 {
		return Profile{}, fmt.Errorf("store %s profile for %s: no rows", "collective", node)
	}
	kind := rows[0].Collective
	if kind != KindAllReduce && kind != KindSendRecv {
		return Profile{}, fmt.Errorf("store collective profile for %s: collective %q: expected all_reduce or send_recv", node, kind)
	}
	m.Node = node
	return s.writeMeasured(kind, m, func(w *csvWriter) error { return encodeCollective(w, rows) },
		func(r io.Reader, name string) (int, error) { rs, err := ParseCollective(r, name); return len(rs), err })
}

// WriteCPUOverhead stores measured CPU-overhead rows for (node, model) as
// cpu_overhead/<node>/<model>/cpu_overheads.csv. See WriteMLP.
func (s *Store) WriteCPUOverhead(node, model string, rows []CPUOverheadRow, m Manifest) (Profile, error) {
	m.Node, m.Model = node, model
	return s.writeMeasured(KindCPUOverhead, m, func(w *csvWriter) error { return encodeCPUOverhead(w, rows) },
		func(r io.Reader, name string) (int, error) { rs, err := ParseCPUOverhead(r, name); return len(rs), err })
}

func (s *Store) writeMeasured(kind string, m Manifest, fill func(*csvWriter) error, parse func(io.Reader, string) (int, error)) (Profile, error) {
	dest, err := s.PathFor(kind, m.SKU, m.Node, m.Model, false)
	if err != nil {
		return Profile{}, fmt.Errorf("store %s profile: %w", kind, err)
	}
	var buf bytes.Buffer
	if err := encodeCSV(&buf, false, fill); err != nil {
		return Profile{}, fmt.Errorf("store %s: %w", dest, err)
	}
	n, err := parse(bytes.NewReader(buf.Bytes()), dest)
	if err != nil {
		return Profile{}, fmt.Errorf("store %s: the rows do not make a valid profile: %w", dest, err)
	}
	sum := sha256.Sum256(buf.Bytes())
	m.Kind, m.SHA256, m.Rows = kind, hex.EncodeToString(sum[:]), n
	created := m.Created
	now := func() time.Time { return created }
	if created.IsZero() {
		now = nil
	}
	if _, err := s.put(dest, buf.Bytes(), m, now); err != nil {
		return Profile{}, err
	}
	rel, _ := filepath.Rel(s.Root, dest)
	got, err := ReadManifest(dest + ManifestSuffix)
	if err != nil {
		return Profile{}, err
	}
	return Profile{Path: filepath.ToSlash(rel), Manifest: got}, nil
}

// atomicWrite writes data to p atomically.
func atomicWrite(p string, data []byte) error {
	return atomicfile.WriteFile(p, data, 0o644)
}
