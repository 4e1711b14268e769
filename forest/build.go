package forest

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
)

// featureThreshold is sklearn's FEATURE_THRESHOLD: adjacent sorted values
// closer than this are treated as equal (no split between them).
const featureThreshold = 1e-7

// epsilon is sklearn's EPSILON (float64 machine epsilon): a node whose
// impurity is at most this is a leaf.
const epsilon = 0x1p-52

// presort returns, per feature, the row ids of rows sorted by that feature
// (ties by id). It is computed once per training set and shared read-only by
// every tree built on it.
func presort(d *dataset, rows []int) [][]int32 {
	out := make([][]int32, d.features())
	for f, col := range d.cols {
		ids := make([]int32, len(rows))
		for j, r := range rows {
			ids[j] = int32(r)
		}
		slices.SortFunc(ids, func(a, b int32) int {
			if c := cmp.Compare(col[a], col[b]); c != 0 {
				return c
			}
			return cmp.Compare(a, b)
		})
		out[f] = ids
	}
	return out
}

// entry is one (distinct) training row in a per-feature sorted array.
type entry struct {
	x  float64 // the feature value
	w  float64 // weight (bootstrap count)
	wy float64 // w * y
	id int32   // row id
}

type stackItem struct {
	start, end, depth int
	parent            int32
	isLeft            bool
}

// builder grows trees on one training set. It owns scratch space and is used
// by one goroutine at a time; build may be called repeatedly.
type builder struct {
	d        *dataset
	sorted   [][]int32
	maxDepth int
	mss, msl int
	k        int // features tried per split

	arrs  [][]entry
	tmp   []entry
	left  []bool
	feats []int
	stack []stackItem
	nodes []Node // scratch node array, reused between builds
}

func newBuilder(d *dataset, sorted [][]int32, p TreeParams) *builder {
	nf := d.features()
	b := &builder{
		d: d, sorted: sorted,
		maxDepth: p.maxDepth(), mss: p.MinSamplesSplit, msl: p.MinSamplesLeaf,
		k:     p.featuresPerSplit(nf),
		arrs:  make([][]entry, nf),
		left:  make([]bool, d.rows()),
		feats: make([]int, nf),
	}
	n := len(sorted[0])
	for f := range b.arrs {
		b.arrs[f] = make([]entry, 0, n)
	}
	b.tmp = make([]entry, n)
	return b
}

// build grows one tree and returns a copy of it sized exactly.
func (b *builder) build(w []float64, rng *rand.Rand) Tree {
	t := b.buildScratch(w, rng)
	t.nodes = slices.Clone(t.nodes)
	return t
}

// buildScratch grows one tree on the rows with w[id] > 0 (w is indexed by
// row id). The returned tree's nodes live in the builder's scratch space and
// are overwritten by the next build.
// The algorithm is sklearn's BestSplitter + DepthFirstTreeBuilder with the
// squared-error criterion: each node scans every candidate feature in sorted
// order with running weighted sums, so split search is O(rows in node) per
// feature; children inherit sortedness by stable partitioning. rng is used
// only when fewer than all features are tried per split.
func (b *builder) buildScratch(w []float64, rng *rand.Rand) Tree {
	y := b.d.y
	for f, ids := range b.sorted {
		col := b.d.cols[f]
		a := b.arrs[f][:0]
		for _, id := range ids {
			if wi := w[id]; wi > 0 {
				a = append(a, entry{x: col[id], w: wi, wy: wi * y[id], id: id})
			}
		}
		b.arrs[f] = a
	}
	nf := len(b.arrs)
	for f := range b.feats {
		b.feats[f] = f
	}
	nodes := b.nodes[:0]
	b.stack = append(b.stack[:0], stackItem{start: 0, end: len(b.arrs[0]), parent: -1})
	for len(b.stack) > 0 {
		it := b.stack[len(b.stack)-1]
		b.stack = b.stack[:len(b.stack)-1]
		s, e := it.start, it.end
		id := int32(len(nodes))
		if it.parent >= 0 {
			if it.isLeft {
				nodes[it.parent].Left = id
			} else {
				nodes[it.parent].Right = id
			}
		}
		var W, S, Q float64
		for _, en := range b.arrs[0][s:e] {
			W += en.w
			S += en.wy
			Q += en.wy * y[en.id]
		}
		n := e - s
		mean := S / W
		node := Node{Value: mean, Left: -1, Right: -1, Samples: int32(n)}
		impurity := Q/W - mean*mean
		if it.depth >= b.maxDepth || n < b.mss || n < 2*b.msl || impurity <= epsilon {
			nodes = append(nodes, node)
			continue
		}
		bestF, bestPos, bestThr := -1, 0, 0.0
		best := math.Inf(-1)
		visited := 0
		for i := 0; i < nf && visited < b.k; i++ {
			if b.k < nf {
				j := i + rng.IntN(nf-i)
				b.feats[i], b.feats[j] = b.feats[j], b.feats[i]
			}
			f := b.feats[i]
			a := b.arrs[f][s:e]
			if a[n-1].x <= a[0].x+featureThreshold {
				continue // constant in this node: not counted
			}
			visited++
			var wl, sl float64
			for p := 1; p < n; p++ {
				wl += a[p-1].w
				sl += a[p-1].wy
				if a[p].x <= a[p-1].x+featureThreshold {
					continue
				}
				if p < b.msl || n-p < b.msl {
					continue
				}
				wr, sr := W-wl, S-sl
				if proxy := sl*sl/wl + sr*sr/wr; proxy > best {
					best, bestF, bestPos = proxy, f, p
					lo, hi := a[p-1].x, a[p].x
					bestThr = lo/2 + hi/2
					if bestThr == hi || math.IsInf(bestThr, 0) {
						bestThr = lo
					}
				}
			}
		}
		if bestF < 0 {
			nodes = append(nodes, node)
			continue
		}
		b.partition(s, e, bestF, bestPos)
		node.Feature, node.Threshold = int32(bestF), bestThr
		nodes = append(nodes, node)
		mid := s + bestPos
		b.stack = append(b.stack,
			stackItem{start: mid, end: e, depth: it.depth + 1, parent: id},
			stackItem{start: s, end: mid, depth: it.depth + 1, parent: id, isLeft: true})
	}
	b.nodes = nodes
	return Tree{nFeatures: nf, nodes: nodes}
}

// partition reorders every feature array in [s,e) so that the first pos
// entries are the rows going left (the first pos rows of feature bf's sorted
// order), keeping each side sorted (stable).
func (b *builder) partition(s, e, bf, pos int) {
	a := b.arrs[bf]
	for _, en := range a[s : s+pos] {
		b.left[en.id] = true
	}
	for _, en := range a[s+pos : e] {
		b.left[en.id] = false
	}
	for f, a := range b.arrs {
		if f == bf {
			continue
		}
		l, r := s, 0
		for _, en := range a[s:e] {
			if b.left[en.id] {
				a[l] = en
				l++
			} else {
				b.tmp[r] = en
				r++
			}
		}
		copy(a[l:e], b.tmp[:r])
	}
}
