package search

import (
	"bytes"
	"context"
	"flag"
	"math"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden file (go test -update refreshes it):\n%s", name, got)
	}
}

func testReport(t *testing.T) *Report {
	t.Helper()
	s, exp := testExpansion(t)
	ev := &fakeEvaluator{capacity: capacityByShape, floorTTFT: 0.5, failOn: exp.Points[3].ID}
	res, err := Run(context.Background(), s, exp, ev, RunOptions{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	// One configuration with zero capacity: rerun it with a slow prefill.
	slow := &fakeEvaluator{capacity: capacityByShape, floorTTFT: 3.1}
	c, err := FindCapacity(context.Background(), slow, exp.Points[0], s.SLOs, s.Search)
	if err != nil {
		t.Fatal(err)
	}
	for i := range res.Records {
		if res.Records[i].Point.Index == exp.Points[0].Index {
			res.Records[i].Capacity = &c
		}
	}
	prices := newFakeCatalog().prices()
	prices["a100"] = 3.72 // a cost override
	rep, err := NewReport(s, res.Records, prices)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestReportGolden(t *testing.T) {
	rep := testReport(t)
	var txt, csv, pareto bytes.Buffer
	if err := rep.WriteText(&txt, 12); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteCSV(&csv, false); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteCSV(&pareto, true); err != nil {
		t.Fatal(err)
	}
	for i := range rep.Rows {
		if n := len(rep.csvRow(i)); n != len(csvHeader) {
			t.Fatalf("row %d has %d fields, header %d", i, n, len(csvHeader))
		}
	}
	golden(t, "report.txt", txt.Bytes())
	golden(t, "configs.csv", csv.Bytes())
	golden(t, "pareto.csv", pareto.Bytes())
}

func TestReportCost(t *testing.T) {
	rep := testReport(t)
	best := rep.BestRow()
	if best == nil {
		t.Fatal("no best configuration")
	}
	for i := range rep.Rows {
		r := &rep.Rows[i]
		if !r.HasCapacity() {
			continue
		}
		if r.QPSPerDollar > best.QPSPerDollar {
			t.Fatalf("row %d beats the best in QPS per dollar", i)
		}
		wantQPD := r.QPS() / (float64(r.GPUsUsed) * r.PricePerGPUHour)
		// The fake reports 128 output tokens per request.
		wantCost := float64(r.GPUsUsed) * r.PricePerGPUHour / (r.QPS() * 128 * 3600) * 1e6
		if math.Abs(r.QPSPerDollar-wantQPD) > 1e-12*wantQPD || math.Abs(r.CostPerMTokens-wantCost) > 1e-9*wantCost {
			t.Fatalf("row %d: QPS/$ %g want %g, $/Mtok %g want %g", i, r.QPSPerDollar, wantQPD, r.CostPerMTokens, wantCost)
		}
		if r.Point.Device == "a100" && r.PricePerGPUHour != 3.72 {
			t.Fatalf("price override ignored: %g", r.PricePerGPUHour)
		}
	}
	// Pareto rows are not dominated; every non-Pareto row with capacity is.
	for i := range rep.Rows {
		a := &rep.Rows[i]
		if !a.HasCapacity() {
			continue
		}
		dom := false
		for j := range rep.Rows {
			if rep.Rows[j].HasCapacity() && dominates(&rep.Rows[j], a) {
				dom = true
			}
		}
		if dom == a.Pareto {
			t.Fatalf("row %d Pareto=%v but dominated=%v", i, a.Pareto, dom)
		}
	}
	if _, err := NewReport(rep.Space, []Record{{Point: Point{Device: "v100"}, Infeasible: "x"}}, Prices{}); err == nil {
		t.Fatal("no error for a device without a price")
	}
}

func TestReportPlot(t *testing.T) {
	rep := testReport(t)
	var b bytes.Buffer
	if err := rep.WritePlot(&b); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b.Bytes(), []byte("\x89PNG")) {
		t.Fatal("not a PNG")
	}
	// No configuration with capacity still plots (empty panels with SLOs).
	empty, err := NewReport(rep.Space, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	b.Reset()
	if err := empty.WritePlot(&b); err != nil {
		t.Fatal(err)
	}
}
