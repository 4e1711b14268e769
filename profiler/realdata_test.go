package profiler

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// vidurData returns $VIDUR_DATA or skips the test.
func vidurData(t *testing.T) string {
	t.Helper()
	d := os.Getenv("VIDUR_DATA")
	if d == "" {
		t.Skip("VIDUR_DATA not set: skipping the test over Vidur's profiling data")
	}
	return d
}

// TestImportVidurData imports Vidur's whole profiling tree and the
// synthetic stand-ins, checks every file is imported with the right marks,
// that a second import is unchanged, and that every stored profile reads
// back with the reader of its kind.
func TestImportVidurData(t *testing.T) {
	data := vidurData(t)
	st, err := OpenStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC) }
	want := map[string]bool{} // source -> synthetic
	for _, sub := range []string{"profiling", "synthetic/profiling"} {
		root := filepath.Join(data, sub)
		filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".csv") || strings.HasSuffix(p, ".csv.gz")) {
				want[p] = strings.Contains(sub, "synthetic")
			}
			return nil
		})
		res, err := st.ImportTree(root, ImportOptions{Now: clock})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res {
			syn, ok := want[r.Source]
			if !ok {
				t.Errorf("%s: unexpected file", r.Source)
				continue
			}
			delete(want, r.Source)
			if r.Status != StatusImported {
				t.Errorf("%s: status %s (%v %s)", r.Source, r.Status, r.Err, r.Reason)
			}
			if r.Synthetic != syn {
				t.Errorf("%s: synthetic=%v, want %v", r.Source, r.Synthetic, syn)
			}
			if r.Rows == 0 {
				t.Errorf("%s: no rows", r.Source)
			}
		}
		again, err := st.ImportTree(root, ImportOptions{Now: clock})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range again {
			if r.Status != StatusUnchanged {
				t.Errorf("re-import %s: status %s, want unchanged", r.Source, r.Status)
			}
		}
	}
	for p := range want {
		t.Errorf("%s: not imported", p)
	}
	profiles, err := st.Profiles()
	if err != nil {
		t.Fatal(err)
	}
	if len(profiles) != 21 {
		t.Errorf("%d profiles, want 21 (19 measured + 2 synthetic)", len(profiles))
	}
	for _, p := range profiles {
		if p.Manifest.Synthetic == p.Manifest.Measured {
			t.Errorf("%s: synthetic=%v measured=%v", p.Path, p.Manifest.Synthetic, p.Manifest.Measured)
		}
		if p.Manifest.Synthetic != strings.HasSuffix(p.Path, "attention.csv.gz") {
			t.Errorf("%s: synthetic=%v", p.Path, p.Manifest.Synthetic)
		}
		// The stored bytes are the validated source bytes.
		if got := fileSHA(st.Abs(p.Path)); got != p.Manifest.SHA256 || p.Manifest.Rows == 0 {
			t.Errorf("%s: sha256 %s, manifest %s, rows %d", p.Path, got, p.Manifest.SHA256, p.Manifest.Rows)
		}
	}
}
