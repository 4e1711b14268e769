package predictor

import (
	"fmt"
	"slices"

	"github.com/vidur-go/vidur-go/models"
)

// FormatVersion is the artifact format this package writes and the only one
// it reads. Bump it on any incompatible change to the header or payload and
// document the change in docs/artifact-format.md.
const FormatVersion = 1

// ToolVersion identifies the vidur-go release that wrote an artifact.
const ToolVersion = "vidur-go 0.1.0"

// Provenance says where an operator's numbers come from.
const (
	// ProvenanceMeasured: trained on profiles timed on real hardware.
	ProvenanceMeasured = "measured"
	// ProvenanceSynthetic: trained on synthetic stand-in profiles (Vidur's
	// attention profiles are not public; vidur-data ships stand-ins).
	ProvenanceSynthetic = "synthetic"
	// ProvenanceAnalytical: computed from a roofline model, not measured.
	ProvenanceAnalytical = "analytical"
	// ProvenanceVidurImport: copied from Vidur's cached prediction tables.
	ProvenanceVidurImport = "vidur-import"
	// ProvenanceMixed is the header-level provenance when operators differ.
	ProvenanceMixed = "mixed"
)

// Predictor kinds recorded per operator.
const (
	PredictorRandomForest     = "random_forest"
	PredictorLinearRegression = "linear_regression"
	PredictorAnalytical       = "analytical"
	PredictorVidurTable       = "vidur_table"
)

// Header is the self-describing JSON part of an artifact.
type Header struct {
	FormatVersion int    `json:"format_version"`
	ToolVersion   string `json:"tool_version"`
	// Model is the catalog name; ModelConfig the architecture the tables
	// were built for.
	Model       string        `json:"model"`
	ModelConfig models.Config `json:"model_config"`
	Device      string        `json:"device"`
	Node        string        `json:"node"`
	TP          int           `json:"tensor_parallel"`
	// Provenance is the common provenance of all operators, or "mixed".
	Provenance string `json:"provenance"`
	// Predictor is the requested predictor kind (random_forest,
	// linear_regression, analytical, vidur_table).
	Predictor string `json:"predictor"`
	// GridSearch names the hyper-parameter grid searched ("vidur", "fast"), if any.
	GridSearch string `json:"grid_search,omitempty"`
	Seed       int64  `json:"seed"`
	Grid       Grid   `json:"grid"`
	// Ops lists the tables in payload order (canonical operator order).
	Ops []OpInfo `json:"ops"`
	// Sources are the input files with their sha256, sorted by path.
	Sources []Source `json:"sources,omitempty"`
	// Notes are free-form remarks (e.g. the calibration used by an
	// analytical artifact).
	Notes []string `json:"notes,omitempty"`
	// CreatedAt is empty unless a caller injects a timestamp; artifacts are
	// byte-identical for identical inputs and seed by default.
	CreatedAt string `json:"created_at,omitempty"`
}

// OpInfo describes one operator table.
type OpInfo struct {
	Name string `json:"name"`
	// Kind is the table layout (TableKind.String()).
	Kind string `json:"kind"`
	// Features are the model's input columns, Target the profiled column it
	// predicts (Vidur's names).
	Features []string `json:"features"`
	Target   string   `json:"target"`
	// Shape is the table's dimensions on the header's grid (row-major).
	Shape      []int  `json:"shape"`
	Provenance string `json:"provenance"`
	Predictor  string `json:"predictor"`
	// HyperParams are the chosen hyper-parameters (sorted by name in JSON).
	HyperParams map[string]string `json:"hyper_params,omitempty"`
	// TrainingRows is the number of profile rows after filtering and
	// de-duplication.
	TrainingRows int `json:"training_rows,omitempty"`
	// CVMAPE is the best mean k-fold MAPE (%) of the grid search;
	// HeldOutMAPE the MAPE (%) on a seeded 20% hold-out. Absent when not
	// measured.
	CVMAPE      *float64 `json:"cv_mape,omitempty"`
	HeldOutMAPE *float64 `json:"held_out_mape,omitempty"`
	// Sources are the paths (see Header.Sources) the operator was built from.
	Sources []string `json:"sources,omitempty"`
}

// Source is one input file of an artifact.
type Source struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

// Artifact is a set of dense prediction tables (ms) plus the header that
// says what they are. Build one with NewArtifact and SetTable, or Load it.
type Artifact struct {
	Header Header
	// Gzip compresses the payload when saving (Load sets it from the file).
	Gzip   bool
	tables map[string][]float64
	// path is where the artifact was loaded from (for messages).
	path string
}

// NewArtifact returns an artifact with header h and no tables yet; h.Ops is
// reset and filled by SetTable.
func NewArtifact(h Header) *Artifact {
	h.FormatVersion = FormatVersion
	if h.ToolVersion == "" {
		h.ToolVersion = ToolVersion
	}
	h.Ops = nil
	return &Artifact{Header: h, tables: map[string][]float64{}}
}

// opOrder is the canonical table order in headers and payloads.
var opOrder = func() map[string]int {
	all := append(append([]string{}, MLPOps...), OpAttnKVCacheSave, OpAttnPrefill, OpAttnDecode, OpAllReduce, OpSendRecv)
	all = append(all, CPUOps...)
	m := make(map[string]int, len(all))
	for i, op := range all {
		m[op] = i
	}
	return m
}()

// SetTable stores the table for info.Name, filling info's Kind, Features,
// Target (when empty) and Shape from the operator and the header's grid.
// values must have Grid.Len(kind) entries, all finite and ≥ 0.
func (a *Artifact) SetTable(info OpInfo, values []float64) error {
	kind, ok := KindOf(info.Name)
	if !ok {
		return fmt.Errorf("unknown operator %q", info.Name)
	}
	if err := a.Header.Grid.Validate(); err != nil {
		return err
	}
	if want := a.Header.Grid.Len(kind); len(values) != want {
		return fmt.Errorf("table %s has %d values, want %d for grid %v", info.Name, len(values), want, a.Header.Grid.Shape(kind))
	}
	if err := checkValues(info.Name, values); err != nil {
		return err
	}
	info.Kind = kind.String()
	if info.Features == nil {
		info.Features = Features(info.Name)
	}
	if info.Target == "" {
		info.Target = Target(info.Name)
	}
	info.Shape = a.Header.Grid.Shape(kind)
	a.tables[info.Name] = values
	i := slices.IndexFunc(a.Header.Ops, func(o OpInfo) bool { return o.Name == info.Name })
	if i >= 0 {
		a.Header.Ops[i] = info
	} else {
		a.Header.Ops = append(a.Header.Ops, info)
	}
	slices.SortStableFunc(a.Header.Ops, func(x, y OpInfo) int { return opOrder[x.Name] - opOrder[y.Name] })
	a.Header.Provenance = a.commonProvenance()
	return nil
}

func checkValues(op string, values []float64) error {
	for i, v := range values {
		if v != v || v < 0 || v > 1e300 {
			return fmt.Errorf("table %s value %d is %v; want a finite non-negative time in ms", op, i, v)
		}
	}
	return nil
}

func (a *Artifact) commonProvenance() string {
	p := ""
	for _, o := range a.Header.Ops {
		if p == "" {
			p = o.Provenance
		} else if o.Provenance != p {
			return ProvenanceMixed
		}
	}
	return p
}

// Table returns the values of an operator's table (row-major, ms; see
// Grid.Shape for its layout) and whether the artifact has one. The slice is
// shared: do not modify it.
func (a *Artifact) Table(op string) ([]float64, bool) {
	v, ok := a.tables[op]
	return v, ok
}

// Op returns the header entry of an operator.
func (a *Artifact) Op(op string) (OpInfo, bool) {
	for _, o := range a.Header.Ops {
		if o.Name == op {
			return o, true
		}
	}
	return OpInfo{}, false
}

// Lookup returns the prediction (ms) for an operator at Vidur's key: for
// token and batch tables key = (n); attn_decode key = (batch_size,
// kv_cache_size); attn_prefill key = (kv_cache_size, prefill_chunk_size) —
// the chunk, not its square. It reports false when the key is off-grid.
func (a *Artifact) Lookup(op string, key ...int) (float64, bool) {
	v, ok := a.tables[op]
	if !ok {
		return 0, false
	}
	kind, _ := KindOf(op)
	g := a.Header.Grid
	switch kind {
	case KindTokens, KindBatch:
		if len(key) != 1 || key[0] < 1 || key[0] > len(v) {
			return 0, false
		}
		return v[key[0]-1], true
	case KindDecode:
		if len(key) != 2 || key[0] < 1 || key[0] > g.MaxBatchSize || key[1] < 0 || key[1] > g.MaxKVTokens || key[1]%g.KVGranularity != 0 {
			return 0, false
		}
		return v[(key[0]-1)*g.NumKV()+key[1]/g.KVGranularity], true
	case KindPrefill:
		if len(key) != 2 || key[0] < 0 || key[0] > g.MaxKVTokens || key[0]%g.KVGranularity != 0 || key[1] < 1 || key[1] > g.MaxPrefillChunk {
			return 0, false
		}
		return v[(key[0]/g.KVGranularity)*g.MaxPrefillChunk+key[1]-1], true
	}
	return 0, false
}

// describe names the artifact in messages: its path if loaded, else its key.
func (h *Header) describe() string {
	return fmt.Sprintf("%s/%s/%s/tp%d", h.Model, h.Device, h.Node, h.TP)
}

// Name returns how messages refer to the artifact: its file path when it was
// loaded or saved, else model/device/node/tp.
func (a *Artifact) Name() string {
	if a.path != "" {
		return a.path
	}
	return a.Header.describe()
}
