package predictor

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestArtifactRoundTrip(t *testing.T) {
	for _, gz := range []bool{false, true} {
		t.Run(map[bool]string{false: "raw", true: "gzip"}[gz], func(t *testing.T) { testRoundTrip(t, gz) })
	}
}

func testRoundTrip(t *testing.T, gz bool) {
	a := testArtifact(t, smallGrid, llama3, 2)
	a.Gzip = gz
	cv, ho := 3.25, 4.5
	a.Header.Ops[0].CVMAPE, a.Header.Ops[0].HeldOutMAPE = &cv, &ho
	a.Header.Ops[0].HyperParams = map[string]string{"n_estimators": "250", "max_depth": "8"}
	a.Header.Sources = []Source{{Path: "mlp.csv", SHA256: "00"}}
	path := filepath.Join(t.TempDir(), "a"+FileExt)
	if err := a.Save(path); err != nil {
		t.Fatal(err)
	}
	b, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Header.Ops) != len(a.Header.Ops) || *b.Header.Ops[0].CVMAPE != cv || b.Header.Ops[0].HyperParams["max_depth"] != "8" {
		t.Fatalf("header not preserved: %+v", b.Header.Ops[0])
	}
	for _, o := range a.Header.Ops {
		va, _ := a.Table(o.Name)
		vb, ok := b.Table(o.Name)
		if !ok || len(va) != len(vb) {
			t.Fatalf("table %s lost", o.Name)
		}
		for i := range va {
			if va[i] != vb[i] {
				t.Fatalf("%s[%d] = %v, want %v", o.Name, i, vb[i], va[i])
			}
		}
	}
	if b.Gzip != gz {
		t.Fatalf("Gzip = %v after load", b.Gzip)
	}
	if b.Name() != path {
		t.Fatalf("Name() = %q", b.Name())
	}
}

func TestArtifactBytesDeterministic(t *testing.T) {
	x, err := testArtifact(t, smallGrid, llama3, 1).Encode()
	if err != nil {
		t.Fatal(err)
	}
	y, _ := testArtifact(t, smallGrid, llama3, 1).Encode()
	if !bytes.Equal(x, y) {
		t.Fatal("two encodings of the same artifact differ")
	}
	dir := t.TempDir()
	p1, p2 := filepath.Join(dir, "1"), filepath.Join(dir, "2")
	if err := testArtifact(t, smallGrid, llama3, 1).Save(p1); err != nil {
		t.Fatal(err)
	}
	a, _ := Load(p1)
	if err := a.Save(p2); err != nil {
		t.Fatal(err)
	}
	b1, _ := os.ReadFile(p1)
	b2, _ := os.ReadFile(p2)
	if !bytes.Equal(b1, b2) {
		t.Fatal("load+save changed the bytes")
	}
}

func TestDecodeBadInput(t *testing.T) {
	ga := testArtifact(t, smallGrid, llama3, 1)
	ga.Gzip = true
	good, err := ga.Encode()
	if err != nil {
		t.Fatal(err)
	}
	mut := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	tests := []struct {
		name    string
		b       []byte
		want    string
		corrupt bool
	}{
		{"flip payload byte", mut(func(b []byte) []byte { b[len(b)-10] ^= 0x40; return b }), "artifact x is corrupt: checksum mismatch", true},
		{"flip header byte", mut(func(b []byte) []byte { b[prefixLen+20] ^= 1; return b }), "checksum mismatch", true},
		{"flip checksum byte", mut(func(b []byte) []byte { b[40] ^= 1; return b }), "checksum mismatch", true},
		{"truncated", good[:len(good)-100], "truncated", true},
		{"truncated preamble", good[:20], "truncated", true},
		{"trailing bytes", append(append([]byte(nil), good...), 0), "unexpected bytes", true},
		{"wrong magic", mut(func(b []byte) []byte { b[0] = 'X'; return b }), "not a vidur-go artifact (wrong magic", false},
		{"empty", nil, "wrong magic", false},
		{"future version", mut(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[8:], 9); return b }), "format version 9, newer than this vidur-go reads (1): upgrade", false},
		{"old version", mut(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[8:], 0); return b }), "format version 0, which this vidur-go no longer reads", false},
		{"unknown flags", mut(func(b []byte) []byte { b[12] |= 4; return b }), "unknown flags", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode("x", tc.b)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if errors.Is(err, ErrCorrupt) != tc.corrupt {
				t.Fatalf("errors.Is(ErrCorrupt) = %v", !tc.corrupt)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope"))
	if err == nil || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("error %v", err)
	}
}

func TestSetTableRejects(t *testing.T) {
	a := NewArtifact(Header{Model: "m", Grid: smallGrid})
	if err := a.SetTable(OpInfo{Name: "bogus"}, nil); err == nil || !strings.Contains(err.Error(), `unknown operator "bogus"`) {
		t.Fatalf("error %v", err)
	}
	if err := a.SetTable(OpInfo{Name: OpAdd}, make([]float64, 3)); err == nil || !strings.Contains(err.Error(), "has 3 values, want 64") {
		t.Fatalf("error %v", err)
	}
	v := make([]float64, 64)
	v[5] = -1
	if err := a.SetTable(OpInfo{Name: OpAdd}, v); err == nil || !strings.Contains(err.Error(), "value 5 is -1") {
		t.Fatalf("error %v", err)
	}
}

func TestFind(t *testing.T) {
	dir := t.TempDir()
	_, err := Find(dir, "meta-llama/Meta-Llama-3-8B", "a100", "a100_dgx", 2)
	for _, w := range []string{"meta-llama--Meta-Llama-3-8B_a100_a100_dgx_tp2" + FileExt, "vidur-train fit --model meta-llama/Meta-Llama-3-8B --device a100 --node a100_dgx --tp 2", "vidur-train analytical"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Fatalf("error %v does not mention %q", err, w)
		}
	}
	a := testArtifact(t, smallGrid, llama3, 1)
	want := filepath.Join(dir, ArtifactFileName(llama3.Name, "h100", "h100_dgx", 1))
	if err := a.Save(want); err != nil {
		t.Fatal(err)
	}
	t.Setenv(ArtifactsEnv, dir)
	got, err := Find("", llama3.Name, "h100", "h100_dgx", 1)
	if err != nil || got != want {
		t.Fatalf("Find = %q, %v; want %q", got, err, want)
	}
}

func BenchmarkLoadArtifact(b *testing.B) {
	path := filepath.Join(b.TempDir(), "default"+FileExt)
	if err := testArtifact(b, DefaultGrid(), llama3, 2).Save(path); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(path); err != nil {
			b.Fatal(err)
		}
	}
}

func TestCompareTables(t *testing.T) {
	a := testArtifact(t, smallGrid, llama3, 1)
	b := testArtifact(t, smallGrid, llama3, 1)
	v, _ := b.Table(OpAdd)
	for i := range v {
		v[i] *= 1.1 // b = 1.1·a → |a−b|/b = 1/11
	}
	diffs, err := CompareTables(a, b)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diffs {
		want := 0.0
		if d.Op == OpAdd {
			want = 100.0 / 11
		}
		if math.Abs(d.MAPE-want) > 1e-9 || d.Points == 0 {
			t.Errorf("%s: MAPE %v over %d points, want %v", d.Op, d.MAPE, d.Points, want)
		}
	}
}
