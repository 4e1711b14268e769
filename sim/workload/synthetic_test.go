package workload

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/vidur-go/vidur-go/sim/rng"
)

// testdata/synthetic.json comes from testdata/gen.py, a Python
// transcription of Vidur's generator running on CPython's random and numpy.
type syntheticGolden struct {
	Cases []struct {
		Name        string         `json:"name"`
		Seed        uint64         `json:"seed"`
		NumRequests int            `json:"num_requests"`
		Duration    float64        `json:"duration"`
		MaxTokens   int            `json:"max_tokens"`
		Interval    IntervalConfig `json:"interval"`
		Length      struct {
			Type                 string  `json:"type"`
			Seed                 *uint64 `json:"seed"`
			PrefillTokens        int     `json:"prefill_tokens"`
			DecodeTokens         int     `json:"decode_tokens"`
			MinTokens            int     `json:"min_tokens"`
			PrefillToDecodeRatio float64 `json:"prefill_to_decode_ratio"`
			Theta                float64 `json:"theta"`
		} `json:"length"`
		Requests [][3]float64 `json:"requests"`
	} `json:"cases"`
	Zeta []struct {
		Theta float64 `json:"theta"`
		Count int     `json:"count"`
		Zeta  float64 `json:"zeta"`
	} `json:"zeta"`
}

func loadSyntheticGolden(t *testing.T) syntheticGolden {
	t.Helper()
	b, err := os.ReadFile("testdata/synthetic.json")
	if err != nil {
		t.Fatal(err)
	}
	var g syntheticGolden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	return g
}

func TestSyntheticMatchesPythonReference(t *testing.T) {
	g := loadSyntheticGolden(t)
	if len(g.Cases) == 0 {
		t.Fatal("no cases")
	}
	for _, c := range g.Cases {
		t.Run(c.Name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Seed, cfg.NumRequests, cfg.Duration, cfg.MaxTokens = c.Seed, c.NumRequests, c.Duration, c.MaxTokens
			cfg.Interval.Type, cfg.Interval.QPS = c.Interval.Type, c.Interval.QPS
			if c.Interval.CV != 0 {
				cfg.Interval.CV = c.Interval.CV
			}
			l := &cfg.Length
			l.Type, l.PrefillTokens, l.DecodeTokens = c.Length.Type, c.Length.PrefillTokens, c.Length.DecodeTokens
			l.MinTokens, l.PrefillToDecodeRatio, l.Theta = c.Length.MinTokens, c.Length.PrefillToDecodeRatio, c.Length.Theta
			if c.Length.Seed != nil {
				l.Seed = *c.Length.Seed
			}
			reqs, err := Generate(cfg, rng.NewPython(0))
			if err != nil {
				t.Fatal(err)
			}
			if len(reqs) != len(c.Requests) {
				t.Fatalf("got %d requests, want %d", len(reqs), len(c.Requests))
			}
			exact := 0
			for i, w := range c.Requests {
				r := reqs[i]
				if r.NumPrefillTokens != int(w[1]) || r.NumDecodeTokens != int(w[2]) {
					t.Fatalf("request %d: %d+%d tokens, want %v+%v", i, r.NumPrefillTokens, r.NumDecodeTokens, w[1], w[2])
				}
				if r.ArrivedAt == w[0] {
					exact++
				} else if math.Abs(r.ArrivedAt-w[0]) > 1e-12*math.Max(1, w[0]) {
					t.Fatalf("request %d arrives at %v, want %v", i, r.ArrivedAt, w[0])
				}
			}
			t.Logf("%d of %d arrival times bit-identical", exact, len(reqs))
		})
	}
}

func TestZetaPairwiseMatchesNumPy(t *testing.T) {
	g := loadSyntheticGolden(t)
	for _, z := range g.Zeta {
		got := zeta(z.Count, z.Theta)
		// Terms go through math.Pow, which may differ from C's pow by an ulp.
		if math.Abs(got-z.Zeta) > 4e-16*math.Max(1, z.Zeta) {
			t.Errorf("zeta(%d, θ=%v) = %v, numpy %v", z.Count, z.Theta, got, z.Zeta)
		}
	}
}
