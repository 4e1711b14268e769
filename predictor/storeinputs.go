package predictor

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/vidur-go/vidur-go/hardware"
	"github.com/vidur-go/vidur-go/models"
	"github.com/vidur-go/vidur-go/profiler"
)

// Profiles are the store's profiles for one (model, device, node); a nil
// field means the store has none.
type Profiles struct {
	MLP, Attention, AllReduce, SendRecv, CPUOverhead *ProfileFile
}

// FindProfiles locates the profiles of model on device (compute) and node
// (network, CPU overhead) in a store, plain or gzip, with their manifests'
// synthetic flags.
func FindProfiles(st *profiler.Store, model, device, node string) (Profiles, error) {
	var p Profiles
	for _, k := range []struct {
		kind string
		dst  **ProfileFile
	}{{profiler.KindMLP, &p.MLP}, {profiler.KindAttention, &p.Attention}, {profiler.KindAllReduce, &p.AllReduce},
		{profiler.KindSendRecv, &p.SendRecv}, {profiler.KindCPUOverhead, &p.CPUOverhead}} {
		for _, gz := range []bool{false, true} {
			path, err := st.PathFor(k.kind, device, node, model, gz)
			if err != nil {
				return p, err
			}
			if _, err := os.Stat(path); err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					continue
				}
				return p, err
			}
			m, err := profiler.ReadManifest(path + profiler.ManifestSuffix)
			if err != nil {
				return p, fmt.Errorf("profile %s: %w (re-import it with vidur-profile import)", path, err)
			}
			rel, err := filepath.Rel(st.Root, path)
			if err != nil {
				return p, err
			}
			*k.dst = &ProfileFile{Path: filepath.ToSlash(rel), File: path, Synthetic: m.Synthetic}
			break
		}
	}
	return p, nil
}

// CalibrationRows gathers calibration rows for device from every profile in
// the store: each mlp and attention profile of the device whose model is in
// the catalog, at every TP it covers, and the all_reduce profiles of the
// nodes built from the device. It returns the rows and the profile paths
// used (sorted).
func CalibrationRows(st *profiler.Store, device string, blockSize int) ([]CalibRow, []string, error) {
	profs, err := st.Profiles()
	if err != nil {
		return nil, nil, err
	}
	var rows []CalibRow
	var used []string
	for _, p := range profs {
		m := p.Manifest
		file := st.Abs(p.Path)
		switch m.Kind {
		case profiler.KindMLP, profiler.KindAttention:
			if m.SKU != device {
				continue
			}
			cfg, err := models.Lookup(m.Model)
			if err != nil {
				continue // a model outside the catalog cannot be described
			}
			if m.Kind == profiler.KindMLP {
				rs, err := profiler.ReadMLP(file)
				if err != nil {
					return nil, nil, err
				}
				for _, tp := range distinctInts(len(rs), func(i int) int { return rs[i].TP }) {
					if cfg.Validate(tp, 1) != nil {
						continue
					}
					ds, err := MLPDatasets(p.Path, rs, cfg, tp)
					if err != nil {
						continue
					}
					rows = append(rows, CalibRowsFromDatasets(ds, cfg, tp, "", 0)...)
				}
			} else {
				rs, err := profiler.ReadAttention(file)
				if err != nil {
					return nil, nil, err
				}
				for _, tp := range distinctInts(len(rs), func(i int) int { return rs[i].TP }) {
					if cfg.Validate(tp, 1) != nil {
						continue
					}
					ds, err := AttentionDatasets(p.Path, rs, cfg, tp, blockSize)
					if err != nil {
						continue
					}
					rows = append(rows, CalibRowsFromDatasets(ds[1:], cfg, tp, "", 0)...) // prefill, decode
					rows = append(rows, CalibRowsFromDatasets(ds[:1], cfg, tp, "", 0)...) // kv-cache save
				}
			}
			used = append(used, p.Path)
		case profiler.KindAllReduce:
			node, err := hardware.LookupNode(m.Node)
			if err != nil || node.Device != device || node.InterconnectGBps <= 0 {
				continue
			}
			rs, err := profiler.ReadCollective(file)
			if err != nil {
				return nil, nil, err
			}
			unit := models.Config{EmbeddingDim: 1}
			for _, tp := range distinctInts(len(rs), func(i int) int { return rs[i].NumWorkers }) {
				if tp < 2 {
					continue
				}
				d, err := AllReduceDataset(p.Path, rs, unit, tp)
				if err != nil {
					continue
				}
				rows = append(rows, CalibRowsFromDatasets([]Dataset{d}, unit, tp, node.Name, node.InterconnectGBps*1e6)...)
			}
			used = append(used, p.Path)
		}
	}
	sort.Strings(used)
	if len(rows) == 0 {
		return nil, nil, fmt.Errorf("no profiles of device %s in store %s to calibrate from (import some with vidur-profile import)", device, st.Root)
	}
	return rows, used, nil
}

func distinctInts(n int, at func(i int) int) []int {
	seen := map[int]bool{}
	var out []int
	for i := 0; i < n; i++ {
		v := at(i)
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	sort.Ints(out)
	return out
}
