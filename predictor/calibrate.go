package predictor

import (
	"fmt"
	"math"
	"sort"

	"github.com/vidur-go/vidur-go/models"
)

// CalibRow is one profiled operator timing turned into the analytical
// model's terms: the op, its work, and the measured median (ms).
type CalibRow struct {
	Op string
	W  Work
	Y  float64
	// Node and LinkBytesPerMs are the row's node and its interconnect
	// bandwidth (network rows only; other rows use the roofline's).
	Node           string
	LinkBytesPerMs float64
}

// CalibRowsFromDatasets converts operator datasets of model m at tensor
// parallelism tp into calibration rows (rows with a zero target are
// skipped: they carry no information on a log scale). linkBytesPerMs is the
// node's interconnect for network datasets.
func CalibRowsFromDatasets(ds []Dataset, m models.Config, tp int, node string, linkBytesPerMs float64) []CalibRow {
	var out []CalibRow
	for _, d := range ds {
		for i, x := range d.X {
			y := d.Y[i]
			if !(y > 0) {
				continue
			}
			var w Work
			switch d.Op {
			case OpAttnPrefill:
				w = OpWork(d.Op, m, tp, int(x[0]), int(math.Round(math.Sqrt(x[1]))))
			case OpAttnDecode:
				w = OpWork(d.Op, m, tp, int(x[0]), int(x[1]))
			case OpAllReduce, OpSendRecv:
				// x is size/E/2; the ring formula needs the size in bytes.
				size := x[0] * float64(m.EmbeddingDim) * 2
				w = Work{Bytes: size, Steps: 1}
				if d.Op == OpAllReduce {
					w.Bytes = 2 * float64(tp-1) / float64(tp) * size
					w.Steps = 2 * float64(tp-1)
				}
			default:
				if _, ok := KindOf(d.Op); !ok || classOf(d.Op) == classNetwork {
					continue
				}
				if k, _ := KindOf(d.Op); k == KindBatch {
					continue
				}
				w = OpWork(d.Op, m, tp, int(x[0]))
			}
			out = append(out, CalibRow{Op: d.Op, W: w, Y: y, Node: node, LinkBytesPerMs: linkBytesPerMs})
		}
	}
	return out
}

func rowTime(row CalibRow, r Roofline, e Efficiency) float64 {
	if classOf(row.Op) == classNetwork && row.LinkBytesPerMs > 0 {
		r.LinkBytesPerMs = row.LinkBytesPerMs
		r.NodeName = row.Node
	}
	return OpTimeMs(row.Op, row.W, r, e)
}

// calibParam is one tunable factor of a class.
type calibParam struct {
	name   string
	ptr    func(*Efficiency) *float64
	lo, hi float64
	init   []float64
}

var fracInit = []float64{0.05, 0.1, 0.2, 0.3, 0.45, 0.6, 0.8, 1}
var launchInit = []float64{0, 0.002, 0.005, 0.01, 0.02, 0.04, 0.08}

var classParams = map[opClass][]calibParam{
	classGEMM: {
		{"gemm_compute", func(e *Efficiency) *float64 { return &e.GEMMCompute }, 0.01, 1, fracInit},
		{"gemm_memory", func(e *Efficiency) *float64 { return &e.GEMMMemory }, 0.01, 1, fracInit},
		{"gemm_launch_ms", func(e *Efficiency) *float64 { return &e.GEMMLaunchMs }, 0, 0.5, launchInit},
	},
	classElementwise: {
		{"elementwise_memory", func(e *Efficiency) *float64 { return &e.ElementwiseMemory }, 0.01, 1, fracInit},
		{"elementwise_launch_ms", func(e *Efficiency) *float64 { return &e.ElementwiseLaunchMs }, 0, 0.5, launchInit},
	},
	classAttention: {
		{"attention_compute", func(e *Efficiency) *float64 { return &e.AttentionCompute }, 0.01, 1, fracInit},
		{"attention_memory", func(e *Efficiency) *float64 { return &e.AttentionMemory }, 0.01, 1, fracInit},
		{"attention_launch_ms", func(e *Efficiency) *float64 { return &e.AttentionLaunchMs }, 0, 0.5, launchInit},
	},
	classNetwork: {
		{"network", func(e *Efficiency) *float64 { return &e.Network }, 0.01, 1, fracInit},
		{"network_latency_ms", func(e *Efficiency) *float64 { return &e.NetworkLatencyMs }, 0, 1, launchInit},
	},
}

// maxCalibRows caps the rows per class (a deterministic stride sample) to
// bound calibration time.
const maxCalibRows = 20000

// CalibrationResult reports a calibration.
type CalibrationResult struct {
	Efficiency Efficiency
	// Rows per class name ("gemm", "elementwise", "attention", "network");
	// a class without rows keeps the starting factors.
	Rows map[string]int
}

var classNames = map[opClass]string{classGEMM: "gemm", classElementwise: "elementwise", classAttention: "attention", classNetwork: "network"}

// Calibrate fits the efficiency factors to measured rows by least squares
// on log-times: for each group of rows it minimises Σ (ln t̂(row) − ln y)²,
// where t̂ is OpTimeMs, first over a coarse grid of starting values and then
// by cyclic golden-section line searches within the bounds (fractions in
// [0.01, 1], overheads in [0, 0.5] ms). The groups are: the GEMM class; the
// elementwise class (the default factors), then each elementwise op on its
// own (PerOp); the attention class; the network rows pooled (the default),
// then each node on its own (PerNode). Log-space least squares weighs a 10 %
// miss equally on a 5 µs kernel and a 5 ms GEMM. Groups without rows keep
// start's values. The result is deterministic.
func Calibrate(rows []CalibRow, r Roofline, start Efficiency) (CalibrationResult, error) {
	byClass := map[opClass][]CalibRow{}
	for _, row := range rows {
		c := classOf(row.Op)
		byClass[c] = append(byClass[c], row)
	}
	e := start
	e.PerOp, e.PerNode = map[string]KernelFactor{}, map[string]KernelFactor{}
	res := CalibrationResult{Rows: map[string]int{}}
	for _, c := range []opClass{classGEMM, classElementwise, classAttention, classNetwork} {
		rs := byClass[c]
		res.Rows[classNames[c]] = len(rs)
		if len(rs) == 0 {
			continue
		}
		e = calibrateClass(sample(rs), r, e, classParams[c])
		switch c {
		case classElementwise:
			groups := groupBy(rs, func(x CalibRow) string { return x.Op })
			for _, op := range sortedKeys(groups) {
				e.PerOp[op] = calibrateFactor(groups[op], r, e, true)
			}
		case classNetwork:
			groups := groupBy(rs, func(x CalibRow) string { return x.Node })
			for _, n := range sortedKeys(groups) {
				e.PerNode[n] = calibrateFactor(groups[n], r, e, false)
			}
		}
	}
	if len(e.PerOp) == 0 {
		e.PerOp = nil
	}
	if len(e.PerNode) == 0 {
		e.PerNode = nil
	}
	res.Efficiency = e
	if err := e.Validate(); err != nil {
		return res, fmt.Errorf("calibration produced invalid factors: %w", err)
	}
	return res, nil
}

// sample caps rows at maxCalibRows with a deterministic stride.
func sample(rs []CalibRow) []CalibRow {
	if len(rs) <= maxCalibRows {
		return rs
	}
	stride := (len(rs) + maxCalibRows - 1) / maxCalibRows
	var s []CalibRow
	for i := 0; i < len(rs); i += stride {
		s = append(s, rs[i])
	}
	return s
}

func groupBy(rs []CalibRow, key func(CalibRow) string) map[string][]CalibRow {
	m := map[string][]CalibRow{}
	for _, r := range rs {
		m[key(r)] = append(m[key(r)], r)
	}
	return m
}

// calibrateFactor fits one KernelFactor (an op's or a node's) starting from
// the class defaults in e.
func calibrateFactor(rs []CalibRow, r Roofline, e Efficiency, perOp bool) KernelFactor {
	// Work on a copy whose class defaults are the factor being fitted:
	// with no PerOp/PerNode entry, OpTimeMs falls back to them.
	c := e
	c.PerOp, c.PerNode = nil, nil
	var ps []calibParam
	if perOp {
		ps = classParams[classElementwise]
	} else {
		ps = classParams[classNetwork]
	}
	c = calibrateClass(sample(rs), r, c, ps)
	if perOp {
		return KernelFactor{c.ElementwiseMemory, c.ElementwiseLaunchMs}
	}
	return KernelFactor{c.Network, c.NetworkLatencyMs}
}

func logLoss(rows []CalibRow, r Roofline, e Efficiency) float64 {
	s := 0.0
	for _, row := range rows {
		d := math.Log(rowTime(row, r, e)) - math.Log(row.Y)
		s += d * d
	}
	return s
}

func calibrateClass(rows []CalibRow, r Roofline, e Efficiency, ps []calibParam) Efficiency {
	// Coarse grid over the starting values.
	best, bestLoss := e, math.Inf(1)
	idx := make([]int, len(ps))
	for {
		cand := e
		for i, p := range ps {
			*p.ptr(&cand) = p.init[idx[i]]
		}
		if l := logLoss(rows, r, cand); l < bestLoss {
			best, bestLoss = cand, l
		}
		i := 0
		for ; i < len(ps); i++ {
			idx[i]++
			if idx[i] < len(ps[i].init) {
				break
			}
			idx[i] = 0
		}
		if i == len(ps) {
			break
		}
	}
	// Cyclic golden-section refinement.
	const phi = 0.6180339887498949
	for sweep := 0; sweep < 16; sweep++ {
		before := bestLoss
		for _, p := range ps {
			lo, hi := p.lo, p.hi
			f := func(v float64) float64 {
				c := best
				*p.ptr(&c) = v
				return logLoss(rows, r, c)
			}
			a, b := lo, hi
			x1, x2 := b-phi*(b-a), a+phi*(b-a)
			f1, f2 := f(x1), f(x2)
			for it := 0; it < 40; it++ {
				if f1 < f2 {
					b, x2, f2 = x2, x1, f1
					x1 = b - phi*(b-a)
					f1 = f(x1)
				} else {
					a, x1, f1 = x1, x2, f2
					x2 = a + phi*(b-a)
					f2 = f(x2)
				}
			}
			v := (a + b) / 2
			if fv := f(v); fv < bestLoss {
				*p.ptr(&best) = v
				bestLoss = fv
			}
		}
		if before-bestLoss <= 1e-9*before {
			break
		}
	}
	return best
}

// OpAccuracy is the analytical model's error on one operator's rows.
type OpAccuracy struct {
	Op   string
	Rows int
	// MAPE is Vidur's mean absolute percentage error (%); MedianAPE the
	// median absolute percentage error (%).
	MAPE, MedianAPE float64
}

// AnalyticalAccuracy scores efficiency factors e on measured rows, per op,
// sorted by canonical op order.
func AnalyticalAccuracy(rows []CalibRow, r Roofline, e Efficiency) []OpAccuracy {
	byOp := map[string][]float64{}
	for _, row := range rows {
		t := rowTime(row, r, e)
		byOp[row.Op] = append(byOp[row.Op], math.Abs(t-row.Y)/row.Y*100)
	}
	var out []OpAccuracy
	for op, apes := range byOp {
		s := 0.0
		for _, a := range apes {
			s += a
		}
		sorted := append([]float64(nil), apes...)
		sort.Float64s(sorted)
		med := sorted[len(sorted)/2]
		if len(sorted)%2 == 0 {
			med = (sorted[len(sorted)/2-1] + sorted[len(sorted)/2]) / 2
		}
		out = append(out, OpAccuracy{Op: op, Rows: len(apes), MAPE: s / float64(len(apes)), MedianAPE: med})
	}
	sort.Slice(out, func(i, j int) bool { return opOrder[out[i].Op] < opOrder[out[j].Op] })
	return out
}
