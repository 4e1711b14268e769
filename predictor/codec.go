package predictor

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"

	"github.com/vidur-go/vidur-go/internal/atomicfile"
)

// Magic is the first 8 bytes of every artifact file.
const Magic = "VIDURART"

// flagGzip marks a gzip-compressed payload.
const flagGzip = 1

// prefixLen is the fixed-size part before the header: magic, version,
// flags, header length, payload length, sha256.
const prefixLen = 8 + 4 + 4 + 8 + 8 + sha256.Size

// ErrCorrupt is wrapped by Load and Decode errors for damaged files.
var ErrCorrupt = errors.New("corrupt")

// Encode returns the artifact's file bytes (format in docs/artifact-format.md):
//
//	"VIDURART" | u32 version | u32 flags | u64 header len | u64 payload len |
//	sha256(header ‖ payload) | header JSON | payload
//
// all integers little-endian; the payload is every table's float64 values
// (little-endian, header Ops order), gzip-compressed when a.Gzip is set
// (smaller files, ~5× slower loads). The output depends only on the
// artifact's content.
func (a *Artifact) Encode() ([]byte, error) {
	h := a.Header
	h.FormatVersion = FormatVersion
	if len(h.Ops) == 0 {
		return nil, fmt.Errorf("artifact %s has no tables", a.Name())
	}
	hdr, err := json.MarshalIndent(&h, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode artifact header: %w", err)
	}
	var raw bytes.Buffer
	var b8 [8]byte
	for _, op := range h.Ops {
		for _, v := range a.tables[op.Name] {
			binary.LittleEndian.PutUint64(b8[:], math.Float64bits(v))
			raw.Write(b8[:])
		}
	}
	payload := &raw
	var flags uint32
	if a.Gzip {
		flags |= flagGzip
		payload = new(bytes.Buffer)
		zw, _ := gzip.NewWriterLevel(payload, gzip.BestCompression)
		if _, err := zw.Write(raw.Bytes()); err != nil {
			return nil, err
		}
		if err := zw.Close(); err != nil {
			return nil, err
		}
	}
	sum := sha256.New()
	sum.Write(hdr)
	sum.Write(payload.Bytes())
	out := make([]byte, 0, prefixLen+len(hdr)+payload.Len())
	out = append(out, Magic...)
	out = binary.LittleEndian.AppendUint32(out, FormatVersion)
	out = binary.LittleEndian.AppendUint32(out, flags)
	out = binary.LittleEndian.AppendUint64(out, uint64(len(hdr)))
	out = binary.LittleEndian.AppendUint64(out, uint64(payload.Len()))
	out = sum.Sum(out)
	out = append(out, hdr...)
	out = append(out, payload.Bytes()...)
	return out, nil
}

// Save writes the artifact to path atomically (internal/atomicfile).
func (a *Artifact) Save(path string) error {
	b, err := a.Encode()
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(path, b, 0o644); err != nil {
		return err
	}
	a.path = path
	return nil
}

// Load reads and verifies an artifact file.
func Load(path string) (*Artifact, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load artifact: %w", err)
	}
	a, err := Decode(path, b)
	if err != nil {
		return nil, err
	}
	a.path = path
	return a, nil
}

// Decode parses artifact bytes; name is used in error messages. It checks,
// in order: magic, format version, lengths (truncation), checksum, header,
// and that the payload matches the header's tables.
func Decode(name string, b []byte) (*Artifact, error) {
	corrupt := func(format string, args ...any) error {
		return fmt.Errorf("artifact %s is %w: %s", name, ErrCorrupt, fmt.Sprintf(format, args...))
	}
	if len(b) < len(Magic) || string(b[:len(Magic)]) != Magic {
		return nil, fmt.Errorf("%s is not a vidur-go artifact (wrong magic: want %q at the start)", name, Magic)
	}
	if len(b) < prefixLen {
		return nil, corrupt("truncated: %d bytes, shorter than the %d-byte preamble", len(b), prefixLen)
	}
	version := binary.LittleEndian.Uint32(b[8:])
	if version != FormatVersion {
		if version > FormatVersion {
			return nil, fmt.Errorf("artifact %s has format version %d, newer than this vidur-go reads (%d): upgrade vidur-go", name, version, FormatVersion)
		}
		return nil, fmt.Errorf("artifact %s has format version %d, which this vidur-go no longer reads (it reads %d): rebuild it with vidur-train", name, version, FormatVersion)
	}
	flags := binary.LittleEndian.Uint32(b[12:])
	if flags&^flagGzip != 0 {
		return nil, corrupt("unknown flags %#x", flags)
	}
	hl := binary.LittleEndian.Uint64(b[16:])
	pl := binary.LittleEndian.Uint64(b[24:])
	rest := uint64(len(b) - prefixLen)
	if hl > rest || pl > rest-hl {
		return nil, corrupt("truncated: header %d + payload %d bytes declared, %d present", hl, pl, rest)
	}
	if hl+pl != rest {
		return nil, corrupt("%d unexpected bytes after the payload", rest-hl-pl)
	}
	hdr := b[prefixLen : prefixLen+hl]
	payload := b[prefixLen+hl:]
	sum := sha256.New()
	sum.Write(hdr)
	sum.Write(payload)
	if !bytes.Equal(sum.Sum(nil), b[32:prefixLen]) {
		return nil, corrupt("checksum mismatch")
	}
	a := &Artifact{tables: map[string][]float64{}}
	if err := json.Unmarshal(hdr, &a.Header); err != nil {
		return nil, corrupt("header: %v", err)
	}
	if a.Header.FormatVersion != FormatVersion {
		return nil, corrupt("header says format version %d, preamble %d", a.Header.FormatVersion, version)
	}
	if err := a.Header.Grid.Validate(); err != nil {
		return nil, corrupt("header: %v", err)
	}
	raw := payload
	a.Gzip = flags&flagGzip != 0
	if a.Gzip {
		zr, err := gzip.NewReader(bytes.NewReader(payload))
		if err != nil {
			return nil, corrupt("payload: %v", err)
		}
		want := 0
		for _, op := range a.Header.Ops {
			kind, _ := KindOf(op.Name)
			want += a.Header.Grid.Len(kind)
		}
		buf := bytes.NewBuffer(make([]byte, 0, 8*want))
		if _, err := io.Copy(buf, zr); err != nil {
			return nil, corrupt("payload: %v", err)
		}
		raw = buf.Bytes()
	}
	off := 0
	for i, op := range a.Header.Ops {
		kind, ok := KindOf(op.Name)
		if !ok {
			return nil, corrupt("header op %d: unknown operator %q", i, op.Name)
		}
		if _, dup := a.tables[op.Name]; dup {
			return nil, corrupt("header op %d: operator %q listed twice", i, op.Name)
		}
		shape := a.Header.Grid.Shape(kind)
		if !slices.Equal(shape, op.Shape) {
			return nil, corrupt("op %s: shape %v does not match grid shape %v", op.Name, op.Shape, shape)
		}
		n := a.Header.Grid.Len(kind)
		if len(raw)-off < 8*n {
			return nil, corrupt("payload ends inside table %s", op.Name)
		}
		vals := make([]float64, n)
		for j := range vals {
			vals[j] = math.Float64frombits(binary.LittleEndian.Uint64(raw[off+8*j:]))
		}
		off += 8 * n
		if err := checkValues(op.Name, vals); err != nil {
			return nil, corrupt("%v", err)
		}
		a.tables[op.Name] = vals
	}
	if off != len(raw) {
		return nil, corrupt("payload has %d bytes beyond the header's tables", len(raw)-off)
	}
	return a, nil
}
