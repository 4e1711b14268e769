package search

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"sync"
)

// RunOptions control a search run.
type RunOptions struct {
	// Workers is the number of configurations simulated at once; ≤ 0 means
	// runtime.GOMAXPROCS(0). Results do not depend on it.
	Workers int
	// Shard restricts the run to configurations with Index mod Count ==
	// Index; the zero value runs them all.
	Shard Shard
	// ResultsPath is the JSON-lines results log ("" keeps results in
	// memory only). Each record is appended and synced as its
	// configuration finishes.
	ResultsPath string
	// Resume reuses the records of an existing ResultsPath written for the
	// same space and shard, simulating only the missing configurations.
	Resume bool
	// Evaluator describes evaluation settings that are not part of the
	// space (predictor artifact directory, ...); it is recorded in the
	// results file and must match to resume or merge.
	Evaluator string
	// Progress, when set, is called once at the start (done = resumed
	// configurations, last empty) and after each configuration finishes,
	// from one goroutine at a time.
	Progress func(done, total int, last Record)
}

// RunResult is the outcome of Run.
type RunResult struct {
	// Records are this shard's configurations (feasible and infeasible),
	// ordered by Index.
	Records []Record
	// Resumed is how many records came from an earlier run.
	Resumed int
}

// Run finds the capacity of every configuration of exp that belongs to
// opts.Shard, opts.Workers at a time, appending each result to
// opts.ResultsPath as it finishes. Infeasible configurations are recorded
// without simulation. A simulation error is recorded against its
// configuration and the search goes on; cancelling ctx stops the run after
// the configurations in flight are abandoned (nothing partial is recorded),
// returning ctx's error and the records finished so far.
func Run(ctx context.Context, s *Space, exp *Expansion, ev Evaluator, opts RunOptions) (*RunResult, error) {
	h := &Header{Version: resultsVersion, SpaceHash: s.Hash(), Space: s, Total: exp.Total, Shard: opts.Shard.norm(), Evaluator: opts.Evaluator}
	var (
		rw   *resultsWriter
		prev []Record
		err  error
	)
	if opts.ResultsPath != "" {
		rw, prev, err = openResults(opts.ResultsPath, h, opts.Resume)
		if err != nil {
			return nil, err
		}
		defer rw.Close()
	}
	done := map[int]Record{}
	for _, r := range prev {
		if !opts.Shard.Has(r.Point.Index) {
			return nil, fmt.Errorf("%s: configuration %d is not in shard %s", opts.ResultsPath, r.Point.Index, opts.Shard)
		}
		done[r.Point.Index] = r
	}
	res := &RunResult{Resumed: len(done)}

	var todo []Point
	var infeasible []Record
	total := 0
	for _, inf := range exp.Infeasible {
		if opts.Shard.Has(inf.Point.Index) {
			total++
			if _, ok := done[inf.Point.Index]; !ok {
				infeasible = append(infeasible, Record{Point: inf.Point, Infeasible: inf.Reason})
			}
		}
	}
	for _, p := range exp.Points {
		if opts.Shard.Has(p.Index) {
			total++
			if _, ok := done[p.Index]; !ok {
				todo = append(todo, p)
			}
		}
	}
	if len(done) > total {
		return nil, fmt.Errorf("%s holds %d records for a shard of %d configurations", opts.ResultsPath, len(done), total)
	}

	finished := len(done)
	progress := func(r Record) {
		finished++
		if opts.Progress != nil {
			opts.Progress(finished, total, r)
		}
	}
	if opts.Progress != nil {
		opts.Progress(finished, total, Record{})
	}
	record := func(r Record) error {
		if rw != nil {
			if err := rw.Append(r); err != nil {
				return err
			}
		}
		done[r.Point.Index] = r
		progress(r)
		return nil
	}
	for _, r := range infeasible {
		if err := record(r); err != nil {
			return nil, err
		}
	}

	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, max(len(todo), 1))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan Point)
	out := make(chan Record)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range jobs {
				c, err := FindCapacity(ctx, ev, p, s.SLOs, s.Search)
				r := Record{Point: p}
				switch {
				case ctx.Err() != nil:
					return // cancelled: record nothing for p
				case err != nil:
					r.Error = err.Error()
				default:
					r.Capacity = &c
				}
				select {
				case out <- r:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for _, p := range todo {
			select {
			case jobs <- p:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(out) }()

	var firstErr error
	for r := range out {
		if firstErr != nil {
			continue
		}
		if err := record(r); err != nil {
			firstErr = err
			cancel()
		}
	}
	res.Records = sortedRecords(done)
	if firstErr != nil {
		return res, firstErr
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	if len(res.Records) != total {
		return res, errors.New("search: internal error: records missing after run")
	}
	return res, nil
}

func sortedRecords(m map[int]Record) []Record {
	recs := make([]Record, 0, len(m))
	for _, r := range m {
		recs = append(recs, r)
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].Point.Index < recs[j].Point.Index })
	return recs
}
