package workload

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vidur-go/vidur-go/sim/rng"
)

func TestValidate(t *testing.T) {
	cases := []struct {
		name   string
		modify func(*Config)
		want   string // substring of the error; "" = valid
	}{
		{"default", func(c *Config) {}, ""},
		{"negative qps", func(c *Config) { c.Interval.QPS = -1 }, "interval.qps: must be a positive finite number"},
		{"gamma cv zero", func(c *Config) { c.Interval.Type = IntervalGamma; c.Interval.CV = 0 }, "interval.cv"},
		{"min over max", func(c *Config) { c.Length.Type = LengthUniform; c.Length.MinTokens = 5000 }, "length.min_tokens: must be ≤ max_tokens"},
		{"static with duration", func(c *Config) { c.Interval.Type = IntervalStatic; c.Duration = 10 }, "loops forever"},
		{"no limit", func(c *Config) { c.NumRequests = 0 }, "no limit"},
		{"unknown type", func(c *Config) { c.Type = "replay" }, `type: must be "synthetic" or "trace_replay"`},
		{"unknown interval", func(c *Config) { c.Interval.Type = "uniform" }, "interval.type"},
		{"unknown length", func(c *Config) { c.Length.Type = "normal" }, "length.type"},
		{"seed too big", func(c *Config) { c.Seed = 1 << 32 }, "seed: must be in [0, 2^32-1]"},
		{"zipf theta 1", func(c *Config) { c.Length.Type = LengthZipf; c.Length.Theta = 1 }, "length.theta"},
		{"fixed over max", func(c *Config) { c.Length.PrefillTokens = 4000 }, "exceeds max_tokens"},
		{"trace replay without file", func(c *Config) { c.Type = TypeTraceReplay }, "trace_file: must name a CSV"},
		{"trace replay negative count", func(c *Config) { c.Type = TypeTraceReplay; c.TraceFile = "x.csv"; c.NumRequests = -5 }, "num_requests: must be ≥ 0 (0 = replay the whole trace)"},
		{"trace replay with duration", func(c *Config) { c.Type = TypeTraceReplay; c.TraceFile = "x.csv"; c.Duration = 5 }, "synthetic workloads only"},
		{"interval trace window", func(c *Config) {
			c.Interval.Type = IntervalTrace
			c.Interval.TraceFile = "a.csv"
			c.Interval.EndTime = c.Interval.StartTime
		}, "interval.end_time: must be after"},
		{"bad start time", func(c *Config) {
			c.Interval.Type = IntervalTrace
			c.Interval.TraceFile = "a.csv"
			c.Interval.StartTime = "noon"
		}, "interval.start_time"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := DefaultConfig()
			c.modify(&cfg)
			err := cfg.Validate()
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case c.want != "" && err == nil:
				t.Fatalf("no error, want %q", c.want)
			case c.want != "" && !strings.Contains(err.Error(), c.want):
				t.Fatalf("error %q does not mention %q", err, c.want)
			}
		})
	}
}

func TestParseConfig(t *testing.T) {
	in := `
type: synthetic
seed: 7
num_requests: 10
interval: {type: gamma, qps: 2, cv: 1.5}
length:
  type: zipf
  theta: 0.8
`
	cfg, err := ParseConfig("w.yaml", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Seed != 7 || cfg.Interval.CV != 1.5 || cfg.Length.Theta != 0.8 || cfg.MaxTokens != 4096 || cfg.Length.MinTokens != 1024 {
		t.Errorf("parsed %+v", cfg)
	}
	// trace_replay without num_requests replays the whole trace; with it,
	// the first num_requests rows.
	for in, want := range map[string]int{
		"type: trace_replay\ntrace_file: t.csv\n":                   0,
		"type: trace_replay\ntrace_file: t.csv\nnum_requests: 50\n": 50,
		"{\"type\": \"trace_replay\", \"trace_file\": \"t.csv\"}":   0,
		"type: synthetic\n": 128,
		"num_requests: 0\ntype: trace_replay\ntrace_file: t.csv\n":   0,
		"type: trace_replay\ntrace_file: t.csv\nnum_requests: 128\n": 128,
	} {
		cfg, err := ParseConfig("w.yaml", []byte(in))
		if err != nil || cfg.NumRequests != want {
			t.Errorf("%q: num_requests %d (err %v), want %d", in, cfg.NumRequests, err, want)
		}
	}
	if _, err := ParseConfig("w.yaml", []byte("interval: {type: poisson, qsp: 2}\n")); err == nil || !strings.Contains(err.Error(), "w.yaml") || !strings.Contains(err.Error(), "qsp") {
		t.Errorf("unknown key error: %v", err)
	}
	if _, err := ParseConfig("w.yaml", []byte("interval: {qps: -2}\n")); err == nil || !strings.Contains(err.Error(), "interval.qps") {
		t.Errorf("invalid value error: %v", err)
	}
}

func FuzzParseConfig(f *testing.F) {
	f.Add("type: synthetic\nnum_requests: 3\ninterval: {type: gamma, qps: 2, cv: 0.1}\nlength: {type: uniform, min_tokens: 100}\n")
	f.Add("{\"type\": \"synthetic\", \"duration\": 5, \"length\": {\"type\": \"zipf\", \"theta\": 0.9, \"scramble\": true}}")
	f.Add("interval: {type: static}\nnum_requests: 4\nmax_tokens: 2\nlength: {prefill_tokens: 1, decode_tokens: 1}\n")
	f.Fuzz(func(t *testing.T, in string) {
		cfg, err := ParseConfig("f.yaml", []byte(in))
		if err != nil {
			return
		}
		// Keep generation cheap: only configs that produce few requests and
		// read no files.
		if cfg.Type != TypeSynthetic || cfg.Interval.Type == IntervalTrace || cfg.Length.Type == LengthTrace ||
			cfg.NumRequests > 1000 || cfg.Duration*cfg.Interval.QPS > 1000 || cfg.MaxTokens > 1<<20 ||
			(cfg.Duration > 0 && cfg.Interval.QPS < 1e-3) {
			return
		}
		reqs, err := Generate(cfg, nil)
		if err != nil {
			return
		}
		for i, r := range reqs {
			if r.NumPrefillTokens < 1 || r.NumDecodeTokens < 1 || !(r.ArrivedAt >= 0) {
				t.Fatalf("request %d: %+v", i, r)
			}
		}
	})
}

func ExampleGenerate() {
	cfg := DefaultConfig() // synthetic: poisson 0.5 QPS, 2048+512 tokens, 128 requests, seed 42
	py := rng.NewPython(42)
	reqs, err := Generate(cfg, py)
	if err != nil {
		panic(err)
	}
	fmt.Println(len(reqs), reqs[0].ArrivedAt, reqs[0].NumPrefillTokens, reqs[0].NumDecodeTokens)
	// The random global scheduler continues the same stream. CPython agrees:
	// random.seed(42); 128 × random.random(); random.randint(1, 4) - 1 == 2.
	fmt.Println(py.RandInt(1, 4) - 1)
	// Output:
	// 128 2.040120574549602 2048 512
	// 2
}

func BenchmarkGenerate1MPoissonUniform(b *testing.B) {
	cfg := DefaultConfig()
	cfg.NumRequests = 1_000_000
	cfg.Length.Type = LengthUniform
	py := rng.NewPython(0)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Generate(cfg, py); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGenerate1MGammaZipf(b *testing.B) {
	cfg := DefaultConfig()
	cfg.NumRequests = 1_000_000
	cfg.Interval.Type = IntervalGamma
	cfg.Length.Type = LengthZipf
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Generate(cfg, nil); err != nil {
			b.Fatal(err)
		}
	}
}
