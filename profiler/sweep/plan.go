package sweep

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/vidur-go/vidur-go/models"
)

// Request says what to plan.
type Request struct {
	// Models to profile; each needs a Name (it names the profile rows).
	Models []models.Config
	// TP lists the tensor-parallel degrees. TP > 1 is skipped for models
	// with NoTensorParallel (as Vidur does).
	TP []int
	// MaxContext is the largest num_tokens of the compute sweep and the
	// max_model_len of the attention sweep (Vidur: 4096).
	MaxContext int
	// MaxBatchSize bounds the decode batch sizes (Vidur: 128).
	MaxBatchSize int
	// BlockSize is the paged-KV block size in tokens (Vidur: 16).
	BlockSize int
	// Device gives the roofline figures and memory size.
	Device Device
	// GPUs is how many devices the run will have; collectives are planned
	// only for TP degrees ≤ GPUs (all_reduce) and GPUs ≥ 2 (send_recv).
	GPUs int
	// Warmup and Repeats are the executions per point (for time estimates).
	Warmup, Repeats int
	// Budget, when non-zero, trades grid density for time (see Budget).
	Budget Budget
}

// Budget limits a plan. With both fields zero the plan is Vidur's full grid.
type Budget struct {
	// Points caps the number of unique measurements.
	Points int
	// GPUSeconds caps the estimated measurement time in seconds.
	GPUSeconds float64
}

// IsZero reports whether b sets no limit.
func (b Budget) IsZero() bool { return b.Points <= 0 && b.GPUSeconds <= 0 }

// Plan is the set of measurements a sweep needs and the rows each feeds.
type Plan struct {
	Device     Device  `json:"device"`
	MaxContext int     `json:"max_context"`
	BlockSize  int     `json:"block_size"`
	Warmup     int     `json:"warmup"`
	Repeats    int     `json:"repeats"`
	Budget     Budget  `json:"budget"`
	Density    float64 `json:"density"` // fraction of each grid axis kept (1 = full grid)
	// Points are the unique measurements in execution order (by op, then
	// shape, ascending).
	Points         []Point         `json:"points"`
	MLPRows        []MLPRow        `json:"mlp_rows"`
	AttentionRows  []AttentionRow  `json:"attention_rows"`
	CollectiveRows []CollectiveRow `json:"collective_rows"`
	// Notes explain what was skipped and why.
	Notes []string `json:"notes,omitempty"`
}

// KindSummary aggregates a plan per operation kind.
type KindSummary struct {
	Kind string `json:"kind"`
	// Refs counts (row, column) uses of this kind; Unique the measurements
	// actually taken; Deduplicated = Refs − Unique.
	Refs         int     `json:"refs"`
	Unique       int     `json:"unique"`
	Deduplicated int     `json:"deduplicated"`
	GPUSeconds   float64 `json:"gpu_seconds"`
}

// Summary returns one KindSummary per worker op present in the plan, in a
// fixed order, and the totals.
func (p *Plan) Summary() (kinds []KindSummary, total KindSummary) {
	refs := map[string]int{}
	for _, r := range p.MLPRows {
		for _, o := range r.Ops {
			refs[opOfKey(o.Key)]++
		}
	}
	for _, r := range p.AttentionRows {
		for _, o := range r.Ops {
			refs[opOfKey(o.Key)]++
		}
	}
	for _, r := range p.CollectiveRows {
		refs[opOfKey(r.Key)]++
	}
	by := map[string]*KindSummary{}
	for _, pt := range p.Points {
		k := by[pt.Op]
		if k == nil {
			k = &KindSummary{Kind: pt.Op}
			by[pt.Op] = k
		}
		k.Unique++
		k.GPUSeconds += ShapeSeconds(pt.EstimateMs, p.Warmup, p.Repeats)
	}
	total.Kind = "total"
	for _, op := range opOrder {
		k := by[op]
		if k == nil {
			continue
		}
		k.Refs = refs[op]
		k.Deduplicated = k.Refs - k.Unique
		kinds = append(kinds, *k)
		total.Refs += k.Refs
		total.Unique += k.Unique
		total.Deduplicated += k.Deduplicated
		total.GPUSeconds += k.GPUSeconds
	}
	return kinds, total
}

// GPUSeconds is the plan's estimated measurement time in seconds.
func (p *Plan) GPUSeconds() float64 {
	_, t := p.Summary()
	return t.GPUSeconds
}

var opOrder = []string{OpLinear, OpNorm, OpAct, OpRope, OpAdd, OpAttnPrefill, OpAttnDecode, OpKVSave, OpAllReduce, OpSendRecv}

func opOfKey(key string) string {
	for i := range len(key) {
		if key[i] == ' ' {
			return key[:i]
		}
	}
	return key
}

// Build plans the sweep for req. With a zero Budget it is Vidur's default
// grid (spec §12) for every model and TP degree; otherwise the grid is
// thinned (see Budget and docs/profiling.md) to the largest density that
// fits. Shapes shared by several models or TP degrees are planned once.
func Build(req Request) (*Plan, error) {
	if err := validate(&req); err != nil {
		return nil, err
	}
	if req.Budget.IsZero() {
		return build(&req, 1)
	}
	fits := func(p *Plan) bool {
		if req.Budget.Points > 0 && len(p.Points) > req.Budget.Points {
			return false
		}
		if req.Budget.GPUSeconds > 0 && p.GPUSeconds() > req.Budget.GPUSeconds {
			return false
		}
		return true
	}
	full, err := build(&req, 1)
	if err != nil {
		return nil, err
	}
	if fits(full) {
		return full, nil
	}
	lo, err := build(&req, 0)
	if err != nil {
		return nil, err
	}
	if !fits(lo) {
		return nil, fmt.Errorf("budget too small: the sparsest plan needs %d points and %.0f GPU-seconds (asked: %s)",
			len(lo.Points), lo.GPUSeconds(), req.Budget)
	}
	// Bisect the density: plans grow monotonically with it.
	a, b := 0.0, 1.0
	best := lo
	for range 14 {
		m := (a + b) / 2
		p, err := build(&req, m)
		if err != nil {
			return nil, err
		}
		if fits(p) {
			a, best = m, p
		} else {
			b = m
		}
	}
	return best, nil
}

// String renders a budget as given on the command line.
func (b Budget) String() string {
	switch {
	case b.Points > 0 && b.GPUSeconds > 0:
		return fmt.Sprintf("%d points, %gs", b.Points, b.GPUSeconds)
	case b.Points > 0:
		return fmt.Sprintf("%d points", b.Points)
	case b.GPUSeconds > 0:
		return fmt.Sprintf("%gs", b.GPUSeconds)
	}
	return "none"
}

func validate(req *Request) error {
	if len(req.Models) == 0 {
		return errors.New("plan: no model given")
	}
	if len(req.TP) == 0 {
		req.TP = []int{1}
	}
	for _, tp := range req.TP {
		if tp < 1 {
			return fmt.Errorf("plan: tensor-parallel degree %d: must be ≥ 1", tp)
		}
	}
	req.TP = uniqueSorted(slices.Clone(req.TP))
	if req.MaxContext < 1 {
		return fmt.Errorf("plan: max context %d: must be ≥ 1", req.MaxContext)
	}
	if req.MaxBatchSize == 0 {
		req.MaxBatchSize = 128
	}
	if req.BlockSize == 0 {
		req.BlockSize = 16
	}
	if req.MaxBatchSize < 1 || req.BlockSize < 1 {
		return fmt.Errorf("plan: max batch size %d and block size %d must be ≥ 1", req.MaxBatchSize, req.BlockSize)
	}
	if req.Warmup < 0 || req.Repeats < 1 {
		return fmt.Errorf("plan: warmup %d must be ≥ 0 and repeats %d ≥ 1", req.Warmup, req.Repeats)
	}
	d := req.Device
	if !(d.PeakTFLOPS > 0) || !(d.MemoryBandwidthGBps > 0) || !(d.MemoryGB > 0) {
		return fmt.Errorf("plan: device %q: peak TFLOPS, memory bandwidth and memory must be positive", d.Name)
	}
	if req.Budget.Points < 0 || req.Budget.GPUSeconds < 0 || math.IsNaN(req.Budget.GPUSeconds) {
		return fmt.Errorf("plan: budget %s: must not be negative", req.Budget)
	}
	seen := map[string]bool{}
	for i := range req.Models {
		m := &req.Models[i]
		if m.Name == "" {
			return fmt.Errorf("plan: model %d has no name", i)
		}
		if seen[m.Name] {
			return fmt.Errorf("plan: model %q given twice", m.Name)
		}
		seen[m.Name] = true
		if m.NumQHeads < 1 || m.NumKVHeads < 1 || m.EmbeddingDim < 1 || m.MLPHiddenDim < 1 || m.NumLayers < 1 {
			return fmt.Errorf("plan: model %q: layers, heads, embedding and MLP dims must be positive", m.Name)
		}
		if m.EmbeddingDim%m.NumQHeads != 0 || m.NumQHeads%m.NumKVHeads != 0 {
			return fmt.Errorf("plan: model %q: embedding dim %d must divide by q heads %d and q heads by kv heads %d",
				m.Name, m.EmbeddingDim, m.NumQHeads, m.NumKVHeads)
		}
	}
	return nil
}

// shard holds a model's per-device dimensions at one TP degree.
type shard struct {
	cfg                       *models.Config
	tp                        int
	qHeads, kvHeads, headDim  int
	qkvOut, oIn, upOut, mlpIn int
	rotary                    int
}

func newShard(m *models.Config, tp int) (shard, error) {
	if m.NumQHeads%tp != 0 || m.MLPHiddenDim%tp != 0 {
		return shard{}, fmt.Errorf("model %q: TP %d must divide q heads %d and MLP dim %d",
			m.Name, tp, m.NumQHeads, m.MLPHiddenDim)
	}
	if m.NumKVHeads%tp != 0 && tp%m.NumKVHeads != 0 {
		return shard{}, fmt.Errorf("model %q: TP %d and kv heads %d: one must divide the other", m.Name, tp, m.NumKVHeads)
	}
	s := shard{cfg: m, tp: tp, headDim: m.EmbeddingDim / m.NumQHeads}
	s.qHeads = m.NumQHeads / tp
	s.kvHeads = max(1, m.NumKVHeads/tp) // KV heads are replicated when TP > kv heads
	s.qkvOut = (s.qHeads + 2*s.kvHeads) * s.headDim
	s.oIn = s.qHeads * s.headDim
	f := m.MLPHiddenDim / tp
	s.mlpIn = f
	s.upOut = f
	if m.UseGatedMLP {
		s.upOut = 2 * f
	}
	prf := m.PartialRotaryFactor
	if prf <= 0 || prf > 1 {
		prf = 1
	}
	s.rotary = int(float64(s.headDim) * prf)
	return s, nil
}

// mlpOps returns the (Vidur name, op, shape) of every compute op of one
// transformer block at T tokens.
func (s *shard) mlpOps(t int) []namedShape {
	m := s.cfg
	e := m.EmbeddingDim
	norm := m.Norm
	if norm == "" {
		norm = "rms_norm"
	}
	act := m.Activation
	if act == "" {
		act = "silu"
	}
	ops := []namedShape{
		{NameInputNorm, OpNorm, Shape{Tokens: t, Hidden: e, Kind: norm}},
		{NameAttnPreProj, OpLinear, Shape{Tokens: t, In: e, Out: s.qkvOut}},
		{NameAttnRope, OpRope, Shape{Tokens: t, QHeads: s.qHeads, KVHeads: s.kvHeads, HeadDim: s.headDim, RotaryDim: s.rotary}},
		{NameAttnPostProj, OpLinear, Shape{Tokens: t, In: s.oIn, Out: e}},
	}
	addOperands := 3 // Vidur without post-attention norm: x + attn + mlp in one sum
	if m.PostAttnNorm {
		ops = append(ops, namedShape{NamePostAttnNorm, OpNorm, Shape{Tokens: t, Hidden: e, Kind: norm}})
		addOperands = 2
	}
	ops = append(ops,
		namedShape{NameMLPUpProj, OpLinear, Shape{Tokens: t, In: e, Out: s.upOut}},
		namedShape{NameMLPAct, OpAct, Shape{Tokens: t, Hidden: s.mlpIn, Kind: act, Gated: m.UseGatedMLP}},
		namedShape{NameMLPDownProj, OpLinear, Shape{Tokens: t, In: s.mlpIn, Out: e}},
		namedShape{NameAdd, OpAdd, Shape{Tokens: t, Hidden: e, Operands: addOperands}},
	)
	return ops
}

type namedShape struct {
	name, op string
	shape    Shape
}

func (s *shard) prefill(c, kv, block int) Shape {
	return Shape{QHeads: s.qHeads, KVHeads: s.kvHeads, HeadDim: s.headDim, BlockSize: block, Chunk: c, KV: kv}
}

func (s *shard) decode(b, kv, block int) Shape {
	return Shape{QHeads: s.qHeads, KVHeads: s.kvHeads, HeadDim: s.headDim, BlockSize: block, Batch: b, KV: kv}
}

func (s *shard) kvSave(t, block int) Shape {
	return Shape{Tokens: t, KVHeads: s.kvHeads, HeadDim: s.headDim, BlockSize: block}
}

// maxKVTokens is Vidur's memory bound on batch·(kv + chunk):
// max_num_blocks·block_size with
// max_num_blocks = floor(0.9·mem / (2·block·kv_heads_per_worker·head_dim·2 B·(L//8))).
// (L//8 is Vidur's; with fewer than 8 layers it is taken as 1.)
func (s *shard) maxKVTokens(d Device, block int) int {
	l8 := max(1, s.cfg.NumLayers/8)
	per := 2.0 * float64(block) * float64(s.kvHeads) * float64(s.headDim) * BytesPerElement * float64(l8)
	blocks := math.Floor(0.9 * d.MemoryGB * (1 << 30) / per)
	return int(blocks) * block
}

// planner accumulates points and rows.
type planner struct {
	req    *Request
	plan   *Plan
	points map[pointID]*Point
	rows   map[string]bool
}

type pointID struct {
	op    string
	shape Shape
}

func (pl *planner) ref(op string, s Shape) string {
	id := pointID{op, s}
	pt, ok := pl.points[id]
	if !ok {
		pt = &Point{Key: PointKey(op, s), Op: op, Shape: s, EstimateMs: Estimate(op, s, pl.req.Device)}
		pl.points[id] = pt
	}
	return pt.Key
}

func build(req *Request, density float64) (*Plan, error) {
	p := &Plan{
		Device: req.Device, MaxContext: req.MaxContext, BlockSize: req.BlockSize,
		Warmup: req.Warmup, Repeats: req.Repeats, Budget: req.Budget, Density: density,
	}
	pl := &planner{req: req, plan: p, points: map[pointID]*Point{}, rows: map[string]bool{}}
	tokenGrid := NumTokensGrid(req.MaxContext)
	for i := range req.Models {
		m := &req.Models[i]
		for _, tp := range req.TP {
			if tp > 1 && m.NoTensorParallel {
				p.Notes = append(p.Notes, fmt.Sprintf("%s: TP %d skipped: the model does not support tensor parallelism", m.Name, tp))
				continue
			}
			s, err := newShard(m, tp)
			if err != nil {
				return nil, fmt.Errorf("plan: %w", err)
			}
			tokens := selectPoints(tokenGrid, density, func(t int) float64 {
				var sum float64
				for _, o := range s.mlpOps(t) {
					sum += Estimate(o.op, o.shape, req.Device)
				}
				return sum
			})
			for _, t := range tokens {
				row := MLPRow{Model: m.Name, TP: tp, NumTokens: t}
				for _, o := range s.mlpOps(t) {
					row.Ops = append(row.Ops, OpRef{Name: o.name, Key: pl.ref(o.op, o.shape)})
				}
				p.MLPRows = append(p.MLPRows, row)
				if tp > 1 && req.GPUs >= tp {
					pl.collective(OpAllReduce, tp, t*m.EmbeddingDim*BytesPerElement)
				}
				if tp == req.TP[0] && req.GPUs >= 2 {
					pl.collective(OpSendRecv, 2, t*m.EmbeddingDim*BytesPerElement)
				}
			}
			pl.attention(&s, density)
		}
	}
	if req.GPUs >= 2 {
		p.Notes = append(p.Notes, "collectives are measured once per message size and shared by all models with the same embedding dim")
	} else {
		p.Notes = append(p.Notes, "collectives (all_reduce, send_recv) need ≥ 2 GPUs: not planned; import a network profile instead")
	}
	p.Notes = append(p.Notes, "CPU overheads (schedule, sampler, prepare_inputs, process_model_outputs, ray_comm) need a serving engine and are not measured; Vidur skips them by default")
	for _, pt := range pl.points {
		p.Points = append(p.Points, *pt)
	}
	sort.Slice(p.Points, func(i, j int) bool { return comparePoints(&p.Points[i], &p.Points[j]) < 0 })
	return p, nil
}

func (pl *planner) collective(op string, workers, bytes int) {
	id := fmt.Sprintf("%s/%d/%d", op, workers, bytes)
	if pl.rows[id] {
		return
	}
	pl.rows[id] = true
	key := pl.ref(op, Shape{Bytes: bytes, Workers: workers})
	pl.plan.CollectiveRows = append(pl.plan.CollectiveRows, CollectiveRow{Collective: op, Workers: workers, Bytes: bytes, Key: key})
}

func (pl *planner) attention(s *shard, density float64) {
	req := pl.req
	maxLen, block := req.MaxContext, req.BlockSize
	memTokens := s.maxKVTokens(req.Device, block)
	add := func(batch, chunk, kv int) {
		if batch*(kv+chunk) > memTokens {
			return
		}
		id := fmt.Sprintf("%s/%d/%d/%d/%d", s.cfg.Name, s.tp, batch, chunk, kv)
		if pl.rows[id] {
			return
		}
		pl.rows[id] = true
		row := AttentionRow{Model: s.cfg.Name, TP: s.tp, BatchSize: batch, PrefillChunkSize: chunk, KVCacheSize: kv, IsPrefill: chunk > 0}
		if chunk > 0 {
			row.Ops = append(row.Ops, OpRef{NameAttnPrefill, pl.ref(OpAttnPrefill, s.prefill(chunk, kv, block))})
		} else {
			row.Ops = append(row.Ops, OpRef{NameAttnDecode, pl.ref(OpAttnDecode, s.decode(batch, kv, block))})
		}
		row.Ops = append(row.Ops, OpRef{NameAttnKVSave, pl.ref(OpKVSave, s.kvSave(max(chunk, batch), block))})
		pl.plan.AttentionRows = append(pl.plan.AttentionRows, row)
	}
	d := req.Device
	axis := math.Sqrt(density) // 2-D grids keep √density of each axis
	// (a) chunked prefill: chunk c, kv ∈ {0, c, ..., (maxLen/c − 1)·c}, c + kv ≤ maxLen.
	chunks := selectPoints(ChunkSizeGrid(maxLen), axis, func(c int) float64 {
		return Estimate(OpAttnPrefill, s.prefill(c, 0, block), d)
	})
	for _, c := range chunks {
		var kvs []int
		for i := range maxLen / c {
			if c+i*c <= maxLen {
				kvs = append(kvs, i*c)
			}
		}
		for _, kv := range selectPoints(kvs, axis, func(kv int) float64 {
			return Estimate(OpAttnPrefill, s.prefill(c, kv, block), d)
		}) {
			add(1, c, kv)
		}
	}
	// (b) full prefills: kv 0.
	lengths := SeqLengthGrid(maxLen)
	for _, l := range selectPoints(lengths, density, func(l int) float64 {
		return Estimate(OpAttnPrefill, s.prefill(l, 0, block), d)
	}) {
		add(1, l, 0)
	}
	// (c) decode: batch × kv.
	batches := BatchSizeGrid(req.MaxBatchSize)
	midKV, midB := lengths[len(lengths)/2], batches[len(batches)/2]
	bsel := selectPoints(batches, axis, func(b int) float64 { return Estimate(OpAttnDecode, s.decode(b, midKV, block), d) })
	ksel := selectPoints(lengths, axis, func(kv int) float64 { return Estimate(OpAttnDecode, s.decode(midB, kv, block), d) })
	for _, b := range bsel {
		for _, kv := range ksel {
			add(b, 0, kv)
		}
	}
}

// comparePoints orders points by op (in opOrder) then by shape fields
// numerically, so that a sweep walks each curve in ascending size.
func comparePoints(a, b *Point) int {
	if c := cmp.Compare(slices.Index(opOrder, a.Op), slices.Index(opOrder, b.Op)); c != 0 {
		return c
	}
	x, y := &a.Shape, &b.Shape
	for _, c := range []int{
		cmp.Compare(x.Kind, y.Kind), cmp.Compare(x.In, y.In), cmp.Compare(x.Out, y.Out),
		cmp.Compare(x.Hidden, y.Hidden), cmp.Compare(x.Operands, y.Operands), boolCmp(x.Gated, y.Gated),
		cmp.Compare(x.QHeads, y.QHeads), cmp.Compare(x.KVHeads, y.KVHeads), cmp.Compare(x.HeadDim, y.HeadDim),
		cmp.Compare(x.RotaryDim, y.RotaryDim), cmp.Compare(x.BlockSize, y.BlockSize), cmp.Compare(x.Workers, y.Workers),
		cmp.Compare(x.Batch, y.Batch), cmp.Compare(x.Chunk, y.Chunk), cmp.Compare(x.KV, y.KV),
		cmp.Compare(x.Tokens, y.Tokens), cmp.Compare(x.Bytes, y.Bytes),
	} {
		if c != 0 {
			return c
		}
	}
	return cmp.Compare(a.Key, b.Key)
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

// NamedShape is one operator of a profile row: Vidur's column name, the
// worker op and its per-shard shape.
type NamedShape struct {
	Name, Op string
	Shape    Shape
}

// MLPOps returns the operators of one mlp.csv row of model m at TP degree
// tp and numTokens tokens, as the planner measures them (used by verify to
// re-measure a stored row).
func MLPOps(m *models.Config, tp, numTokens int) ([]NamedShape, error) {
	s, err := newShard(m, tp)
	if err != nil {
		return nil, err
	}
	var out []NamedShape
	for _, o := range s.mlpOps(numTokens) {
		out = append(out, NamedShape{o.name, o.op, o.shape})
	}
	return out, nil
}

// AttentionOps returns the operators of one attention.csv row: attn_prefill
// (chunk > 0, batch 1) or attn_decode (chunk 0), and attn_kv_cache_save for
// max(chunk, batch) tokens.
func AttentionOps(m *models.Config, tp, blockSize, batch, chunk, kv int) ([]NamedShape, error) {
	s, err := newShard(m, tp)
	if err != nil {
		return nil, err
	}
	var out []NamedShape
	if chunk > 0 {
		out = append(out, NamedShape{NameAttnPrefill, OpAttnPrefill, s.prefill(chunk, kv, blockSize)})
	} else {
		out = append(out, NamedShape{NameAttnDecode, OpAttnDecode, s.decode(batch, kv, blockSize)})
	}
	return append(out, NamedShape{NameAttnKVSave, OpKVSave, s.kvSave(max(chunk, batch), blockSize)}), nil
}
