package search

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/vidur-go/vidur-go/internal/atomicfile"
	"github.com/vidur-go/vidur-go/internal/termtable"
)

// Report is the ranked, priced outcome of a search. It depends only on the
// space and the set of records (not on their order, worker count or
// sharding), so a merged sharded search reports byte-identically to an
// unsharded one.
type Report struct {
	Space *Space
	// Rows are ranked: by QPS per dollar (descending) among configurations
	// with capacity, then zero-capacity, failed and infeasible ones.
	Rows []Row
	// Best indexes Rows (0) or is -1 when no configuration has capacity.
	Best int
}

// Report file names written by WriteDir.
const (
	ReportTextFile   = "report.txt"
	ReportCSVFile    = "configs.csv"
	ParetoCSVFile    = "pareto.csv"
	ParetoPlotFile   = "pareto.png"
	BestJSONFile     = "best.json"
	DefaultTableRows = 20
)

// NewReport prices and ranks records. Every record's device needs a price.
// Records must be one per configuration (Merge checks this for files).
func NewReport(s *Space, records []Record, prices Prices) (*Report, error) {
	rep := &Report{Space: s, Best: -1}
	for _, rec := range records {
		r, err := rowOf(rec, prices)
		if err != nil {
			return nil, fmt.Errorf("configuration %s (%s): %w", rec.Point.ID, rec.Point.Label(), err)
		}
		rep.Rows = append(rep.Rows, r)
	}
	markPareto(rep.Rows)
	rankRows(rep.Rows)
	if len(rep.Rows) > 0 && rep.Rows[0].HasCapacity() {
		rep.Best = 0
	}
	return rep, nil
}

// counts returns (with capacity, zero capacity, failed, infeasible).
func (rep *Report) counts() (ok, zero, failed, infeasible int) {
	for i := range rep.Rows {
		r := &rep.Rows[i]
		switch {
		case r.HasCapacity():
			ok++
		case r.Capacity != nil:
			zero++
		case r.Error != "":
			failed++
		default:
			infeasible++
		}
	}
	return
}

// WriteText writes the human report: summary, best configuration, the
// ranked table (at most maxRows rows with capacity; all when maxRows ≤ 0),
// and why the other configurations have no capacity or were dropped.
func (rep *Report) WriteText(w io.Writer, maxRows int) error {
	var b bytes.Buffer
	s := rep.Space
	ok, zero, failed, infeasible := rep.counts()
	name := s.Name
	if name == "" {
		name = "search"
	}
	fmt.Fprintf(&b, "%s (space %s): %d configurations — %d with capacity, %d with zero capacity, %d failed, %d infeasible\n",
		name, s.Hash(), len(rep.Rows), ok, zero, failed, infeasible)
	var slos []string
	for _, slo := range s.SLOs {
		slos = append(slos, slo.String())
	}
	fmt.Fprintf(&b, "SLOs (all at once): %s\n", strings.Join(slos, ", "))
	fmt.Fprintf(&b, "Workload: %s, %d requests per probe, max %d tokens, seed %d, Poisson arrivals\n",
		workloadLabel(s.Workload), s.Workload.Requests, s.Workload.MaxTokens, s.Workload.Seed)
	if rep.Best >= 0 {
		r := &rep.Rows[rep.Best]
		fmt.Fprintf(&b, "\nBest: %s [%s]\n  capacity %s QPS, %s QPS per $/h, $%s per million output tokens, %d GPUs at $%s/GPU-hour\n  TTFT p90 %s, TBT p99 %s; %s\n",
			r.Point.Label(), r.Point.ID, formatQPS(r.QPS()), fmtSig(r.QPSPerDollar, 4), fmtSig(r.CostPerMTokens, 4),
			r.GPUsUsed, fmtSig(r.PricePerGPUHour, 4), formatSeconds(r.TTFTp90S), formatSeconds(r.TBTp99S), r.Capacity.Why)
		if r.Capacity.Predictor != "" {
			fmt.Fprintf(&b, "  batch times: %s\n", r.Capacity.Predictor)
		}
	} else {
		b.WriteString("\nNo configuration meets the SLOs at any probed rate.\n")
	}
	if ok > 0 {
		b.WriteString("\nConfigurations with capacity, by QPS per dollar (* = Pareto-optimal in QPS/$, TTFT p90, TBT p99):\n")
		header := []string{"#", "id", "model", "device", "GPUs", "TP", "PP", "repl", "scheduler", "bsz", "QPS", "QPS/$", "$/Mtok", "TTFT p90", "TBT p99", "P", "predictor"}
		var rows [][]string
		for i := range rep.Rows {
			r := &rep.Rows[i]
			if !r.HasCapacity() || (maxRows > 0 && len(rows) >= maxRows) {
				continue
			}
			pareto := ""
			if r.Pareto {
				pareto = "*"
			}
			rows = append(rows, []string{
				strconv.Itoa(i + 1), r.Point.ID, shortModel(r.Point.Model), r.Point.Device, strconv.Itoa(r.GPUsUsed),
				strconv.Itoa(r.Point.TP), strconv.Itoa(r.Point.PP), strconv.Itoa(r.Point.Replicas),
				r.Point.SchedulerLabel(), strconv.Itoa(r.Point.BatchSizeCap), formatQPS(r.QPS()),
				fmtSig(r.QPSPerDollar, 4), fmtSig(r.CostPerMTokens, 4), formatSeconds(r.TTFTp90S), formatSeconds(r.TBTp99S), pareto,
				predictorKind(r.Capacity.Predictor),
			})
		}
		if err := termtable.Write(&b, header, rows); err != nil {
			return err
		}
		if maxRows > 0 && ok > maxRows {
			fmt.Fprintf(&b, "(%d more in %s)\n", ok-maxRows, ReportCSVFile)
		}
	}
	section := func(title string, pick func(*Row) string) {
		n := 0
		for i := range rep.Rows {
			r := &rep.Rows[i]
			msg := pick(r)
			if msg == "" {
				continue
			}
			if n == 0 {
				fmt.Fprintf(&b, "\n%s:\n", title)
			}
			n++
			if maxRows <= 0 || n <= maxRows {
				fmt.Fprintf(&b, "  %s %s: %s\n", r.Point.ID, r.Point.Label(), msg)
			}
		}
		if maxRows > 0 && n > maxRows {
			fmt.Fprintf(&b, "  (%d more in %s)\n", n-maxRows, ReportCSVFile)
		}
	}
	section("Zero capacity", func(r *Row) string {
		if r.Capacity != nil && !r.HasCapacity() {
			return r.Capacity.Why
		}
		return ""
	})
	section("Failed", func(r *Row) string { return r.Error })
	section("Infeasible", func(r *Row) string { return r.Infeasible })
	_, err := w.Write(b.Bytes())
	return err
}

// predictorKind shortens a predictor description for the table:
// "analytical" when the batch times are not measured, "artifact" when they
// come from a trained artifact, "" when unknown.
func predictorKind(source string) string {
	switch {
	case source == "":
		return ""
	case strings.HasPrefix(source, "analytical"):
		return "analytical"
	default:
		return "artifact"
	}
}

func workloadLabel(w Workload) string {
	if w.Trace != "" {
		return "trace " + filepath.Base(w.Trace)
	}
	return fmt.Sprintf("fixed %d prompt + %d output tokens", w.PrefillTokens, w.DecodeTokens)
}

func shortModel(m string) string {
	if i := strings.LastIndexByte(m, '/'); i >= 0 {
		return m[i+1:]
	}
	return m
}

// csvHeader is the header of configs.csv and pareto.csv.
var csvHeader = []string{
	"rank", "id", "index", "status", "model", "device", "node", "gpu_budget", "gpus_used", "tp", "pp", "replicas",
	"scheduler", "chunk_size", "batch_size_cap", "price_per_gpu_hour", "capacity_qps", "qps_per_dollar",
	"cost_per_m_output_tokens", "ttft_p50_s", "ttft_p90_s", "ttft_p99_s", "tbt_p50_s", "tbt_p99_s",
	"scheduling_delay_p99_s", "e2e_p90_s", "pareto", "probes", "why", "predictor",
}

func (rep *Report) csvRow(i int) []string {
	r := &rep.Rows[i]
	p := r.Point
	status, why, probes, pred := "infeasible", r.Infeasible, 0, ""
	switch {
	case r.HasCapacity():
		status, why = "ok", r.Capacity.Why
	case r.Capacity != nil:
		status, why = "zero_capacity", r.Capacity.Why
	case r.Error != "":
		status, why = "error", r.Error
	}
	val := func(m Metric, q float64) string { return "" }
	if r.Capacity != nil {
		probes, pred = len(r.Capacity.Probes), r.Capacity.Predictor
		if r.HasCapacity() {
			val = func(m Metric, q float64) string { return fmtFloat(r.Capacity.Value(m, q)) }
		}
	}
	opt := func(x float64) string {
		if !r.HasCapacity() {
			return ""
		}
		return fmtFloat(x)
	}
	return []string{
		strconv.Itoa(i + 1), p.ID, strconv.Itoa(p.Index), status, p.Model, p.Device, p.Node,
		strconv.Itoa(p.GPUs), strconv.Itoa(r.GPUsUsed), strconv.Itoa(p.TP), strconv.Itoa(p.PP), strconv.Itoa(p.Replicas),
		p.Scheduler, strconv.Itoa(p.ChunkSize), strconv.Itoa(p.BatchSizeCap), fmtFloat(r.PricePerGPUHour),
		fmtFloat(r.QPS()), opt(r.QPSPerDollar), opt(r.CostPerMTokens),
		val(TTFT, 0.5), val(TTFT, 0.9), val(TTFT, 0.99), val(TBT, 0.5), val(TBT, 0.99),
		val(SchedulingDelay, 0.99), val(E2E, 0.9), strconv.FormatBool(r.Pareto), strconv.Itoa(probes), why, pred,
	}
}

// WriteCSV writes every configuration (paretoOnly false) or the Pareto
// frontier (true), one row each in rank order, with the csvHeader columns;
// latencies in seconds, empty where there is no capacity.
func (rep *Report) WriteCSV(w io.Writer, paretoOnly bool) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for i := range rep.Rows {
		if paretoOnly && !rep.Rows[i].Pareto {
			continue
		}
		if err := cw.Write(rep.csvRow(i)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// BestJSON is the content of best.json.
type BestJSON struct {
	SpaceHash       string  `json:"space_hash"`
	Point           Point   `json:"point"`
	CapacityQPS     float64 `json:"capacity_qps"`
	QPSPerDollar    float64 `json:"qps_per_dollar"`
	CostPerMTokens  float64 `json:"cost_per_m_output_tokens"`
	PricePerGPUHour float64 `json:"price_per_gpu_hour"`
	GPUsUsed        int     `json:"gpus_used"`
	Why             string  `json:"why"`
	// Predictor says where the batch times came from.
	Predictor string `json:"predictor,omitempty"`
	// Latencies at capacity, "ttft_p90" → seconds.
	Latencies map[string]float64 `json:"latencies_s"`
}

// BestRow returns the best configuration, or nil when none has capacity.
func (rep *Report) BestRow() *Row {
	if rep.Best < 0 {
		return nil
	}
	return &rep.Rows[rep.Best]
}

func (rep *Report) bestJSON() ([]byte, error) {
	r := rep.BestRow()
	if r == nil {
		return []byte("null\n"), nil
	}
	bj := BestJSON{
		SpaceHash: rep.Space.Hash(), Point: r.Point, CapacityQPS: r.QPS(), QPSPerDollar: r.QPSPerDollar,
		CostPerMTokens: nanToZero(r.CostPerMTokens), PricePerGPUHour: r.PricePerGPUHour, GPUsUsed: r.GPUsUsed,
		Why: r.Capacity.Why, Predictor: r.Capacity.Predictor, Latencies: map[string]float64{},
	}
	for i, q := range r.Capacity.Quantiles {
		bj.Latencies[string(q.Metric)+"_"+quantileName(q.Quantile)] = r.Capacity.At.Outcome.Values[i]
	}
	b, err := json.MarshalIndent(bj, "", "  ")
	return append(b, '\n'), err
}

// WriteDir writes report.txt (full table), configs.csv, pareto.csv,
// pareto.png and best.json into dir, each atomically.
func (rep *Report) WriteDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	writers := []struct {
		name string
		fill func(io.Writer) error
	}{
		{ReportTextFile, func(w io.Writer) error { return rep.WriteText(w, 0) }},
		{ReportCSVFile, func(w io.Writer) error { return rep.WriteCSV(w, false) }},
		{ParetoCSVFile, func(w io.Writer) error { return rep.WriteCSV(w, true) }},
		{BestJSONFile, func(w io.Writer) error {
			b, err := rep.bestJSON()
			if err != nil {
				return err
			}
			_, err = w.Write(b)
			return err
		}},
		{ParetoPlotFile, rep.WritePlot},
	}
	for _, f := range writers {
		if err := atomicfile.Write(filepath.Join(dir, f.name), 0o644, f.fill); err != nil {
			return err
		}
	}
	return nil
}

// fmtFloat writes x in the shortest form that round-trips ("" for NaN).
func fmtFloat(x float64) string {
	if math.IsNaN(x) {
		return ""
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}

func fmtSig(x float64, n int) string {
	if math.IsNaN(x) {
		return "n/a"
	}
	return strconv.FormatFloat(roundSig(x, n), 'f', -1, 64)
}

func nanToZero(x float64) float64 {
	if math.IsNaN(x) {
		return 0
	}
	return x
}
