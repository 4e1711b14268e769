package workload

import (
	"testing"

	"github.com/vidur-go/vidur-go/sim/rng"
)

// Spec §2.2: the default config's first arrivals.
func TestDefaultConfigArrivals(t *testing.T) {
	reqs, err := Generate(DefaultConfig(), rng.NewPython(0))
	if err != nil {
		t.Fatal(err)
	}
	if len(reqs) != 128 {
		t.Fatalf("got %d requests, want 128", len(reqs))
	}
	for i, want := range []float64{2.040120574549602, 2.0907782526350798, 2.7340263807850107, 3.2391987521252377, 5.9063840977414035} {
		if reqs[i].ArrivedAt != want {
			t.Errorf("request %d arrives at %v, want %v", i, reqs[i].ArrivedAt, want)
		}
		if reqs[i].NumPrefillTokens != 2048 || reqs[i].NumDecodeTokens != 512 {
			t.Errorf("request %d lengths %d+%d, want 2048+512", i, reqs[i].NumPrefillTokens, reqs[i].NumDecodeTokens)
		}
	}
}
