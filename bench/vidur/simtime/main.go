// Command simtime times vidur-go's simulation phase alone, in process, for
// the comparison with Vidur in docs/performance.md ("Versus Vidur").
//
// It reads a configuration written by `vidur-sim run ... --print-config`,
// resolves it once with sim.Prepare (catalog lookups, trace loading, artifact
// loading: the counterpart of Vidur's excluded setup), then times
// (*sim.Setup).Run -runs times and prints each wall time and the median as
// JSON. Run is exactly what `vidur-sim run` executes between setup and
// writing its files, with the same recording options, so the figure is the
// counterpart of Vidur's Simulator.run().
//
// Usage:
//
//	go run ./bench/vidur/simtime -config g1.yaml -runs 5
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/vidur-go/vidur-go/sim"
)

type report struct {
	Config          string    `json:"config"`
	Requests        int       `json:"requests"`
	Batches         int       `json:"batches"`
	Events          int       `json:"events"`
	SimulatedS      float64   `json:"simulated_seconds"`
	SetupS          float64   `json:"setup_s"`
	RunS            []float64 `json:"run_s"`
	MedianRunS      float64   `json:"median_run_s"`
	RequestsPerSecS float64   `json:"requests_per_s"`
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "simtime:", err)
		os.Exit(1)
	}
}

func run() error {
	configPath := flag.String("config", "", "YAML configuration from `vidur-sim run --print-config` (required)")
	runs := flag.Int("runs", 5, "number of timed runs (the median is reported)")
	flag.Parse()
	if *configPath == "" {
		return fmt.Errorf("-config is required")
	}
	if *runs < 1 {
		return fmt.Errorf("-runs %d: want at least 1", *runs)
	}
	data, err := os.ReadFile(*configPath)
	if err != nil {
		return err
	}
	cfg, err := sim.ParseConfig(*configPath, data)
	if err != nil {
		return err
	}
	t0 := time.Now()
	setup, err := sim.Prepare(cfg, nil)
	if err != nil {
		return fmt.Errorf("prepare %s: %w", *configPath, err)
	}
	rep := report{Config: *configPath, SetupS: time.Since(t0).Seconds(), Requests: len(setup.Requests)}
	for range *runs {
		start := time.Now()
		res, err := setup.Run(nil)
		if err != nil {
			return fmt.Errorf("run %s: %w", *configPath, err)
		}
		rep.RunS = append(rep.RunS, time.Since(start).Seconds())
		rep.Batches = res.Metrics.NumBatches
		rep.Events = res.NumEvents
		rep.SimulatedS = res.EndTimeS
	}
	sorted := slices.Clone(rep.RunS)
	slices.Sort(sorted)
	rep.MedianRunS = sorted[len(sorted)/2]
	rep.RequestsPerSecS = float64(rep.Requests) / rep.MedianRunS
	out, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	fmt.Println(string(out))
	return nil
}
