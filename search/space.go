package search

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

// Space is a search space as read from YAML. Every list is a dimension of
// the cross product; Expand turns it into Points. Field names are the YAML
// keys; unknown keys are errors.
type Space struct {
	// Name labels the search in reports (optional).
	Name string `json:"name,omitempty"`
	// Models are catalog names, e.g. "meta-llama/Llama-2-70b-hf".
	Models []string `json:"models"`
	// Clusters are the hardware pools; each gives a device SKU, a node SKU
	// and a GPU budget.
	Clusters []Cluster `json:"clusters"`
	// TensorParallel and PipelineParallel are the TP and PP degrees to try.
	TensorParallel   []int `json:"tensor_parallel"`
	PipelineParallel []int `json:"pipeline_parallel"`
	// Schedulers are the replica schedulers with the knob values to try.
	Schedulers []Scheduler `json:"schedulers"`
	// GlobalScheduler routes requests to replicas (Vidur's round_robin,
	// random or lor); default "round_robin".
	GlobalScheduler string `json:"global_scheduler,omitempty"`
	// MemoryMarginFraction is the share of device memory kept free by the
	// memory planner (spec §7); default 0.1.
	MemoryMarginFraction *float64 `json:"memory_margin_fraction,omitempty"`
	// Workload is the request stream every probe simulates.
	Workload Workload `json:"workload"`
	// SLOs must all hold at a configuration's capacity; default TTFT p90 ≤
	// 2 s, TBT p99 ≤ 0.2 s, scheduling delay p99 ≤ 5 s.
	SLOs []SLO `json:"slos,omitempty"`
	// Search tunes the capacity search.
	Search CapacityOptions `json:"search,omitempty"`
	// Cost overrides catalog prices.
	Cost CostOptions `json:"cost,omitempty"`
}

// Cluster is a pool of identical GPUs: Device and Node are hardware catalog
// names, GPUs the budget. A configuration with tensor degree TP and pipeline
// degree PP runs GPUs / (TP·PP) replicas (spec §11.1).
type Cluster struct {
	Device string `json:"device"`
	Node   string `json:"node"`
	GPUs   int    `json:"gpus"`
}

// Scheduler is one replica scheduler and the knob values to try.
type Scheduler struct {
	// Name is vllm, sarathi, orca, lightllm or faster_transformer.
	Name string `json:"name"`
	// BatchSizes are per-pipeline-stage batch sizes; the replica's
	// batch_size_cap is batch size × PP, as in Vidur's search (spec §11.1).
	// Default [128].
	BatchSizes []int `json:"batch_sizes,omitempty"`
	// ChunkSizes are Sarathi's chunk sizes in tokens (sarathi only).
	// Default [512].
	ChunkSizes []int `json:"chunk_sizes,omitempty"`
}

// Workload describes the requests of each probe: lengths from a trace or
// fixed synthetic lengths, Poisson arrivals at the probed QPS.
type Workload struct {
	// Trace is a CSV of request lengths (Vidur's trace format with
	// num_prefill_tokens and num_decode_tokens columns), relative paths
	// resolved against the space file's directory by the command.
	Trace string `json:"trace,omitempty"`
	// PrefillTokens and DecodeTokens are fixed synthetic lengths, used when
	// Trace is empty.
	PrefillTokens int `json:"prefill_tokens,omitempty"`
	DecodeTokens  int `json:"decode_tokens,omitempty"`
	// Requests is the number of requests per probe; default 2000.
	Requests int `json:"requests,omitempty"`
	// MaxTokens caps prefill+decode per request and sizes the KV cache
	// (the request generator's max_tokens); default 4096.
	MaxTokens int `json:"max_tokens,omitempty"`
	// Seed seeds the request generator; every probe uses the same seed, so
	// probes at different QPS see the same requests, time-scaled.
	Seed uint64 `json:"seed,omitempty"`
}

// CapacityOptions tunes the capacity search of one configuration.
type CapacityOptions struct {
	// StartQPS is the first probed rate; default 1.
	StartQPS float64 `json:"start_qps,omitempty"`
	// MinQPS is the lowest rate probed before declaring zero capacity;
	// default 0.01.
	MinQPS float64 `json:"min_qps,omitempty"`
	// MaxQPS bounds the bracketing; default 10000.
	MaxQPS float64 `json:"max_qps,omitempty"`
	// Tolerance is the relative width at which bisection stops:
	// (hi − lo) ≤ Tolerance · lo; default 0.025 (Vidur's 2.5 %).
	Tolerance float64 `json:"tolerance,omitempty"`
	// MaxProbes bounds simulations per configuration; default 40.
	MaxProbes int `json:"max_probes,omitempty"`
	// FullProbes simulates every probe to its end. By default a probe
	// stops as soon as an SLO is certain to be violated over the whole run
	// (see Probe.Stop): the capacities are the same, the probes that fail
	// cost less, and their recorded percentiles cover the part simulated.
	FullProbes bool `json:"full_probes,omitempty"`
}

// CostOptions overrides prices.
type CostOptions struct {
	// GPUPricePerHour maps device names to US dollars per GPU-hour,
	// replacing the hardware catalog's price.
	GPUPricePerHour map[string]float64 `json:"gpu_price_per_hour,omitempty"`
}

// Scheduler names the search accepts (Vidur's replica schedulers).
var schedulerNames = []string{"faster_transformer", "lightllm", "orca", "sarathi", "vllm"}

// DefaultSLOs are TTFT p90 ≤ 2 s, TBT p99 ≤ 200 ms and scheduling delay p99 ≤
// 5 s: the two SLOs of Vidur's Pareto analysis plus the one its capacity
// search checks (spec §11.2, §11.3).
func DefaultSLOs() []SLO {
	return []SLO{
		{Metric: TTFT, Quantile: 0.9, MaxS: 2},
		{Metric: TBT, Quantile: 0.99, MaxS: 0.2},
		{Metric: SchedulingDelay, Quantile: 0.99, MaxS: 5},
	}
}

// ParseSpace reads a search space from YAML (or JSON), strictly: an unknown
// or duplicate key is an error naming it. Defaults are filled in and every
// field is validated; name (a file name) prefixes every error.
func ParseSpace(data []byte, name string) (*Space, error) {
	var s Space
	if err := yaml.UnmarshalStrict(data, &s); err != nil {
		return nil, fmt.Errorf("%s: %s", name, cleanYAMLError(err))
	}
	if err := s.normalize(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &s, nil
}

// cleanYAMLError strips the converter's layering from sigs.k8s.io/yaml
// messages ("error unmarshaling JSON: while decoding JSON: json: unknown
// field "x"") down to the part a user acts on.
func cleanYAMLError(err error) string {
	msg := err.Error()
	for _, p := range []string{"error unmarshaling JSON: ", "while decoding JSON: ", "json: ", "error converting YAML to JSON: "} {
		msg = strings.ReplaceAll(msg, p, "")
	}
	return msg
}

// normalize fills defaults and validates; the result is the canonical space.
func (s *Space) normalize() error {
	if len(s.Models) == 0 {
		return errors.New("models: at least one model is required")
	}
	if err := uniqueStrings("models", s.Models); err != nil {
		return err
	}
	if len(s.Clusters) == 0 {
		return errors.New("clusters: at least one cluster is required")
	}
	for i, c := range s.Clusters {
		switch {
		case c.Device == "":
			return fmt.Errorf("clusters[%d].device: required", i)
		case c.Node == "":
			return fmt.Errorf("clusters[%d].node: required", i)
		case c.GPUs <= 0:
			return fmt.Errorf("clusters[%d].gpus: must be positive, got %d", i, c.GPUs)
		}
		for j := range i {
			if s.Clusters[j] == c {
				return fmt.Errorf("clusters[%d]: duplicate of clusters[%d]", i, j)
			}
		}
	}
	if len(s.TensorParallel) == 0 {
		s.TensorParallel = []int{1}
	}
	if len(s.PipelineParallel) == 0 {
		s.PipelineParallel = []int{1}
	}
	if err := positiveUnique("tensor_parallel", s.TensorParallel); err != nil {
		return err
	}
	if err := positiveUnique("pipeline_parallel", s.PipelineParallel); err != nil {
		return err
	}
	if len(s.Schedulers) == 0 {
		return errors.New("schedulers: at least one scheduler is required")
	}
	for i := range s.Schedulers {
		sc := &s.Schedulers[i]
		if !contains(schedulerNames, sc.Name) {
			return fmt.Errorf("schedulers[%d].name: unknown scheduler %q (want one of %s)", i, sc.Name, strings.Join(schedulerNames, ", "))
		}
		for j := range i {
			if s.Schedulers[j].Name == sc.Name {
				return fmt.Errorf("schedulers[%d]: %s listed twice (put all its knob values in one entry)", i, sc.Name)
			}
		}
		if len(sc.BatchSizes) == 0 {
			sc.BatchSizes = []int{128}
		}
		if err := positiveUnique(fmt.Sprintf("schedulers[%d].batch_sizes", i), sc.BatchSizes); err != nil {
			return err
		}
		if sc.Name == "sarathi" {
			if len(sc.ChunkSizes) == 0 {
				sc.ChunkSizes = []int{512}
			}
			if err := positiveUnique(fmt.Sprintf("schedulers[%d].chunk_sizes", i), sc.ChunkSizes); err != nil {
				return err
			}
		} else if len(sc.ChunkSizes) > 0 {
			return fmt.Errorf("schedulers[%d].chunk_sizes: only sarathi has a chunk size, not %s", i, sc.Name)
		}
	}
	switch s.GlobalScheduler {
	case "":
		s.GlobalScheduler = "round_robin"
	case "round_robin", "random", "lor":
	default:
		return fmt.Errorf("global_scheduler: unknown %q (want round_robin, random or lor)", s.GlobalScheduler)
	}
	if s.MemoryMarginFraction == nil {
		m := 0.1
		s.MemoryMarginFraction = &m
	}
	if m := *s.MemoryMarginFraction; !(m >= 0 && m < 1) {
		return fmt.Errorf("memory_margin_fraction: must be in [0, 1), got %v", m)
	}
	if err := s.Workload.normalize(); err != nil {
		return err
	}
	if len(s.SLOs) == 0 {
		s.SLOs = DefaultSLOs()
	}
	for i, slo := range s.SLOs {
		if err := slo.validate(); err != nil {
			return fmt.Errorf("slos[%d]: %w", i, err)
		}
		for j := range i {
			if s.SLOs[j].Metric == slo.Metric && s.SLOs[j].Quantile == slo.Quantile {
				return fmt.Errorf("slos[%d]: duplicate of slos[%d] (%s)", i, j, slo.Name())
			}
		}
	}
	if err := s.Search.normalize(); err != nil {
		return fmt.Errorf("search: %w", err)
	}
	for _, d := range sortedKeys(s.Cost.GPUPricePerHour) {
		if p := s.Cost.GPUPricePerHour[d]; !(p > 0) || math.IsInf(p, 0) {
			return fmt.Errorf("cost.gpu_price_per_hour.%s: must be a positive number of dollars, got %v", d, p)
		}
	}
	return nil
}

func (w *Workload) normalize() error {
	if w.Trace == "" && (w.PrefillTokens <= 0 || w.DecodeTokens <= 0) {
		return fmt.Errorf("workload: give a trace, or positive prefill_tokens and decode_tokens (got %d and %d)", w.PrefillTokens, w.DecodeTokens)
	}
	if w.Trace != "" && (w.PrefillTokens != 0 || w.DecodeTokens != 0) {
		return errors.New("workload: give either a trace or prefill_tokens/decode_tokens, not both")
	}
	if w.Requests == 0 {
		w.Requests = 2000
	}
	if w.Requests < 0 {
		return fmt.Errorf("workload.requests: must be positive, got %d", w.Requests)
	}
	if w.MaxTokens == 0 {
		w.MaxTokens = 4096
	}
	if w.MaxTokens < 0 {
		return fmt.Errorf("workload.max_tokens: must be positive, got %d", w.MaxTokens)
	}
	if w.Trace == "" && w.PrefillTokens+w.DecodeTokens > w.MaxTokens {
		return fmt.Errorf("workload: prefill_tokens+decode_tokens = %d exceeds max_tokens %d", w.PrefillTokens+w.DecodeTokens, w.MaxTokens)
	}
	return nil
}

func (o *CapacityOptions) normalize() error {
	if o.StartQPS == 0 {
		o.StartQPS = 1
	}
	if o.MinQPS == 0 {
		o.MinQPS = 0.01
	}
	if o.MaxQPS == 0 {
		o.MaxQPS = 10000
	}
	if o.Tolerance == 0 {
		o.Tolerance = 0.025
	}
	if o.MaxProbes == 0 {
		o.MaxProbes = 40
	}
	switch {
	case !(o.MinQPS > 0) || math.IsInf(o.MinQPS, 0):
		return fmt.Errorf("min_qps: must be positive, got %v", o.MinQPS)
	case !(o.StartQPS >= o.MinQPS) || !(o.StartQPS <= o.MaxQPS):
		return fmt.Errorf("start_qps: must lie in [min_qps, max_qps] = [%v, %v], got %v", o.MinQPS, o.MaxQPS, o.StartQPS)
	case math.IsInf(o.MaxQPS, 0):
		return errors.New("max_qps: must be finite")
	case !(o.Tolerance > 0 && o.Tolerance < 1):
		return fmt.Errorf("tolerance: must be in (0, 1), got %v", o.Tolerance)
	case o.MaxProbes < 2:
		return fmt.Errorf("max_probes: must be at least 2, got %d", o.MaxProbes)
	}
	return nil
}

// Hash is a short hex digest of the canonical (normalized) space without
// its name and cost overrides: two spaces with the same hash expand to the
// same configurations and probes, so their capacity results are
// interchangeable (prices only enter the report). Results files carry it so
// that resuming or merging across different spaces fails.
func (s *Space) Hash() string {
	c := *s
	c.Name, c.Cost = "", CostOptions{}
	b := c.canonicalJSON()
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// canonicalJSON is the normalized space as JSON (encoding/json sorts map
// keys, so the bytes are deterministic).
func (s *Space) canonicalJSON() []byte {
	b, err := json.Marshal(s)
	if err != nil {
		panic(fmt.Sprintf("search: marshal space: %v", err)) // plain data: cannot fail
	}
	return b
}

func positiveUnique(field string, v []int) error {
	seen := map[int]bool{}
	for i, x := range v {
		if x <= 0 {
			return fmt.Errorf("%s[%d]: must be positive, got %d", field, i, x)
		}
		if seen[x] {
			return fmt.Errorf("%s[%d]: %d listed twice", field, i, x)
		}
		seen[x] = true
	}
	return nil
}

func uniqueStrings(field string, v []string) error {
	seen := map[string]bool{}
	for i, x := range v {
		if x == "" {
			return fmt.Errorf("%s[%d]: empty name", field, i)
		}
		if seen[x] {
			return fmt.Errorf("%s[%d]: %q listed twice", field, i, x)
		}
		seen[x] = true
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
