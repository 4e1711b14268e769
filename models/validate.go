package models

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Sanity limits on a Config's dimensions. They are far above any published
// model and keep every derived count well inside int64.
const (
	maxLayers    = 1 << 12
	maxHeads     = 1 << 12
	maxDim       = 1 << 20
	maxVocab     = 1 << 24
	maxPositions = 1 << 30
)

// Activations and norms a Config may name.
var (
	knownActivations = []string{"gelu", "silu"}
	knownNorms       = []string{"layer_norm", "rms_norm"}
)

// Check reports whether c describes a well-formed model, independently of
// any parallel split: a non-empty name and family, positive dimensions,
// embedding_dim divisible by num_q_heads, num_q_heads divisible by
// num_kv_heads (grouped-query attention), a known activation and norm,
// rope_theta > 0 and 0 < partial_rotary_factor ≤ 1, and dimensions below
// generous sanity limits (4096 layers or heads, 2^20 hidden size, 2^24
// vocabulary, 2^30 positions). All problems are
// reported together, each naming the JSON key.
func (c *Config) Check() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if c.Name == "" {
		bad("name", "must not be empty")
	}
	if c.Family == "" {
		bad("family", "must not be empty")
	}
	for _, f := range []struct {
		key   string
		v     int
		limit int
	}{
		{"num_layers", c.NumLayers, maxLayers}, {"num_q_heads", c.NumQHeads, maxHeads},
		{"num_kv_heads", c.NumKVHeads, maxHeads}, {"embedding_dim", c.EmbeddingDim, maxDim},
		{"mlp_hidden_dim", c.MLPHiddenDim, maxDim}, {"vocab_size", c.VocabSize, maxVocab},
		{"max_position_embeddings", c.MaxPositionEmbeddings, maxPositions},
	} {
		switch {
		case f.v <= 0:
			bad(f.key, "must be a positive integer, got %d", f.v)
		case f.v > f.limit:
			bad(f.key, "%d is implausibly large (limit %d)", f.v, f.limit)
		}
	}
	if c.NumQHeads > 0 && c.EmbeddingDim > 0 && c.EmbeddingDim%c.NumQHeads != 0 {
		bad("embedding_dim", "%d is not divisible by num_q_heads %d (head dimension must be whole)", c.EmbeddingDim, c.NumQHeads)
	}
	if c.NumQHeads > 0 && c.NumKVHeads > 0 && c.NumQHeads%c.NumKVHeads != 0 {
		bad("num_kv_heads", "%d does not divide num_q_heads %d (each KV head must serve the same number of query heads)", c.NumKVHeads, c.NumQHeads)
	}
	if !contains(knownActivations, c.Activation) {
		bad("activation", "%q is not one of %s", c.Activation, strings.Join(knownActivations, ", "))
	}
	if !contains(knownNorms, c.Norm) {
		bad("norm", "%q is not one of %s", c.Norm, strings.Join(knownNorms, ", "))
	}
	if !(c.RopeTheta > 0) || math.IsInf(c.RopeTheta, 0) {
		bad("rope_theta", "must be a positive finite number, got %v", c.RopeTheta)
	}
	if !(c.PartialRotaryFactor > 0 && c.PartialRotaryFactor <= 1) {
		bad("partial_rotary_factor", "must be in (0, 1], got %v", c.PartialRotaryFactor)
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("model %q: %w", c.Name, errors.Join(errs...))
}

// Validate reports whether c can be split over tp tensor-parallel and pp
// pipeline-parallel devices. It applies Check, then Vidur's start-up rules
// (spec §1.11: num_layers % pp == 0, embedding_dim % tp == 0,
// num_q_heads % tp == 0; no_tensor_parallel models need tp == 1) and the
// rules a real tensor-parallel engine (vLLM, Megatron) adds:
// mlp_hidden_dim % tp == 0, and KV heads either split evenly
// (num_kv_heads % tp == 0) or are replicated evenly (tp % num_kv_heads == 0).
// Every violated rule is reported, with the values that would work.
func (c *Config) Validate(tp, pp int) error {
	if err := c.Check(); err != nil {
		return err
	}
	var errs []error
	if tp < 1 {
		errs = append(errs, fmt.Errorf("tensor parallel degree must be ≥ 1, got %d", tp))
	}
	if pp < 1 {
		errs = append(errs, fmt.Errorf("pipeline parallel degree must be ≥ 1, got %d", pp))
	}
	if pp >= 1 && c.NumLayers%pp != 0 {
		errs = append(errs, fmt.Errorf("pipeline parallel %d does not divide num_layers %d; valid PP values: %s",
			pp, c.NumLayers, joinInts(c.ValidPP())))
	}
	if tp >= 1 {
		if reasons := c.tpProblems(tp); len(reasons) > 0 {
			errs = append(errs, fmt.Errorf("tensor parallel %d: %s; valid TP values: %s",
				tp, strings.Join(reasons, "; "), joinInts(c.ValidTP())))
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("model %s with TP %d, PP %d: %w", c.Name, tp, pp, errors.Join(errs...))
}

// tpProblems lists why tp (≥ 1) is not a valid tensor-parallel degree.
func (c *Config) tpProblems(tp int) []string {
	var r []string
	if c.NoTensorParallel && tp != 1 {
		r = append(r, "this model does not support tensor parallelism (no_tensor_parallel, as in Vidur)")
	}
	if c.EmbeddingDim%tp != 0 {
		r = append(r, fmt.Sprintf("embedding_dim %d is not divisible by %d", c.EmbeddingDim, tp))
	}
	if c.NumQHeads%tp != 0 {
		r = append(r, fmt.Sprintf("num_q_heads %d is not divisible by %d", c.NumQHeads, tp))
	}
	if c.MLPHiddenDim%tp != 0 {
		r = append(r, fmt.Sprintf("mlp_hidden_dim %d is not divisible by %d", c.MLPHiddenDim, tp))
	}
	if c.NumKVHeads%tp != 0 && tp%c.NumKVHeads != 0 {
		r = append(r, fmt.Sprintf("num_kv_heads %d can neither be split nor evenly replicated over %d devices", c.NumKVHeads, tp))
	}
	return r
}

// ValidTP returns every tensor-parallel degree Validate accepts for c, in
// increasing order (all are divisors of num_q_heads). c must pass Check.
func (c *Config) ValidTP() []int {
	var out []int
	for _, tp := range divisors(c.NumQHeads) {
		if len(c.tpProblems(tp)) == 0 {
			out = append(out, tp)
		}
	}
	return out
}

// ValidPP returns every pipeline-parallel degree Validate accepts for c (the
// divisors of num_layers), in increasing order.
func (c *Config) ValidPP() []int {
	return divisors(c.NumLayers)
}

// divisors returns the positive divisors of n in increasing order (nil for
// n ≤ 0), in O(√n) steps.
func divisors(n int) []int {
	var small, large []int
	for d := 1; d <= n/d; d++ {
		if n%d == 0 {
			small = append(small, d)
			if d != n/d {
				large = append(large, n/d)
			}
		}
	}
	for i := len(large) - 1; i >= 0; i-- {
		small = append(small, large[i])
	}
	return small
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ", ")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
