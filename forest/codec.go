package forest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Binary encodings (little-endian, deterministic: the same model always
// gives the same bytes). Each starts with a 4-byte magic that names the type
// and format version:
//
//	tree:   "VGT1" u32 nFeatures, nodes
//	forest: "VGF1" u32 nFeatures, params, u32 nTrees, nTrees × nodes
//	linear: "VGL1" u32 nFeatures, params, f64 intercept, u32 nCoef, nCoef × f64
//
// where nodes = u32 count, then per node f64 threshold, f64 value, i32 left,
// i32 right, i32 feature, i32 samples; forest params = u32 n_estimators,
// u8 bootstrap, u32 max_depth, u32 min_samples_split, u32 min_samples_leaf,
// f64 max_features; linear params = u32 degree, u8 include_bias,
// u8 interaction_only, u8 fit_intercept.
const (
	magicTree   = "VGT1"
	magicForest = "VGF1"
	magicLinear = "VGL1"
)

// ErrFormat is wrapped by every decoding error.
var ErrFormat = errors.New("malformed model encoding")

func appendU32(b []byte, v int) []byte { return binary.LittleEndian.AppendUint32(b, uint32(v)) }
func appendF64(b []byte, v float64) []byte {
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
}
func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}

func appendNodes(b []byte, nodes []Node) []byte {
	b = appendU32(b, len(nodes))
	for _, n := range nodes {
		b = appendF64(b, n.Threshold)
		b = appendF64(b, n.Value)
		b = appendU32(b, int(n.Left))
		b = appendU32(b, int(n.Right))
		b = appendU32(b, int(n.Feature))
		b = appendU32(b, int(n.Samples))
	}
	return b
}

// MarshalBinary implements encoding.BinaryMarshaler.
func (t *Tree) MarshalBinary() ([]byte, error) {
	b := appendU32([]byte(magicTree), t.nFeatures)
	return appendNodes(b, t.nodes), nil
}

// MarshalBinary implements encoding.BinaryMarshaler.
func (f *Forest) MarshalBinary() ([]byte, error) {
	b := appendU32([]byte(magicForest), f.nFeatures)
	p := f.params
	b = appendU32(b, p.NEstimators)
	b = appendBool(b, p.Bootstrap)
	b = appendU32(b, p.MaxDepth)
	b = appendU32(b, p.MinSamplesSplit)
	b = appendU32(b, p.MinSamplesLeaf)
	b = appendF64(b, p.MaxFeatures)
	b = appendU32(b, len(f.trees))
	for _, t := range f.trees {
		b = appendNodes(b, t.nodes)
	}
	return b, nil
}

// MarshalBinary implements encoding.BinaryMarshaler.
func (l *Linear) MarshalBinary() ([]byte, error) {
	b := appendU32([]byte(magicLinear), l.nFeatures)
	b = appendU32(b, l.params.Degree)
	b = appendBool(b, l.params.IncludeBias)
	b = appendBool(b, l.params.InteractionOnly)
	b = appendBool(b, l.params.FitIntercept)
	b = appendF64(b, l.intercept)
	b = appendU32(b, len(l.coef))
	for _, c := range l.coef {
		b = appendF64(b, c)
	}
	return b, nil
}

// decoder reads the encoding; the first error sticks.
type decoder struct {
	b   []byte
	off int
	err error
}

func (d *decoder) fail(format string, a ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: at byte %d: %s", ErrFormat, d.off, fmt.Sprintf(format, a...))
	}
}

func (d *decoder) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if len(d.b)-d.off < n {
		d.fail("truncated: need %d more bytes, have %d", n, len(d.b)-d.off)
		return nil
	}
	s := d.b[d.off : d.off+n]
	d.off += n
	return s
}

func (d *decoder) u32() int {
	if s := d.take(4); s != nil {
		return int(int32(binary.LittleEndian.Uint32(s)))
	}
	return 0
}

func (d *decoder) count(what string, elemBytes int) int {
	n := d.u32()
	if n < 0 || (d.err == nil && n*elemBytes > len(d.b)-d.off) {
		d.fail("%s count %d exceeds the remaining data", what, n)
		return 0
	}
	return n
}

func (d *decoder) f64() float64 {
	if s := d.take(8); s != nil {
		return math.Float64frombits(binary.LittleEndian.Uint64(s))
	}
	return 0
}

func (d *decoder) boolean() bool {
	if s := d.take(1); s != nil {
		if s[0] > 1 {
			d.fail("boolean byte %d", s[0])
		}
		return s[0] == 1
	}
	return false
}

func (d *decoder) magic(want string) {
	if s := d.take(4); s != nil && string(s) != want {
		d.fail("magic %q, want %q", s, want)
	}
}

func (d *decoder) end() {
	if d.err == nil && d.off != len(d.b) {
		d.fail("%d trailing bytes", len(d.b)-d.off)
	}
}

// nodes decodes and validates a node array: children must point forward
// (so every path ends at a leaf), features must be in range.
func (d *decoder) nodes(nFeatures int) []Node {
	n := d.count("node", 32)
	if d.err == nil && n == 0 {
		d.fail("tree with no nodes")
	}
	nodes := make([]Node, n)
	for i := range nodes {
		nd := Node{Threshold: d.f64(), Value: d.f64(), Left: int32(d.u32()), Right: int32(d.u32()),
			Feature: int32(d.u32()), Samples: int32(d.u32())}
		if d.err != nil {
			return nil
		}
		leaf := nd.Left == -1 && nd.Right == -1
		if !leaf && (nd.Left <= int32(i) || nd.Right <= int32(i) || int(nd.Left) >= n || int(nd.Right) >= n) {
			d.fail("node %d has children %d,%d: want -1,-1 or indices in (%d,%d)", i, nd.Left, nd.Right, i, n)
		}
		if nd.Feature < 0 || int(nd.Feature) >= nFeatures {
			d.fail("node %d splits on feature %d of %d", i, nd.Feature, nFeatures)
		}
		nodes[i] = nd
	}
	return nodes
}

func (d *decoder) nFeatures() int {
	n := d.u32()
	if d.err == nil && n < 1 {
		d.fail("%d features", n)
	}
	return n
}

// UnmarshalBinary implements encoding.BinaryUnmarshaler.
func (t *Tree) UnmarshalBinary(b []byte) error {
	d := &decoder{b: b}
	d.magic(magicTree)
	nf := d.nFeatures()
	nodes := d.nodes(nf)
	d.end()
	if d.err != nil {
		return fmt.Errorf("tree: %w", d.err)
	}
	*t = Tree{nFeatures: nf, nodes: nodes}
	return nil
}

// UnmarshalBinary implements encoding.BinaryUnmarshaler.
func (f *Forest) UnmarshalBinary(b []byte) error {
	d := &decoder{b: b}
	d.magic(magicForest)
	nf := d.nFeatures()
	var p ForestParams
	p.NEstimators = d.u32()
	p.Bootstrap = d.boolean()
	p.MaxDepth = d.u32()
	p.MinSamplesSplit = d.u32()
	p.MinSamplesLeaf = d.u32()
	p.MaxFeatures = d.f64()
	nt := d.count("tree", 4)
	if d.err == nil && (nt != p.NEstimators || nt == 0) {
		d.fail("%d trees for n_estimators %d", nt, p.NEstimators)
	}
	trees := make([]Tree, nt)
	for i := range trees {
		trees[i] = Tree{nFeatures: nf, nodes: d.nodes(nf)}
	}
	d.end()
	if d.err != nil {
		return fmt.Errorf("forest: %w", d.err)
	}
	*f = Forest{nFeatures: nf, params: p, trees: trees}
	return nil
}

// UnmarshalBinary implements encoding.BinaryUnmarshaler.
func (l *Linear) UnmarshalBinary(b []byte) error {
	d := &decoder{b: b}
	d.magic(magicLinear)
	nf := d.nFeatures()
	var p LinearParams
	p.Degree = d.u32()
	p.IncludeBias = d.boolean()
	p.InteractionOnly = d.boolean()
	p.FitIntercept = d.boolean()
	if d.err == nil && p.Degree < 1 {
		d.fail("degree %d with %d features", p.Degree, nf)
	}
	intercept := d.f64()
	nc := d.count("coefficient", 8)
	if d.err != nil {
		return fmt.Errorf("linear: %w", d.err)
	}
	if want := NumPolynomialTerms(nf, p.Degree, p.IncludeBias, p.InteractionOnly, nc); want != nc {
		d.fail("%d coefficients, want %d for %s with %d features", nc, want, p, nf)
		return fmt.Errorf("linear: %w", d.err)
	}
	nl := newLinear(p, nf)
	for i := range nl.coef {
		nl.coef[i] = d.f64()
	}
	d.end()
	if d.err != nil {
		return fmt.Errorf("linear: %w", d.err)
	}
	nl.intercept = intercept
	*l = *nl
	return nil
}

// MarshalModel encodes any model of this package (its MarshalBinary).
func MarshalModel(r Regressor) ([]byte, error) {
	switch m := r.(type) {
	case *Tree:
		return m.MarshalBinary()
	case *Forest:
		return m.MarshalBinary()
	case *Linear:
		return m.MarshalBinary()
	}
	return nil, fmt.Errorf("forest: cannot encode model type %T", r)
}

// UnmarshalModel decodes bytes from MarshalModel, choosing the type by the
// magic prefix.
func UnmarshalModel(b []byte) (Regressor, error) {
	if len(b) < 4 {
		return nil, fmt.Errorf("model: %w: %d bytes", ErrFormat, len(b))
	}
	var m interface {
		Regressor
		UnmarshalBinary([]byte) error
	}
	switch string(b[:4]) {
	case magicTree:
		m = new(Tree)
	case magicForest:
		m = new(Forest)
	case magicLinear:
		m = new(Linear)
	default:
		return nil, fmt.Errorf("model: %w: unknown magic %q", ErrFormat, b[:4])
	}
	if err := m.UnmarshalBinary(b); err != nil {
		return nil, err
	}
	return m, nil
}
