package predictor

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"sort"

	"github.com/vidur-go/vidur-go/models"
	"github.com/vidur-go/vidur-go/profiler"
)

// ProfileFile is one input profile of a fit.
type ProfileFile struct {
	// Path is how the header records the file (relative to the store root);
	// File is where to read it.
	Path, File string
	// Synthetic marks stand-in data: ops trained on it get provenance
	// "synthetic" instead of "measured".
	Synthetic bool
}

// Fallback supplies analytical attention tables when no attention profile
// exists for the model and device.
type Fallback struct {
	Roofline   Roofline
	Efficiency Efficiency
	// Source says where the efficiency factors come from (for the header).
	Source string
}

// FitSpec is everything Fit needs.
type FitSpec struct {
	Model        models.Config
	Device, Node string
	TP           int
	// BlockSize filters attention profile rows (the replica scheduler's
	// block size; Vidur's default 16).
	BlockSize int
	Grid      Grid
	// MLP is required. Attention nil means analytical attention (Fallback
	// required). AllReduce is required when TP > 1. SendRecv and CPUOverhead
	// are trained when given.
	MLP                              ProfileFile
	Attention                        *ProfileFile
	AllReduce, SendRecv, CPUOverhead *ProfileFile
	Fallback                         *Fallback
	Train                            TrainOptions
	// OnOp, if set, is called before operator i (0-based) of n is trained.
	OnOp func(op string, i, n int)
}

// Fit trains every operator model of spec (spec §9.1–9.2), evaluates them on
// the grid (§9.3) and returns the artifact with the per-op results. Same
// inputs and seed give a byte-identical artifact.
func Fit(spec FitSpec) (*Artifact, []*OpResult, error) {
	if spec.TP < 1 {
		return nil, nil, fmt.Errorf("fit: tensor parallelism %d, want ≥ 1", spec.TP)
	}
	if err := spec.Grid.Validate(); err != nil {
		return nil, nil, fmt.Errorf("fit: %w", err)
	}
	if spec.BlockSize == 0 {
		spec.BlockSize = 16
	}
	type job struct {
		d    Dataset
		prov string
		path string
	}
	prov := func(p ProfileFile) string {
		if p.Synthetic {
			return ProvenanceSynthetic
		}
		return ProvenanceMeasured
	}
	var jobs []job
	var sources []ProfileFile
	mlpRows, err := profiler.ReadMLP(spec.MLP.File)
	if err != nil {
		return nil, nil, err
	}
	sources = append(sources, spec.MLP)
	ds, err := MLPDatasets(spec.MLP.Path, mlpRows, spec.Model, spec.TP)
	if err != nil {
		return nil, nil, err
	}
	for _, d := range ds {
		jobs = append(jobs, job{d, prov(spec.MLP), spec.MLP.Path})
	}
	if spec.Attention != nil {
		rows, err := profiler.ReadAttention(spec.Attention.File)
		if err != nil {
			return nil, nil, err
		}
		sources = append(sources, *spec.Attention)
		ds, err := AttentionDatasets(spec.Attention.Path, rows, spec.Model, spec.TP, spec.BlockSize)
		if err != nil {
			return nil, nil, err
		}
		for _, d := range ds {
			jobs = append(jobs, job{d, prov(*spec.Attention), spec.Attention.Path})
		}
	} else if spec.Fallback == nil {
		return nil, nil, fmt.Errorf("fit: no attention profile for %s on %s and no analytical fallback", spec.Model.Name, spec.Device)
	}
	if spec.TP > 1 {
		if spec.AllReduce == nil {
			return nil, nil, fmt.Errorf("fit: TP %d needs the all_reduce profile of node %s", spec.TP, spec.Node)
		}
		rows, err := profiler.ReadCollective(spec.AllReduce.File)
		if err != nil {
			return nil, nil, err
		}
		sources = append(sources, *spec.AllReduce)
		d, err := AllReduceDataset(spec.AllReduce.Path, rows, spec.Model, spec.TP)
		if err != nil {
			return nil, nil, err
		}
		jobs = append(jobs, job{d, prov(*spec.AllReduce), spec.AllReduce.Path})
	}
	if spec.SendRecv != nil {
		rows, err := profiler.ReadCollective(spec.SendRecv.File)
		if err != nil {
			return nil, nil, err
		}
		sources = append(sources, *spec.SendRecv)
		d, err := SendRecvDataset(spec.SendRecv.Path, rows, spec.Model, false)
		if err != nil {
			return nil, nil, err
		}
		jobs = append(jobs, job{d, prov(*spec.SendRecv), spec.SendRecv.Path})
	}
	if spec.CPUOverhead != nil {
		rows, err := profiler.ReadCPUOverhead(spec.CPUOverhead.File)
		if err != nil {
			return nil, nil, err
		}
		sources = append(sources, *spec.CPUOverhead)
		ds, err := CPUOverheadDatasets(spec.CPUOverhead.Path, rows, spec.Model, spec.TP)
		if err != nil {
			return nil, nil, err
		}
		for _, d := range ds {
			jobs = append(jobs, job{d, prov(*spec.CPUOverhead), spec.CPUOverhead.Path})
		}
	}
	pred := spec.Train.Predictor
	if pred == "" {
		pred = PredictorRandomForest
	}
	search := spec.Train.Search
	if search == "" {
		search = SearchVidur
	}
	a := NewArtifact(Header{Model: spec.Model.Name, ModelConfig: spec.Model, Device: spec.Device, Node: spec.Node, TP: spec.TP,
		Predictor: pred, GridSearch: search, Seed: int64(spec.Train.Seed), Grid: spec.Grid})
	for _, s := range sources {
		sum, err := fileSHA256(s.File)
		if err != nil {
			return nil, nil, err
		}
		a.Header.Sources = append(a.Header.Sources, Source{Path: s.Path, SHA256: sum})
	}
	sort.Slice(a.Header.Sources, func(i, j int) bool { return a.Header.Sources[i].Path < a.Header.Sources[j].Path })
	var results []*OpResult
	for i, j := range jobs {
		if spec.OnOp != nil {
			spec.OnOp(j.d.Op, i, len(jobs))
		}
		r, err := TrainOp(j.d, spec.Train)
		if err != nil {
			return nil, nil, err
		}
		vals, clamped, err := PredictTable(j.d.Op, r.Model, spec.Grid)
		if err != nil {
			return nil, nil, err
		}
		if clamped > 0 {
			a.Header.Notes = append(a.Header.Notes, fmt.Sprintf("%s: %d negative predictions clamped to 0", j.d.Op, clamped))
		}
		info := OpInfo{Name: j.d.Op, Provenance: j.prov, Predictor: pred, HyperParams: r.HyperParams(),
			TrainingRows: r.Rows, Sources: []string{j.path}}
		cv := r.CVMAPE
		info.CVMAPE = &cv
		if r.HeldOutMAPE == r.HeldOutMAPE {
			h := r.HeldOutMAPE
			info.HeldOutMAPE = &h
		}
		if err := a.SetTable(info, vals); err != nil {
			return nil, nil, err
		}
		results = append(results, r)
	}
	if spec.Attention == nil {
		fb := spec.Fallback
		for _, op := range []string{OpAttnKVCacheSave, OpAttnPrefill, OpAttnDecode} {
			if err := a.SetTable(OpInfo{Name: op, Provenance: ProvenanceAnalytical, Predictor: PredictorAnalytical},
				AnalyticalTable(op, spec.Model, spec.TP, fb.Roofline, fb.Efficiency, spec.Grid)); err != nil {
				return nil, nil, err
			}
		}
		a.Header.Notes = append(a.Header.Notes, "attention ops: "+analyticalNote(fb.Efficiency, fb.Source))
	}
	return a, results, nil
}

func fileSHA256(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("fit: %w", err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:]), nil
}

func nan() float64 { return mathNaN }
