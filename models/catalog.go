package models

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/vidur-go/vidur-go/data"
)

// catalogDir is the directory of the embedded model files inside data.FS.
const catalogDir = "models"

var (
	catalogOnce sync.Once
	catalog     map[string]Config
	catalogErr  error
)

// loadCatalog decodes the embedded catalog once. A broken embedded file is a
// build defect, but it is still reported as an error (never a panic) so a
// command can print it.
func loadCatalog() (map[string]Config, error) {
	catalogOnce.Do(func() {
		catalog, catalogErr = decodeCatalog(data.FS, catalogDir)
	})
	return catalog, catalogErr
}

// decodeCatalog reads every *.json file of dir in fsys as one Config (strict:
// unknown keys and missing keys are errors), checks it, and checks that the
// file is named after the model ("org/name" → "org--name.json").
func decodeCatalog(fsys fs.FS, dir string) (map[string]Config, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("model catalog: %w", err)
	}
	out := make(map[string]Config, len(entries))
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".json" {
			continue
		}
		file := path.Join(dir, e.Name())
		raw, err := fs.ReadFile(fsys, file)
		if err != nil {
			return nil, fmt.Errorf("model catalog: %w", err)
		}
		c, err := DecodeCatalogJSON(file, raw)
		if err != nil {
			return nil, err
		}
		if want := CatalogFileName(c.Name); e.Name() != want {
			return nil, fmt.Errorf("model catalog %s: model %q must be stored as %s", file, c.Name, want)
		}
		if _, dup := out[c.Name]; dup {
			return nil, fmt.Errorf("model catalog %s: duplicate model %q", file, c.Name)
		}
		out[c.Name] = c
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("model catalog: no *.json files under %s", dir)
	}
	return out, nil
}

// CatalogFileName is the file name a catalog entry must have:
// "meta-llama/Llama-2-7b-hf" → "meta-llama--Llama-2-7b-hf.json".
func CatalogFileName(name string) string {
	return strings.ReplaceAll(name, "/", "--") + ".json"
}

// catalogKeys lists the JSON keys every catalog file must contain; only
// "source" may be omitted. Keeping booleans mandatory means a forgotten
// "use_gated_mlp" is an error instead of a silent false.
var catalogKeys = []string{
	"name", "family", "num_layers", "num_q_heads", "num_kv_heads", "embedding_dim",
	"mlp_hidden_dim", "max_position_embeddings", "use_gated_mlp", "use_bias",
	"use_qkv_bias", "activation", "norm", "post_attn_norm", "vocab_size",
	"rope_theta", "partial_rotary_factor", "no_tensor_parallel", "tie_word_embeddings",
}

// DecodeCatalogJSON decodes one model in the catalog format (the JSON keys of
// Config) strictly: an unknown key, a missing key (other than "source"), a
// value of the wrong type or trailing data (json.Unmarshal) is an error naming file and key.
// The result passes Check. file is used in error messages only.
func DecodeCatalogJSON(file string, raw []byte) (Config, error) {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil {
		return Config{}, fmt.Errorf("model catalog %s: %w", file, err)
	}
	for _, k := range catalogKeys {
		if _, ok := keys[k]; !ok {
			return Config{}, fmt.Errorf("model catalog %s: missing key %q", file, k)
		}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var c Config
	if err := dec.Decode(&c); err != nil {
		return Config{}, fmt.Errorf("model catalog %s: %w", file, err)
	}
	if err := c.Check(); err != nil {
		return Config{}, fmt.Errorf("model catalog %s: %w", file, err)
	}
	return c, nil
}

// Lookup returns the catalog entry with exactly this name (case-sensitive,
// as Vidur and Hugging Face spell it, e.g. "meta-llama/Llama-2-7b-hf").
// An unknown name is an error that lists the known names and, when one is
// close, suggests it.
func Lookup(name string) (Config, error) {
	cat, err := loadCatalog()
	if err != nil {
		return Config{}, err
	}
	if c, ok := cat[name]; ok {
		return c, nil
	}
	names := sortedKeys(cat)
	msg := fmt.Sprintf("unknown model %q", name)
	if s := suggest(name, names); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return Config{}, fmt.Errorf("%s; known models: %s; or pass a Hugging Face config.json (--model-config)",
		msg, strings.Join(names, ", "))
}

// Names returns the catalog's model names, sorted. It returns nil if the
// embedded catalog is broken (Lookup reports why).
func Names() []string {
	cat, err := loadCatalog()
	if err != nil {
		return nil
	}
	return sortedKeys(cat)
}

// All returns every catalog entry sorted by name (a fresh slice; callers may
// modify it).
func All() []Config {
	cat, err := loadCatalog()
	if err != nil {
		return nil
	}
	out := make([]Config, 0, len(cat))
	for _, n := range sortedKeys(cat) {
		out = append(out, cat[n])
	}
	return out
}

func sortedKeys(m map[string]Config) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// suggest returns the known name closest to name (case-insensitive edit
// distance on the full name or on the part after the organisation), or ""
// when nothing is within a third of the name's length.
func suggest(name string, known []string) string {
	q := strings.ToLower(name)
	best, bestD := "", -1
	for _, k := range known {
		kl := strings.ToLower(k)
		d := editDistance(q, kl)
		if i := strings.LastIndexByte(kl, '/'); i >= 0 {
			d = min(d, editDistance(q, kl[i+1:]))
		}
		if bestD < 0 || d < bestD {
			best, bestD = k, d
		}
	}
	if bestD < 0 || bestD > max(2, len(q)/3) {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance between a and b in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
