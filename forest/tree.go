package forest

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// TreeParams are the hyper-parameters of a CART regression tree (squared
// error criterion, i.e. splits maximise variance reduction). The zero value is
// NOT scikit-learn's default; use DefaultTreeParams.
type TreeParams struct {
	// MaxDepth is the deepest level a node may be split at; the root has
	// depth 0, so MaxDepth 8 allows at most 8 splits on any path.
	// scikit-learn: max_depth. 0 means unlimited (sklearn's default None).
	MaxDepth int
	// MinSamplesSplit is the fewest distinct training rows a node needs to be
	// split (with bootstrap, a row drawn several times counts once, like
	// sklearn). scikit-learn: min_samples_split (integer form), default 2;
	// must be >= 2.
	MinSamplesSplit int
	// MinSamplesLeaf is the fewest distinct training rows each child of a
	// split must keep. scikit-learn: min_samples_leaf (integer form),
	// default 1; must be >= 1.
	MinSamplesLeaf int
	// MaxFeatures is how many features are tried per split. 0 means all
	// features (sklearn's max_features=None, or 1.0, the RandomForestRegressor
	// default); a value in (0, 1) is a fraction of the features,
	// max(1, int(MaxFeatures*n)) as in sklearn's float form; a value >= 1 is a
	// count (capped at n). Note that 1 means ONE feature, unlike sklearn's
	// float 1.0. Constant features are not counted, as in sklearn.
	MaxFeatures float64
}

// DefaultTreeParams returns scikit-learn's DecisionTreeRegressor defaults:
// unlimited depth, min_samples_split 2, min_samples_leaf 1, all features.
func DefaultTreeParams() TreeParams {
	return TreeParams{MinSamplesSplit: 2, MinSamplesLeaf: 1}
}

func (p TreeParams) validate() error {
	switch {
	case p.MaxDepth < 0:
		return fmt.Errorf("max_depth %d: want >= 0 (0 = unlimited)", p.MaxDepth)
	case p.MinSamplesSplit < 2:
		return fmt.Errorf("min_samples_split %d: want >= 2", p.MinSamplesSplit)
	case p.MinSamplesLeaf < 1:
		return fmt.Errorf("min_samples_leaf %d: want >= 1", p.MinSamplesLeaf)
	case p.MaxFeatures < 0 || math.IsNaN(p.MaxFeatures) || math.IsInf(p.MaxFeatures, 0):
		return fmt.Errorf("max_features %v: want 0 (all), a fraction in (0,1) or a count >= 1", p.MaxFeatures)
	}
	return nil
}

// maxDepth returns the depth limit with 0 mapped to "unlimited".
func (p TreeParams) maxDepth() int {
	if p.MaxDepth == 0 {
		return math.MaxInt32
	}
	return p.MaxDepth
}

// featuresPerSplit resolves MaxFeatures for n features.
func (p TreeParams) featuresPerSplit(n int) int {
	switch {
	case p.MaxFeatures == 0:
		return n
	case p.MaxFeatures < 1:
		return max(1, int(p.MaxFeatures*float64(n)))
	default:
		return min(n, int(p.MaxFeatures))
	}
}

// String implements Estimator.
func (p TreeParams) String() string {
	return "max_depth=" + depthString(p.MaxDepth) + ", max_features=" + featString(p.MaxFeatures) +
		", min_samples_leaf=" + strconv.Itoa(p.MinSamplesLeaf) + ", min_samples_split=" + strconv.Itoa(p.MinSamplesSplit)
}

func depthString(d int) string {
	if d == 0 {
		return "None"
	}
	return strconv.Itoa(d)
}

func featString(f float64) string {
	if f == 0 {
		return "None"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// Fit implements Estimator: it fits one tree on all rows (no bootstrap).
func (p TreeParams) Fit(X [][]float64, y []float64, opts FitOptions) (Regressor, error) {
	t, err := p.FitTree(X, y, opts.Seed)
	if err != nil {
		return nil, err
	}
	return t, nil
}

// FitTree fits one tree on all rows with unit weights. seed only matters when
// MaxFeatures selects fewer than all features.
func (p TreeParams) FitTree(X [][]float64, y []float64, seed uint64) (*Tree, error) {
	if err := p.validate(); err != nil {
		return nil, fmt.Errorf("tree: %w", err)
	}
	d, err := newDataset(X, y)
	if err != nil {
		return nil, fmt.Errorf("tree: %w", err)
	}
	all := make([]int, d.rows())
	for i := range all {
		all[i] = i
	}
	b := newBuilder(d, presort(d, all), p)
	w := make([]float64, d.rows())
	for i := range w {
		w[i] = 1
	}
	t := b.build(w, streamRand(seed, 0))
	return &t, nil
}

// Node is one node of a fitted tree in its flat array. Leaves have Left ==
// Right == -1. A row goes left when x[Feature] <= Threshold.
type Node struct {
	// Threshold is the split value: the midpoint between the two adjacent
	// distinct training values it separates (as sklearn).
	Threshold float64
	// Value is the weighted mean target of the training rows in the node.
	Value float64
	// Left and Right are child indices, -1 for a leaf.
	Left, Right int32
	// Feature is the index of the split feature (0 for a leaf).
	Feature int32
	// Samples is the number of distinct training rows in the node
	// (sklearn's n_node_samples).
	Samples int32
}

// Tree is a fitted regression tree: nodes in a flat array, root at index 0.
type Tree struct {
	nFeatures int
	nodes     []Node
}

// NumFeatures implements Regressor.
func (t *Tree) NumFeatures() int { return t.nFeatures }

// Nodes returns the tree's nodes (root first). The slice must not be modified.
func (t *Tree) Nodes() []Node { return t.nodes }

// Depth returns the number of splits on the longest root-to-leaf path.
func (t *Tree) Depth() int {
	var walk func(i int32) int
	walk = func(i int32) int {
		n := t.nodes[i]
		if n.Left < 0 {
			return 0
		}
		return 1 + max(walk(n.Left), walk(n.Right))
	}
	return walk(0)
}

// Predict implements Regressor: it follows x from the root to a leaf and
// returns the leaf's value. It allocates nothing.
func (t *Tree) Predict(x []float64) float64 {
	if len(x) != t.nFeatures {
		panic(fmt.Sprintf("forest: Tree.Predict got %d features, want %d", len(x), t.nFeatures))
	}
	return t.predict(x)
}

func (t *Tree) predict(x []float64) float64 {
	nodes := t.nodes
	i := int32(0)
	for {
		n := &nodes[i]
		if n.Left < 0 {
			return n.Value
		}
		if x[n.Feature] <= n.Threshold {
			i = n.Left
		} else {
			i = n.Right
		}
	}
}

// String renders the tree one node per line, for debugging and tests.
func (t *Tree) String() string {
	var sb strings.Builder
	var walk func(i int32, depth int)
	walk = func(i int32, depth int) {
		n := t.nodes[i]
		sb.WriteString(strings.Repeat("  ", depth))
		if n.Left < 0 {
			fmt.Fprintf(&sb, "leaf value=%g samples=%d\n", n.Value, n.Samples)
			return
		}
		fmt.Fprintf(&sb, "x[%d] <= %g samples=%d\n", n.Feature, n.Threshold, n.Samples)
		walk(n.Left, depth+1)
		walk(n.Right, depth+1)
	}
	walk(0, 0)
	return sb.String()
}
