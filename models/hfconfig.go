package models

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// SupportedFamilies are the Hugging Face model_type values ParseHFConfig
// understands, sorted.
var SupportedFamilies = []string{"internlm", "internlm2", "llama", "mistral", "phi", "qwen2"}

// moeKeys are config.json keys whose presence marks a mixture-of-experts
// model, which vidur-go does not model yet.
var moeKeys = []string{"num_local_experts", "num_experts", "n_routed_experts", "moe_num_experts", "num_experts_per_tok"}

// LoadHFConfig reads a Hugging Face config.json and converts it with
// ParseHFConfig. Errors name the file. The model is named, in order of
// preference: "org/name" from a Hugging Face cache path
// (…/models--org--name/snapshots/<rev>/config.json); "_name_or_path" when
// it has the form "org/name"; the directory holding config.json; the file
// name without ".json". Set Config.Name afterwards to choose another.
func LoadHFConfig(path string) (Config, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("read model config: %w", err)
	}
	return parseHF(path, path, nameFromPath(path), pathName(path), raw)
}

// ParseHFConfig converts the contents of a Hugging Face config.json into a
// Config named name (or, if name is empty, "_name_or_path" when it has the
// form "org/name"; without either it is an error). Supported model_type values are listed in
// SupportedFamilies; a mixture-of-experts model (any num_experts-like key)
// or another architecture is an error. Required keys: model_type,
// hidden_size, intermediate_size, num_attention_heads, num_hidden_layers,
// vocab_size, max_position_embeddings; num_key_value_heads defaults to
// num_attention_heads, rope_theta to 10000 (internlm: rotary.base),
// tie_word_embeddings to false, partial_rotary_factor (phi) to 0.5. Keys
// the simulator does not use are ignored; a used key of the wrong type, a
// non-positive dimension or heads that do not divide hidden_size is an
// error naming the key. The result passes Check.
//
// Family mapping: llama, mistral and internlm2 are gated-SiLU RMSNorm
// decoders (qkv bias if attention_bias / bias is true); qwen2 always has a
// q/k/v bias; internlm (v1) has a q/k/v bias when "bias" is true; phi
// (phi-2) has partial rotary embeddings, gelu_new, LayerNorm, parallel
// attention and MLP (one norm per layer: PostAttnNorm false), biases
// everywhere and an ungated MLP, and — as in Vidur — no tensor parallelism.
func ParseHFConfig(name string, data []byte) (Config, error) {
	src := "hf config"
	if name != "" {
		src = fmt.Sprintf("hf config %q", name)
	}
	return parseHF(src, "Hugging Face config.json", name, "", data)
}

// nameFromPath derives a model name from the location of a config.json.
func nameFromPath(path string) string {
	parts := strings.Split(filepath.ToSlash(filepath.Clean(path)), "/")
	for i := len(parts) - 1; i >= 0; i-- {
		if rest, ok := strings.CutPrefix(parts[i], "models--"); ok {
			if org, model, ok := strings.Cut(rest, "--"); ok && org != "" && model != "" {
				return org + "/" + model
			}
		}
	}
	return "" // decided in parseHF: _name_or_path, then the path
}

// pathName is the fallback name: the directory of a config.json, else the
// file name without its extension.
func pathName(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs // "config.json" alone still names its directory
	}
	base := filepath.Base(path)
	if base == "config.json" {
		if dir := filepath.Base(filepath.Dir(path)); dir != "." && dir != string(filepath.Separator) {
			return dir
		}
	}
	return strings.TrimSuffix(base, filepath.Ext(base))
}

// hfReader reads typed keys out of a decoded config.json, collecting
// errors that name the source and the key.
type hfReader struct {
	src  string
	keys map[string]json.RawMessage
	errs []error
}

func (r *hfReader) fail(key, format string, args ...any) {
	r.errs = append(r.errs, fmt.Errorf("key %q: %s", key, fmt.Sprintf(format, args...)))
}

// present reports whether key exists and is not JSON null.
func (r *hfReader) present(key string) bool {
	v, ok := r.keys[key]
	return ok && !bytes.Equal(bytes.TrimSpace(v), []byte("null"))
}

// integer reads a JSON integer. A missing (or null) key is an error when
// required, else yields def.
func (r *hfReader) integer(key string, required bool, def int) int {
	if !r.present(key) {
		if required {
			r.fail(key, "missing (required)")
		}
		return def
	}
	var n json.Number
	raw := bytes.TrimSpace(r.keys[key])
	// json.Number also accepts a quoted number; a config.json must not quote.
	if raw[0] == '"' || json.Unmarshal(raw, &n) != nil {
		r.fail(key, "want an integer, got %s", short(r.keys[key]))
		return def
	}
	v, err := n.Int64()
	if err != nil || v > math.MaxInt32 || v < math.MinInt32 {
		r.fail(key, "want an integer, got %s", n)
		return def
	}
	return int(v)
}

// positive reads an integer that must be ≥ 1.
func (r *hfReader) positive(key string, required bool, def int) int {
	n := len(r.errs)
	v := r.integer(key, required, def)
	if len(r.errs) == n && v < 1 {
		r.fail(key, "must be a positive integer, got %d", v)
	}
	return v
}

func (r *hfReader) number(key string, def float64) float64 {
	if !r.present(key) {
		return def
	}
	var f float64
	if err := json.Unmarshal(r.keys[key], &f); err != nil {
		r.fail(key, "want a number, got %s", short(r.keys[key]))
		return def
	}
	return f
}

func (r *hfReader) boolean(key string, def bool) bool {
	if !r.present(key) {
		return def
	}
	var b bool
	if err := json.Unmarshal(r.keys[key], &b); err != nil {
		r.fail(key, "want true or false, got %s", short(r.keys[key]))
		return def
	}
	return b
}

func (r *hfReader) str(key string, required bool) string {
	if !r.present(key) {
		if required {
			r.fail(key, "missing (required)")
		}
		return ""
	}
	var s string
	if err := json.Unmarshal(r.keys[key], &s); err != nil {
		r.fail(key, "want a string, got %s", short(r.keys[key]))
	}
	return s
}

// short quotes a raw JSON value for an error message, cut to 40 bytes.
func short(raw json.RawMessage) string {
	s := string(bytes.TrimSpace(raw))
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return s
}

func (r *hfReader) err() error {
	if len(r.errs) == 0 {
		return nil
	}
	return fmt.Errorf("%s: %w", r.src, errors.Join(r.errs...))
}

// parseHF is ParseHFConfig with src (a file path or a label) for errors,
// source for Config.Source, and fallbackName for a config that names no
// model ("" makes that an error).
func parseHF(src, source, name, fallbackName string, raw []byte) (Config, error) {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil {
		return Config{}, fmt.Errorf("%s: not a JSON object: %w", src, err)
	}
	r := &hfReader{src: src, keys: keys}
	family := r.str("model_type", true)
	if err := r.err(); err != nil {
		return Config{}, err
	}
	for _, k := range moeKeys {
		if r.present(k) {
			return Config{}, fmt.Errorf("%s: key \"model_type\": model_type %q is not supported yet (supported: %s): mixture-of-experts models (%s = %s) are not modelled",
				src, family, strings.Join(SupportedFamilies, ", "), k, short(keys[k]))
		}
	}
	if !slices.Contains(SupportedFamilies, family) {
		return Config{}, fmt.Errorf("%s: key \"model_type\": model_type %q is not supported yet (supported: %s)",
			src, family, strings.Join(SupportedFamilies, ", "))
	}

	if name == "" {
		if n := r.str("_name_or_path", false); isOrgName(n) {
			name = n
		} else {
			name = fallbackName
		}
	}
	if name == "" {
		r.fail("_name_or_path", "no model name given and none of the form \"org/name\" in the file")
	}
	c := Config{
		Name:                  name,
		Family:                family,
		NumLayers:             r.positive("num_hidden_layers", true, 0),
		NumQHeads:             r.positive("num_attention_heads", true, 0),
		EmbeddingDim:          r.positive("hidden_size", true, 0),
		MLPHiddenDim:          r.positive("intermediate_size", true, 0),
		MaxPositionEmbeddings: r.positive("max_position_embeddings", true, 0),
		VocabSize:             r.positive("vocab_size", true, 0),
		TieWordEmbeddings:     r.boolean("tie_word_embeddings", false),
		RopeTheta:             r.number("rope_theta", 10000),
		PartialRotaryFactor:   1,
		UseGatedMLP:           true,
		Activation:            "silu",
		Norm:                  "rms_norm",
		PostAttnNorm:          true,
		Source:                source,
	}
	c.NumKVHeads = r.positive("num_key_value_heads", false, c.NumQHeads)
	if err := r.err(); err != nil {
		return Config{}, err
	}
	if c.EmbeddingDim%c.NumQHeads != 0 {
		r.fail("num_attention_heads", "%d does not divide hidden_size %d", c.NumQHeads, c.EmbeddingDim)
	} else if r.present("head_dim") {
		if hd := r.positive("head_dim", false, 0); hd > 0 && hd != c.EmbeddingDim/c.NumQHeads {
			r.fail("head_dim", "%d differs from hidden_size/num_attention_heads = %d; models with a decoupled head dimension are not supported yet",
				hd, c.EmbeddingDim/c.NumQHeads)
		}
	}
	if c.NumQHeads%c.NumKVHeads != 0 {
		r.fail("num_key_value_heads", "%d does not divide num_attention_heads %d", c.NumKVHeads, c.NumQHeads)
	}
	if act := r.str("hidden_act", false); act != "" {
		switch act {
		case "silu", "swish":
			c.Activation = "silu"
		case "gelu", "gelu_new", "gelu_fast", "gelu_pytorch_tanh", "gelu_python":
			c.Activation = "gelu"
		default:
			r.fail("hidden_act", "activation %q is not supported (want silu or a gelu variant)", act)
		}
	}

	switch family {
	case "llama", "mistral":
		c.UseQKVBias = r.boolean("attention_bias", false)
		c.UseBias = c.UseQKVBias && r.boolean("mlp_bias", false)
	case "qwen2":
		c.UseQKVBias = true // hard-wired in Qwen2Attention
	case "internlm":
		c.UseQKVBias = r.boolean("bias", true)
		if !r.present("rope_theta") && r.present("rotary") {
			var rot struct {
				Base *float64 `json:"base"`
			}
			if err := json.Unmarshal(keys["rotary"], &rot); err != nil {
				r.fail("rotary", "want an object with a numeric \"base\", got %s", short(keys["rotary"]))
			} else if rot.Base != nil {
				c.RopeTheta = *rot.Base
			}
		}
	case "internlm2":
		c.UseQKVBias = r.boolean("bias", false)
		c.UseBias = c.UseQKVBias
	case "phi":
		c.UseGatedMLP = false
		c.UseBias = true
		c.UseQKVBias = true
		c.Norm = "layer_norm"
		c.PostAttnNorm = false
		c.PartialRotaryFactor = r.number("partial_rotary_factor", 0.5)
		c.NoTensorParallel = true
		if !r.present("hidden_act") {
			c.Activation = "gelu"
		}
	}
	if !(c.RopeTheta > 0) || math.IsInf(c.RopeTheta, 0) {
		r.fail("rope_theta", "must be a positive finite number, got %v", c.RopeTheta)
	}
	if err := r.err(); err != nil {
		return Config{}, err
	}
	if err := c.Check(); err != nil {
		return Config{}, fmt.Errorf("%s: %w", src, err)
	}
	return c, nil
}

// isOrgName reports whether s looks like a Hugging Face repository id
// "org/name" rather than a local path.
func isOrgName(s string) bool {
	org, model, ok := strings.Cut(s, "/")
	return ok && org != "" && model != "" && !strings.Contains(model, "/") &&
		!strings.HasPrefix(org, ".") && !strings.HasPrefix(org, "~")
}
