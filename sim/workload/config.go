package workload

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"sigs.k8s.io/yaml"
)

// Generator types (Config.Type).
const (
	TypeSynthetic   = "synthetic"
	TypeTraceReplay = "trace_replay"
)

// Interval generator types (IntervalConfig.Type).
const (
	IntervalPoisson = "poisson"
	IntervalGamma   = "gamma"
	IntervalStatic  = "static"
	IntervalTrace   = "trace"
)

// Length generator types (LengthConfig.Type).
const (
	LengthFixed   = "fixed"
	LengthUniform = "uniform"
	LengthZipf    = "zipf"
	LengthTrace   = "trace"
)

// Config describes a workload. Its JSON/YAML keys follow Vidur's
// request-generator config fields (spec §1.6). Zero values of optional
// limits mean "not set".
type Config struct {
	// Type is "synthetic" (interval + length generators) or "trace_replay"
	// (replay a CSV of arrived_at, num_prefill_tokens, num_decode_tokens).
	Type string `json:"type"`
	// Seed re-seeds Python's random and numpy's global stream before a
	// synthetic workload is generated (Vidur's set_seeds). Must fit numpy's
	// seed range [0, 2^32-1]. Unused by trace_replay (as in Vidur).
	Seed uint64 `json:"seed"`
	// NumRequests is how many synthetic requests to generate; 0 = no count
	// limit. Ignored when Duration is set (Vidur gives duration priority).
	// For trace_replay, N > 0 replays only the first N rows in file order
	// (a trace with fewer rows is an error) and 0 replays the whole file,
	// which is all Vidur can do. DefaultConfig's 128 is for synthetic
	// workloads: set 0 when switching a default config to trace_replay to
	// keep Vidur's behaviour (ParseConfig does so when a file selects
	// trace_replay without giving num_requests).
	NumRequests int `json:"num_requests"`
	// Duration, in seconds, generates synthetic requests until one arrives
	// at or after Duration and keeps only those arriving before it; 0 = no
	// duration limit. Not allowed with trace_replay.
	Duration float64 `json:"duration"`
	// MaxTokens is the maximum prefill+decode tokens of one request: Vidur's
	// length-generator max_tokens (synthetic) or trace_replay max_tokens.
	// Replica schedulers and the memory planner read it too.
	MaxTokens int `json:"max_tokens"`

	// Interval and Length configure the synthetic generator.
	Interval IntervalConfig `json:"interval"`
	Length   LengthConfig   `json:"length"`

	// TraceFile, the scale factors and TimeScaleFactor configure
	// trace_replay: tokens are multiplied by their scale factor, arrival
	// times by TimeScaleFactor (spec §2.4).
	TraceFile          string  `json:"trace_file,omitempty"`
	PrefillScaleFactor float64 `json:"prefill_scale_factor"`
	DecodeScaleFactor  float64 `json:"decode_scale_factor"`
	TimeScaleFactor    float64 `json:"time_scale_factor"`
}

// IntervalConfig configures the inter-arrival times of a synthetic
// workload (spec §2.2).
type IntervalConfig struct {
	// Type is poisson, gamma, static or trace.
	Type string `json:"type"`
	// QPS is the mean arrival rate, requests/s (poisson, gamma). Vidur has
	// separate defaults (poisson 0.5, gamma 0.2); here one field, default 0.5.
	QPS float64 `json:"qps"`
	// CV is the coefficient of variation of gamma intervals (> 0).
	CV float64 `json:"cv"`
	// TraceFile is a CSV with an arrival_time column of datetimes (trace).
	TraceFile string `json:"trace_file,omitempty"`
	// StartTime and EndTime bound the kept arrivals, exclusive, as
	// "YYYY-MM-DD HH:MM:SS" (UTC, like pandas' naive datetimes).
	StartTime string `json:"start_time"`
	EndTime   string `json:"end_time"`
	// TimeScaleFactor multiplies the whole-second arrival offsets (trace).
	TimeScaleFactor float64 `json:"time_scale_factor"`
}

// LengthConfig configures the token counts of a synthetic workload
// (spec §2.3). The maximum total is Config.MaxTokens.
type LengthConfig struct {
	// Type is fixed, uniform, zipf or trace.
	Type string `json:"type"`
	// Seed seeds the Zipf generator's own numpy RandomState and the
	// shuffle of trace lengths (Vidur's length-generator seed, default 42).
	Seed uint64 `json:"seed"`
	// PrefillTokens and DecodeTokens are the fixed lengths.
	PrefillTokens int `json:"prefill_tokens"`
	DecodeTokens  int `json:"decode_tokens"`
	// MinTokens is the smallest total (uniform, zipf).
	MinTokens int `json:"min_tokens"`
	// PrefillToDecodeRatio splits a total: decode = total/(1+ratio) (uniform
	// rounds it up), prefill = the rest.
	PrefillToDecodeRatio float64 `json:"prefill_to_decode_ratio"`
	// Theta is the Zipf skew, in [0, 1).
	Theta float64 `json:"theta"`
	// Scramble permutes Zipf ranks with a hash (see differences-from-vidur).
	Scramble bool `json:"scramble"`
	// TraceFile is a CSV with num_prefill_tokens and num_decode_tokens
	// (trace); rows are scaled, reduced to MaxTokens and shuffled.
	TraceFile          string  `json:"trace_file,omitempty"`
	PrefillScaleFactor float64 `json:"prefill_scale_factor"`
	DecodeScaleFactor  float64 `json:"decode_scale_factor"`
}

// DefaultConfig returns Vidur's default workload: synthetic, 128 requests,
// seed 42, poisson arrivals at 0.5 QPS, fixed 2048 prefill + 512 decode
// tokens, max_tokens 4096. The parameters of the other generator types
// hold Vidur's defaults too (gamma cv 0.5; uniform/zipf min 1024, ratio 20;
// zipf theta 0.6; trace window 1970-01-04 12:00–15:00; scale factors 1).
func DefaultConfig() Config {
	return Config{
		Type:               TypeSynthetic,
		Seed:               42,
		NumRequests:        128,
		MaxTokens:          4096,
		PrefillScaleFactor: 1,
		DecodeScaleFactor:  1,
		TimeScaleFactor:    1,
		Interval: IntervalConfig{
			Type:            IntervalPoisson,
			QPS:             0.5,
			CV:              0.5,
			StartTime:       "1970-01-04 12:00:00",
			EndTime:         "1970-01-04 15:00:00",
			TimeScaleFactor: 1,
		},
		Length: LengthConfig{
			Type:                 LengthFixed,
			Seed:                 42,
			PrefillTokens:        2048,
			DecodeTokens:         512,
			MinTokens:            1024,
			PrefillToDecodeRatio: 20,
			Theta:                0.6,
			PrefillScaleFactor:   1,
			DecodeScaleFactor:    1,
		},
	}
}

// ParseConfig reads a YAML or JSON workload config on top of DefaultConfig
// (keys not given keep their defaults), rejects unknown keys and validates
// the result. name is used in error messages (usually the file path). A
// trace_replay config without a num_requests key replays the whole trace
// (num_requests 0), not DefaultConfig's 128 synthetic requests.
func ParseConfig(name string, data []byte) (Config, error) {
	cfg := DefaultConfig()
	if err := yaml.UnmarshalStrict(data, &cfg); err != nil {
		return Config{}, fmt.Errorf("read workload config %s: %w", name, err)
	}
	if cfg.Type == TypeTraceReplay && !setsNumRequests(data) {
		cfg.NumRequests = 0
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, fmt.Errorf("workload config %s: %w", name, err)
	}
	return cfg, nil
}

// setsNumRequests reports whether a YAML or JSON workload config gives the
// num_requests key at its top level (any value, including 0): an explicit
// request count rather than the default one.
func setsNumRequests(data []byte) bool {
	var probe struct {
		NumRequests *int `json:"num_requests"`
	}
	return yaml.Unmarshal(data, &probe) == nil && probe.NumRequests != nil
}

// maxNumPySeed is the largest seed numpy.random.seed accepts.
const maxNumPySeed = math.MaxUint32

// TimeLayout is the datetime layout of StartTime/EndTime and, with optional
// fractional seconds, of arrival_time columns.
const TimeLayout = "2006-01-02 15:04:05"

// Validate reports every problem in c as one error (problems joined by
// newlines), each naming the config key and what is expected. It rejects
// configurations Vidur would crash on or loop forever with.
func (c Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{key}, args...)...))
	}
	positiveFinite := func(key string, v float64) {
		if !(v > 0) || math.IsInf(v, 0) {
			bad(key, "must be a positive finite number, got %v", v)
		}
	}
	if c.MaxTokens < 2 {
		bad("max_tokens", "must be at least 2 (one prefill and one decode token), got %d", c.MaxTokens)
	}
	switch c.Type {
	case TypeTraceReplay:
		if strings.TrimSpace(c.TraceFile) == "" {
			bad("trace_file", "must name a CSV with columns arrived_at,num_prefill_tokens,num_decode_tokens for type trace_replay")
		}
		positiveFinite("prefill_scale_factor", c.PrefillScaleFactor)
		positiveFinite("decode_scale_factor", c.DecodeScaleFactor)
		positiveFinite("time_scale_factor", c.TimeScaleFactor)
		if c.Duration != 0 {
			bad("duration", "applies to synthetic workloads only; trace_replay replays the whole file or its first num_requests rows, got %v", c.Duration)
		}
		if c.NumRequests < 0 {
			bad("num_requests", "must be ≥ 0 (0 = replay the whole trace), got %d", c.NumRequests)
		}
	case TypeSynthetic:
		errs = append(errs, c.validateSynthetic()...)
	default:
		bad("type", "must be %q or %q, got %q", TypeSynthetic, TypeTraceReplay, c.Type)
	}
	return errors.Join(errs...)
}

func (c Config) validateSynthetic() []error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{key}, args...)...))
	}
	positiveFinite := func(key string, v float64) {
		if !(v > 0) || math.IsInf(v, 0) {
			bad(key, "must be a positive finite number, got %v", v)
		}
	}
	if c.Seed > maxNumPySeed {
		bad("seed", "must be in [0, 2^32-1] (numpy's seed range), got %d", c.Seed)
	}
	if c.NumRequests < 0 {
		bad("num_requests", "must be ≥ 0 (0 = no count limit), got %d", c.NumRequests)
	}
	if c.Duration < 0 || math.IsNaN(c.Duration) || math.IsInf(c.Duration, 0) {
		bad("duration", "must be a finite number of seconds ≥ 0 (0 = no duration limit), got %v", c.Duration)
	}
	iv := c.Interval
	if c.Duration == 0 && c.NumRequests == 0 && iv.Type != IntervalTrace {
		bad("num_requests", "no limit: set num_requests or duration (only an interval trace ends by itself)")
	}
	switch iv.Type {
	case IntervalPoisson:
		positiveFinite("interval.qps", iv.QPS)
	case IntervalGamma:
		positiveFinite("interval.qps", iv.QPS)
		positiveFinite("interval.cv", iv.CV)
	case IntervalStatic:
		if c.Duration > 0 {
			bad("duration", "cannot be combined with interval.type static: every request arrives at t=0, so time never reaches the duration (Vidur loops forever); use num_requests")
		}
	case IntervalTrace:
		if strings.TrimSpace(iv.TraceFile) == "" {
			bad("interval.trace_file", "must name a CSV with an arrival_time column for interval.type trace")
		}
		positiveFinite("interval.time_scale_factor", iv.TimeScaleFactor)
		start, err1 := time.Parse(TimeLayout, iv.StartTime)
		if err1 != nil {
			bad("interval.start_time", "must look like %q, got %q", TimeLayout, iv.StartTime)
		}
		end, err2 := time.Parse(TimeLayout, iv.EndTime)
		if err2 != nil {
			bad("interval.end_time", "must look like %q, got %q", TimeLayout, iv.EndTime)
		}
		if err1 == nil && err2 == nil && !end.After(start) {
			bad("interval.end_time", "must be after interval.start_time (%s), got %s", iv.StartTime, iv.EndTime)
		}
	default:
		bad("interval.type", "must be one of poisson, gamma, static, trace; got %q", iv.Type)
	}
	l := c.Length
	numpySeed := func() {
		if l.Seed > maxNumPySeed {
			bad("length.seed", "must be in [0, 2^32-1] (numpy's seed range), got %d", l.Seed)
		}
	}
	minMax := func() {
		if l.MinTokens < 1 {
			bad("length.min_tokens", "must be ≥ 1, got %d", l.MinTokens)
		}
		if l.MinTokens > c.MaxTokens {
			bad("length.min_tokens", "must be ≤ max_tokens (%d), got %d", c.MaxTokens, l.MinTokens)
		}
		positiveFinite("length.prefill_to_decode_ratio", l.PrefillToDecodeRatio)
	}
	switch l.Type {
	case LengthFixed:
		if l.PrefillTokens < 1 {
			bad("length.prefill_tokens", "must be ≥ 1, got %d", l.PrefillTokens)
		}
		if l.DecodeTokens < 1 {
			bad("length.decode_tokens", "must be ≥ 1, got %d", l.DecodeTokens)
		}
		if l.PrefillTokens+l.DecodeTokens > c.MaxTokens {
			bad("length.prefill_tokens", "prefill_tokens + decode_tokens = %d exceeds max_tokens %d", l.PrefillTokens+l.DecodeTokens, c.MaxTokens)
		}
	case LengthUniform:
		minMax()
	case LengthZipf:
		minMax()
		numpySeed()
		if !(l.Theta >= 0 && l.Theta < 1) {
			bad("length.theta", "must be in [0, 1), got %v", l.Theta)
		}
	case LengthTrace:
		numpySeed()
		if strings.TrimSpace(l.TraceFile) == "" {
			bad("length.trace_file", "must name a CSV with columns num_prefill_tokens,num_decode_tokens for length.type trace")
		}
		positiveFinite("length.prefill_scale_factor", l.PrefillScaleFactor)
		positiveFinite("length.decode_scale_factor", l.DecodeScaleFactor)
	default:
		bad("length.type", "must be one of fixed, uniform, zipf, trace; got %q", l.Type)
	}
	return errs
}
