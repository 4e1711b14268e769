package profiler

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/vidur-go/vidur-go/internal/atomicfile"
)

// Store is a profile store: a directory laid out like Vidur's
// data/profiling tree,
//
//	compute/<sku>/<org>/<model>/{mlp,attention}.csv[.gz]
//	network/<node>/{all_reduce,send_recv}.csv[.gz]
//	cpu_overhead/<node>/<org>/<model>/cpu_overheads.csv[.gz]
//
// with a manifest "<file>.manifest.json" beside every profile file.
type Store struct{ Root string }

// ManifestSuffix is appended to a profile file's name to name its manifest.
const ManifestSuffix = ".manifest.json"

// Manifest describes one stored profile.
type Manifest struct {
	// Kind is one of KindMLP, KindAttention, KindAllReduce, KindSendRecv,
	// KindCPUOverhead.
	Kind string `json:"kind"`
	// Source is where the profile came from: the absolute path of an
	// imported file, or a description of the measuring run.
	Source string `json:"source"`
	// SHA256 is the hex SHA-256 of the stored file's bytes.
	SHA256 string `json:"sha256"`
	// Rows is the number of data rows.
	Rows int `json:"rows"`
	// SKU is the device (compute kinds), Node the node SKU (network and CPU
	// kinds), Model the Hugging Face model id "org/name" (compute and CPU kinds).
	SKU   string `json:"sku,omitempty"`
	Node  string `json:"node,omitempty"`
	Model string `json:"model,omitempty"`
	// Created is when the profile was stored, UTC (RFC 3339 in JSON).
	Created time.Time `json:"created"`
	// Synthetic marks stand-in data that no GPU measured; Measured marks
	// timings measured on real hardware (by Vidur or vidur-profile run).
	Synthetic bool `json:"synthetic"`
	Measured  bool `json:"measured"`
	// Method is how the timings were obtained, e.g. "vidur-csv-import" or
	// the measuring profiler's timer ("cuda_event").
	Method string `json:"method,omitempty"`
	// Extra holds free-form details: software versions, GPU identity,
	// duplicate-row counts found on import.
	Extra map[string]string `json:"extra,omitempty"`
}

// Profile is one profile file of a store with its manifest. Path is
// relative to the store root, with forward slashes.
type Profile struct {
	Path     string
	Manifest Manifest
}

// OpenStore opens the store at root, creating the directory if it does not
// exist. It fails with a clear error when root cannot be created or written.
func OpenStore(root string) (*Store, error) {
	if root == "" {
		return nil, errors.New("open profile store: empty path")
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("open profile store %s: %w", root, err)
	}
	f, err := os.CreateTemp(root, ".write-test-*")
	if err != nil {
		return nil, fmt.Errorf("profile store %s is not writable: %w", root, err)
	}
	name := f.Name()
	f.Close()
	os.Remove(name)
	return &Store{Root: root}, nil
}

// OpenStoreReadOnly opens an existing store for reading (list, show,
// training); it does not create or write anything.
func OpenStoreReadOnly(root string) (*Store, error) {
	st, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("open profile store: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("open profile store %s: not a directory", root)
	}
	return &Store{Root: root}, nil
}

// ComputeDir returns <root>/compute/<sku>/<model>; model is "org/name", so
// the directory is two levels deep.
func (s *Store) ComputeDir(sku, model string) string {
	return filepath.Join(s.Root, "compute", sku, filepath.FromSlash(model))
}

// NetworkDir returns <root>/network/<node>.
func (s *Store) NetworkDir(node string) string {
	return filepath.Join(s.Root, "network", node)
}

// CPUOverheadDir returns <root>/cpu_overhead/<node>/<model>.
func (s *Store) CPUOverheadDir(node, model string) string {
	return filepath.Join(s.Root, "cpu_overhead", node, filepath.FromSlash(model))
}

// FileName returns the canonical file name of a kind's profile.
func FileName(kind string) string {
	if kind == KindCPUOverhead {
		return "cpu_overheads.csv"
	}
	return kind + ".csv"
}

// PathFor returns the stored path of a profile of kind for the given
// identity (sku and model for compute kinds, node for collectives, node and
// model for CPU overheads), with ".gz" appended when gz. It validates the
// names: each must be a plain path component ("org/name" for model).
func (s *Store) PathFor(kind, sku, node, model string, gz bool) (string, error) {
	var dir string
	switch kind {
	case KindMLP, KindAttention:
		if err := checkName("sku", sku); err != nil {
			return "", err
		}
		if err := checkModel(model); err != nil {
			return "", err
		}
		dir = s.ComputeDir(sku, model)
	case KindAllReduce, KindSendRecv:
		if err := checkName("node", node); err != nil {
			return "", err
		}
		dir = s.NetworkDir(node)
	case KindCPUOverhead:
		if err := checkName("node", node); err != nil {
			return "", err
		}
		if err := checkModel(model); err != nil {
			return "", err
		}
		dir = s.CPUOverheadDir(node, model)
	default:
		return "", fmt.Errorf("unknown profile kind %q: expected one of %s", kind, strings.Join(Kinds, ", "))
	}
	name := FileName(kind)
	if gz {
		name += ".gz"
	}
	return filepath.Join(dir, name), nil
}

// checkName rejects names that are empty or not one plain path component.
func checkName(what, v string) error {
	if v == "" {
		return fmt.Errorf("%s is empty", what)
	}
	if v == "." || v == ".." || strings.ContainsAny(v, `/\`) || strings.TrimSpace(v) != v {
		return fmt.Errorf("%s %q: expected a plain name such as a100 or h100_dgx", what, v)
	}
	return nil
}

// checkModel requires a Hugging Face id "org/name".
func checkModel(m string) error {
	org, name, ok := strings.Cut(m, "/")
	if !ok || checkName("model organisation", org) != nil || checkName("model name", name) != nil {
		return fmt.Errorf("model %q: expected a Hugging Face id org/name such as meta-llama/Llama-2-7b-hf", m)
	}
	return nil
}

// kindOfFileName returns the profile kind a file name stands for: the
// canonical names with optional ".gz", and Vidur's profiler output name
// cpu_overhead.csv.
func kindOfFileName(name string) (kind string, ok bool) {
	base := strings.TrimSuffix(name, ".gz")
	switch base {
	case "mlp.csv":
		return KindMLP, true
	case "attention.csv":
		return KindAttention, true
	case "all_reduce.csv":
		return KindAllReduce, true
	case "send_recv.csv":
		return KindSendRecv, true
	case "cpu_overheads.csv", "cpu_overhead.csv":
		return KindCPUOverhead, true
	}
	return "", false
}

// Profiles returns every profile file in the store with its manifest,
// sorted by path. A profile file without a readable manifest is an error.
func (s *Store) Profiles() ([]Profile, error) {
	var out []Profile
	err := filepath.WalkDir(s.Root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		if _, ok := kindOfFileName(d.Name()); !ok {
			return nil
		}
		m, err := ReadManifest(p + ManifestSuffix)
		if err != nil {
			return fmt.Errorf("profile %s: %w (re-import it)", p, err)
		}
		rel, err := filepath.Rel(s.Root, p)
		if err != nil {
			return err
		}
		out = append(out, Profile{Path: filepath.ToSlash(rel), Manifest: m})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list profile store %s: %w", s.Root, err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// Abs returns the absolute file path of a profile path relative to the store.
func (s *Store) Abs(rel string) string {
	return filepath.Join(s.Root, filepath.FromSlash(path.Clean(rel)))
}

// ReadManifest reads a manifest file.
func ReadManifest(p string) (Manifest, error) {
	var m Manifest
	b, err := os.ReadFile(p)
	if err != nil {
		return m, fmt.Errorf("read manifest: %w", err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("read manifest %s: %w", p, err)
	}
	return m, nil
}

// writeManifest writes m beside the profile file at p, atomically.
func writeManifest(p string, m Manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(p+ManifestSuffix, append(b, '\n'), 0o644)
}
