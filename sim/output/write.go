package output

import (
	"encoding/json"
	"fmt"
	"path/filepath"

	"github.com/vidur-go/vidur-go/internal/atomicfile"
	"github.com/vidur-go/vidur-go/sim/cluster"
	"github.com/vidur-go/vidur-go/sim/metrics"
)

// Report is summary.json: what ran and the metric summary.
type Report struct {
	// RunName is the configuration's run name.
	RunName string `json:"run_name"`
	// Predictor describes where batch times come from; it contains
	// "analytical, not measured" when they are not measured.
	Predictor   string `json:"predictor"`
	Model       string `json:"model"`
	Device      string `json:"device"`
	Node        string `json:"node"`
	TP          int    `json:"tensor_parallel_size"`
	PP          int    `json:"num_pipeline_stages"`
	NumReplicas int    `json:"num_replicas"`
	Scheduler   string `json:"scheduler"`
	Router      string `json:"router"`
	// NumBlocks is the KV-block capacity per replica and MaxBatchSize the
	// memory planner's request slots per stage.
	NumBlocks    int  `json:"num_blocks"`
	MaxBatchSize int  `json:"planner_max_batch_size"`
	TimeLimited  bool `json:"time_limited"`
	NumEvents    int  `json:"num_events"`
	metrics.Summary
}

// Files are the inputs of Write.
type Files struct {
	Report   Report
	Requests []cluster.Request
	Metrics  *metrics.Collector
	// ConfigYAML is the effective configuration.
	ConfigYAML []byte
	// Replicas and Stages size the trace's process and thread tables.
	Replicas, Stages int
	// Trace, Batches and Plots select the optional files.
	Trace, Batches, Plots bool
}

// Write writes the files to dir (created if missing) and returns their
// paths in the order written.
func Write(dir string, f Files) ([]string, error) {
	var written []string
	add := func(name string, err error) error {
		if err != nil {
			return fmt.Errorf("write %s: %w", filepath.Join(dir, name), err)
		}
		written = append(written, filepath.Join(dir, name))
		return nil
	}
	js, err := json.MarshalIndent(f.Report, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode summary: %w", err)
	}
	js = append(js, '\n')
	if err := add("summary.json", atomicfile.WriteFile(filepath.Join(dir, "summary.json"), js, 0o644)); err != nil {
		return written, err
	}
	if err := add("config.yaml", atomicfile.WriteFile(filepath.Join(dir, "config.yaml"), f.ConfigYAML, 0o644)); err != nil {
		return written, err
	}
	if err := add("requests.csv", WriteRequestsCSV(filepath.Join(dir, "requests.csv"), f.Requests)); err != nil {
		return written, err
	}
	if f.Batches && f.Metrics.Opt.Batches {
		if err := add("batches.csv", WriteBatchesCSV(filepath.Join(dir, "batches.csv"), f.Metrics.Batches)); err != nil {
			return written, err
		}
	}
	if f.Trace && f.Metrics.Opt.Stages {
		if err := add("trace.json", WriteTrace(filepath.Join(dir, "trace.json"), f.Metrics, f.Replicas, f.Stages)); err != nil {
			return written, err
		}
	}
	if f.Plots {
		names, err := WritePlots(filepath.Join(dir, "plots"), f.Requests, f.Metrics)
		for _, n := range names {
			written = append(written, filepath.Join(dir, "plots", n))
		}
		if err != nil {
			return written, err
		}
	}
	return written, nil
}
