// Package workload generates the requests a simulation serves, reproducing
// Vidur's request generators (spec §2) draw for draw.
//
// A Config (YAML/JSON keys named after Vidur's fields; DefaultConfig holds
// Vidur's defaults) selects either
//
//   - "synthetic": an interval generator (poisson, gamma, static, trace)
//     and a length generator (fixed, uniform, zipf, trace), limited by
//     num_requests or duration; or
//   - "trace_replay": the rows of a CSV with arrived_at,
//     num_prefill_tokens, num_decode_tokens, in file order: all of them
//     (num_requests 0, Vidur's only behaviour) or the first num_requests.
//
// Use:
//
//	cfg := workload.DefaultConfig()          // or workload.ParseConfig(path, data)
//	py := rng.NewPython(simSeed)             // Python's global random stream
//	reqs, err := workload.Generate(cfg, py)  // re-seeds py with cfg.Seed (synthetic)
//	// ... the random global scheduler continues with py.RandInt(1, n) - 1
//
// Randomness follows Vidur's seeding model: before a synthetic workload is
// generated, Python's random stream (passed in as py, because the simulation
// keeps using it afterwards) and numpy's global stream (internal) are
// re-seeded with Config.Seed. Each request draws its interval first, then
// its lengths. Zipf lengths and the shuffle of trace lengths use their own
// numpy RandomState seeded with LengthConfig.Seed. Configurations Vidur
// crashes on or never finishes (static arrivals with a duration, no limit,
// an exhausted trace) are errors here.
//
// Trace CSVs are read by ReadRequestTrace, ReadLengthTrace and
// ReadArrivalTrace (columns by header name; errors name file, line, column
// and the expected value); Replay, ReduceLengthTrace and TraceIntervals
// expose the per-row transformations for callers that load traces
// themselves.
package workload
