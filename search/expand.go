package search

import (
	"fmt"
	"strings"

	"github.com/vidur-go/vidur-go/hardware"
	"github.com/vidur-go/vidur-go/models"
)

// Catalog is what expansion needs to know about models, hardware and
// predictors. The command backs it with the models and hardware catalogs and
// the predictor store; tests use a fake.
type Catalog interface {
	// Model returns the architecture registered under name.
	Model(name string) (*models.Config, error)
	// Device and Node return hardware SKUs by catalog name.
	Device(name string) (hardware.Device, error)
	Node(name string) (hardware.Node, error)
	// Predictor returns nil when batch times of the model on (device, node)
	// at tensor degree tp can be predicted — by a trained artifact or the
	// analytical fallback — else an error saying what is missing.
	Predictor(model, device, node string, tp int) error
}

// Infeasible is a configuration dropped before simulation, with the reason.
type Infeasible struct {
	Point  Point  `json:"point"`
	Reason string `json:"reason"`
}

// Expansion is a space expanded into configurations.
type Expansion struct {
	// Points are the feasible configurations, in expansion order.
	Points []Point
	// Infeasible are the dropped ones, in expansion order.
	Infeasible []Infeasible
	// Total is len(Points)+len(Infeasible); Point.Index runs over [0, Total).
	Total int
}

// Expand enumerates the cross product models × clusters × TP × PP ×
// schedulers × batch sizes × chunk sizes in that nesting order (the order of
// the lists in the space), numbering points 0, 1, ... and giving each the ID
// hash of its Key. A configuration is infeasible when, in this order of
// checks:
//   - TP exceeds the devices of one node (spec §11.1);
//   - TP·PP exceeds the cluster's GPU budget (no replica fits);
//   - TP·PP spans several nodes without filling each (Vidur's predictor
//     requires TP·PP < devices per node or a multiple of it, spec §1.11);
//   - the model cannot be split that way (layers not divisible by PP, heads
//     or embedding not divisible by TP, spec §1.11);
//   - the scheduler cannot run it (lightllm needs PP 1);
//   - the weights, or the weights plus the KV cache of one request of
//     workload.max_tokens, exceed device memory × (1 − margin) (spec §7);
//   - no predictor covers (model, device, node, TP).
//
// An unknown model, device or node, or a node whose device differs from the
// cluster's, is an error in the space rather than an infeasible point.
func Expand(s *Space, cat Catalog) (*Expansion, error) {
	mcfgs := make([]*models.Config, len(s.Models))
	for i, name := range s.Models {
		m, err := cat.Model(name)
		if err != nil {
			return nil, fmt.Errorf("models[%d]: %w", i, err)
		}
		mcfgs[i] = m
	}
	devs := make([]hardware.Device, len(s.Clusters))
	nodes := make([]hardware.Node, len(s.Clusters))
	for i, c := range s.Clusters {
		d, err := cat.Device(c.Device)
		if err != nil {
			return nil, fmt.Errorf("clusters[%d].device: %w", i, err)
		}
		n, err := cat.Node(c.Node)
		if err != nil {
			return nil, fmt.Errorf("clusters[%d].node: %w", i, err)
		}
		if n.Device != "" && n.Device != d.Name {
			return nil, fmt.Errorf("clusters[%d]: node %s holds %s devices, not %s", i, n.Name, n.Device, d.Name)
		}
		if n.DevicesPerNode <= 0 {
			return nil, fmt.Errorf("clusters[%d].node: %s has %d devices per node", i, n.Name, n.DevicesPerNode)
		}
		devs[i], nodes[i] = d, n
	}

	e := &Expansion{}
	seen := map[string]int{}
	for mi, model := range s.Models {
		for ci, cl := range s.Clusters {
			for _, tp := range s.TensorParallel {
				for _, pp := range s.PipelineParallel {
					for _, sc := range s.Schedulers {
						chunks := sc.ChunkSizes
						if len(chunks) == 0 {
							chunks = []int{0}
						}
						for _, bs := range sc.BatchSizes {
							for _, cs := range chunks {
								p := Point{
									Index: e.Total, Model: model, Device: cl.Device, Node: cl.Node,
									GPUs: cl.GPUs, TP: tp, PP: pp, Replicas: cl.GPUs / (tp * pp),
									Scheduler: sc.Name, BatchSize: bs, BatchSizeCap: bs * pp, ChunkSize: cs,
								}
								key := p.Key()
								p.ID = pointID(key)
								if j, dup := seen[key]; dup {
									return nil, fmt.Errorf("configurations %d and %d are the same (%s)", j, p.Index, key)
								}
								seen[key] = p.Index
								e.Total++
								reason := infeasibility(s, p, mcfgs[mi], devs[ci], nodes[ci], cat)
								if reason != "" {
									e.Infeasible = append(e.Infeasible, Infeasible{Point: p, Reason: reason})
								} else {
									e.Points = append(e.Points, p)
								}
							}
						}
					}
				}
			}
		}
	}
	return e, nil
}

// infeasibility returns why p cannot run, or "".
func infeasibility(s *Space, p Point, m *models.Config, d hardware.Device, n hardware.Node, cat Catalog) string {
	w := p.TP * p.PP
	switch {
	case p.TP > n.DevicesPerNode:
		return fmt.Sprintf("TP %d exceeds the %d devices of one %s node", p.TP, n.DevicesPerNode, n.Name)
	case w > p.GPUs:
		return fmt.Sprintf("TP×PP = %d exceeds the GPU budget of %d", w, p.GPUs)
	}
	if err := n.ValidateWorld(p.TP, p.PP); err != nil {
		return err.Error()
	}
	if r := splitProblem(m, p.TP, p.PP); r != "" {
		return r
	}
	if p.Scheduler == "lightllm" && p.PP != 1 {
		return fmt.Sprintf("lightllm supports PP 1 only, not PP %d", p.PP)
	}
	if r := memoryProblem(m, d, p.TP, p.PP, *s.MemoryMarginFraction, s.Workload.MaxTokens); r != "" {
		return r
	}
	if err := cat.Predictor(p.Model, p.Device, p.Node, p.TP); err != nil {
		// One line: catalog errors may carry multi-line hints.
		return "no predictor: " + strings.Join(strings.Fields(err.Error()), " ")
	}
	return ""
}

// splitProblem applies the models catalog's split rules (Vidur's start-up
// validations, spec §1.11, plus what a real tensor-parallel engine needs).
func splitProblem(m *models.Config, tp, pp int) string {
	if err := m.Validate(tp, pp); err != nil {
		return err.Error()
	}
	return ""
}

// gib is 2^30 bytes, the unit of Device.MemoryGB (spec §7).
const gib = 1 << 30

// memoryProblem applies the memory planner rule of spec §7: parameter bytes
// per device = 2 × params per device, KV bytes per request = 2·2·hd·kvh·M·L
// (all L layers: Vidur's quirk §14.8), available = MemoryGB·2^30·(1 −
// margin); the configuration fits when at least one request's KV cache fits
// next to the weights.
func memoryProblem(m *models.Config, d hardware.Device, tp, pp int, margin float64, maxTokens int) string {
	paramBytes := 2 * float64(vidurParamsPerDevice(m, tp, pp))
	avail := d.MemoryGB * gib * (1 - margin)
	kv := float64(kvBytesPerRequest(m, tp, maxTokens))
	switch {
	case paramBytes >= avail:
		return fmt.Sprintf("weights need %.1f GiB per device at TP %d PP %d, more than the %.1f GiB usable on %s (%g GiB × (1 − %g))",
			paramBytes/gib, tp, pp, avail/gib, d.Name, d.MemoryGB, margin)
	case avail-paramBytes < kv:
		return fmt.Sprintf("weights leave %.2f GiB per device at TP %d PP %d on %s, less than the KV cache of one %d-token request (%.2f GiB)",
			(avail-paramBytes)/gib, tp, pp, d.Name, maxTokens, kv/gib)
	}
	return ""
}

// vidurParamsPerDevice is the parameter count per device as Vidur's memory
// planner counts it (spec §7; models.Config.VidurParamsPerDevice).
func vidurParamsPerDevice(m *models.Config, tp, pp int) int64 { return m.VidurParamsPerDevice(tp, pp) }

// kvBytesPerRequest is Vidur's per-request KV reservation on one device:
// fp16 K and V of all L layers (quirk §14.8) for maxTokens tokens (spec §7).
func kvBytesPerRequest(m *models.Config, tp, maxTokens int) int64 {
	return m.KVBytesPerToken(tp, 1, 2) * int64(maxTokens)
}
