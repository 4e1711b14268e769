package search

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync/atomic"

	"github.com/vidur-go/vidur-go/hardware"
	"github.com/vidur-go/vidur-go/models"
)

// fakeCatalog serves the real model catalog and a small hardware table; a
// predictor exists for every combination except those listed in noPredictor
// ("model|device|tp").
type fakeCatalog struct {
	devices     map[string]hardware.Device
	nodes       map[string]hardware.Node
	noPredictor map[string]bool
}

func newFakeCatalog() *fakeCatalog {
	return &fakeCatalog{
		devices: map[string]hardware.Device{
			"a100":  {Name: "a100", MemoryGB: 80, PricePerHour: 2.21},
			"h100":  {Name: "h100", MemoryGB: 80, PricePerHour: 4.25},
			"tiny":  {Name: "tiny", MemoryGB: 15.6, PricePerHour: 1},
			"small": {Name: "small", MemoryGB: 15.7, PricePerHour: 1},
		},
		nodes: map[string]hardware.Node{
			"a100_pairwise_nvlink": {Name: "a100_pairwise_nvlink", Device: "a100", DevicesPerNode: 4},
			"a100_dgx":             {Name: "a100_dgx", Device: "a100", DevicesPerNode: 8},
			"h100_pairwise_nvlink": {Name: "h100_pairwise_nvlink", Device: "h100", DevicesPerNode: 4},
			"tiny_node":            {Name: "tiny_node", Device: "tiny", DevicesPerNode: 1},
			"small_node":           {Name: "small_node", Device: "small", DevicesPerNode: 1},
		},
		noPredictor: map[string]bool{},
	}
}

func (c *fakeCatalog) Model(name string) (*models.Config, error) {
	m, err := models.Lookup(name)
	if err != nil {
		return nil, err
	}
	return &m, nil
}

func (c *fakeCatalog) Device(name string) (hardware.Device, error) {
	d, ok := c.devices[name]
	if !ok {
		return d, fmt.Errorf("unknown device %q", name)
	}
	return d, nil
}

func (c *fakeCatalog) Node(name string) (hardware.Node, error) {
	n, ok := c.nodes[name]
	if !ok {
		return n, fmt.Errorf("unknown node %q", name)
	}
	return n, nil
}

func (c *fakeCatalog) Predictor(model, device, node string, tp int) error {
	if c.noPredictor[fmt.Sprintf("%s|%s|%d", model, device, tp)] {
		return fmt.Errorf("no artifact for %s on %s TP%d\n  and no analytical fallback", model, device, tp)
	}
	return nil
}

func (c *fakeCatalog) prices() Prices {
	p := Prices{}
	for n, d := range c.devices {
		p[n] = d.PricePerHour
	}
	return p
}

// fakeEvaluator models a system whose SLO metrics grow with load: with x =
// qps / capacity(point), TTFT p90 = floorTTFT + (2 − floorTTFT)·x², TBT p99
// = 0.1 + 0.1·x and scheduling delay p99 = 5·x³, so every SLO of
// DefaultSLOs holds exactly up to qps = capacity(point) (TTFT and TBT reach
// their thresholds at x = 1, scheduling delay too).
type fakeEvaluator struct {
	capacity  func(Point) float64
	floorTTFT float64 // TTFT p90 at zero load; > 2 makes capacity zero
	calls     atomic.Int64
	failOn    string // point ID whose evaluation fails
}

func (f *fakeEvaluator) Evaluate(ctx context.Context, p Probe) (Outcome, error) {
	f.calls.Add(1)
	if err := ctx.Err(); err != nil {
		return Outcome{}, err
	}
	if f.failOn != "" && p.Point.ID == f.failOn {
		return Outcome{}, fmt.Errorf("batch of 4096 tokens outside the predictor grid")
	}
	x := p.QPS / f.capacity(p.Point)
	ttft := f.floorTTFT + (2-f.floorTTFT)*x*x
	if f.floorTTFT > 2 {
		ttft = f.floorTTFT * (1 + x)
	}
	vals := make([]float64, len(p.Quantiles))
	for i, q := range p.Quantiles {
		var v float64
		switch q.Metric {
		case TTFT:
			v = ttft * (0.5 + 0.5*q.Quantile/0.9)
		case TBT:
			v = (0.1 + 0.1*x) * q.Quantile / 0.99
		case SchedulingDelay:
			v = 5 * x * x * x * q.Quantile / 0.99
		case E2E:
			v = ttft + 100*(0.1+0.1*x)
		}
		vals[i] = v
	}
	return Outcome{Values: vals, Requests: 100, OutputTokens: 12800, DurationS: 100 / p.QPS}, nil
}

// capacityByShape gives each configuration a distinct, reproducible
// capacity: more GPUs and larger batches serve more.
func capacityByShape(p Point) float64 {
	c := float64(p.Replicas) * math.Sqrt(float64(p.TP)) * (1 + float64(p.BatchSizeCap)/256)
	if strings.Contains(p.Model, "70b") {
		c /= 6
	}
	if p.Device == "h100" {
		c *= 2.2
	}
	if p.ChunkSize > 0 {
		c *= 1 + float64(p.ChunkSize)/4096
	}
	return c
}

const testSpaceYAML = `
name: test
models: [meta-llama/Llama-2-70b-hf, meta-llama/Meta-Llama-3-8B]
clusters:
  - {device: a100, node: a100_pairwise_nvlink, gpus: 16}
  - {device: h100, node: h100_pairwise_nvlink, gpus: 8}
tensor_parallel: [1, 2, 4, 8]
pipeline_parallel: [1, 2]
schedulers:
  - name: vllm
    batch_sizes: [64, 128]
  - name: sarathi
    batch_sizes: [128]
    chunk_sizes: [512, 2048]
workload:
  prefill_tokens: 1024
  decode_tokens: 128
  requests: 100
  seed: 7
search:
  tolerance: 0.02
`

func mustSpace(yaml string) *Space {
	s, err := ParseSpace([]byte(yaml), "test.yaml")
	if err != nil {
		panic(err)
	}
	return s
}

// PredictorSource makes the fake a PredictorSourcer (via preparingEvaluator).
func (f *fakeEvaluator) PredictorSource() string { return "analytical, not measured: fake" }
