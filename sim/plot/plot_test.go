package plot

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/plot/plotter"

	"github.com/vidur-go/vidur-go/sim/rng"
)

var keep = flag.String("keep", "", "also write the test figures to this directory (for looking at them)")

func sample(seed uint32, n int, scale float64) []float64 {
	np := rng.NewNumPy(seed)
	v := make([]float64, n)
	for i := range v {
		v[i] = np.StandardGamma(2) * scale
	}
	return v
}

func render(t *testing.T, name string, draw func(path string) error) []byte {
	t.Helper()
	dir := t.TempDir()
	if *keep != "" {
		dir = *keep
	}
	path := filepath.Join(dir, name)
	if err := draw(path); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("%s is not a PNG", name)
	}
	return b
}

func TestFiguresAreDeterministic(t *testing.T) {
	xs := make([]float64, 500)
	ys := make([]float64, 500)
	for i := range xs {
		xs[i] = float64(i) * 0.5
		ys[i] = 40 + 30*math.Sin(float64(i)/40)
	}
	pts := []LabeledPoint{{0.8, 3.1, "tp1-pp1 sarathi"}, {0.5, 2.2, "tp2-pp1 vllm"}, {1.2, 3.0, "tp1-pp2 orca"}, {0.3, 1.0, "tp4-pp1 sarathi"}}
	figures := map[string]func(string) error{
		"cdf.png": func(p string) error {
			return CDF(p, "Time to first token", "TTFT (s)",
				Series{Name: "sarathi", Values: sample(1, 2000, 0.1)}, Series{Name: "vllm", Values: sample(2, 300, 0.15)})
		},
		"timeseries.png": func(p string) error {
			return TimeSeries(p, "KV-cache memory", "time (s)", "memory used (%)", XYSeries{Name: "replica 0", X: xs, Y: ys})
		},
		"histogram.png": func(p string) error {
			return Histogram(p, "Prompt lengths", "prefill tokens", 30, Series{Name: "trace", Values: sample(3, 5000, 500)})
		},
		"pareto.png": func(p string) error {
			return Pareto(p, "Deployments", "p99 TTFT (s)", "capacity per dollar (QPS/$/h)", pts, ParetoFront(pts)...)
		},
	}
	names := []string{"cdf.png", "timeseries.png", "histogram.png", "pareto.png"}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			a := render(t, name, figures[name])
			b := render(t, name, figures[name])
			if !bytes.Equal(a, b) {
				t.Errorf("%s: two renderings differ", name)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x.png")
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"no series", CDF(p, "t", "x"), "no series"},
		{"empty series", CDF(p, "t", "x", Series{Name: "a"}), `series "a" has no values`},
		{"NaN", CDF(p, "t", "x", Series{Name: "a", Values: []float64{1, math.NaN()}}), `series "a": value 1 is NaN`},
		{"xy length", TimeSeries(p, "t", "x", "y", XYSeries{Name: "b", X: []float64{1}, Y: nil}), `series "b" has 1 x and 0 y`},
		{"inf point", Pareto(p, "t", "x", "y", []LabeledPoint{{math.Inf(1), 1, "c"}}), `point 0 ("c") is not finite`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.err == nil || !strings.Contains(c.err.Error(), c.want) || !strings.Contains(c.err.Error(), "x.png") {
				t.Errorf("error %v, want it to name x.png and say %q", c.err, c.want)
			}
		})
	}
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Errorf("a failed plot left %s behind", p)
	}
}

func TestCDFPoints(t *testing.T) {
	small := cdfPoints([]float64{3, 1, 2, 2})
	wantY := []float64{0, 0.25, 0.5, 0.75, 1}
	wantX := []float64{1, 1, 2, 2, 3}
	for i := range small {
		if small[i].X != wantX[i] || small[i].Y != wantY[i] {
			t.Fatalf("small CDF = %v", small)
		}
	}
	big := make([]float64, 100_001)
	for i := range big {
		big[i] = float64(len(big) - 1 - i)
	}
	pts := cdfPoints(big)
	if len(pts) != CDFPoints+1 || pts[0].X != 0 || pts[CDFPoints].X != 100_000 || pts[500].X != 50_000 || pts[500].Y != 0.5 {
		t.Fatalf("quantile CDF: %d points, first %v, median %v, last %v", len(pts), pts[0], pts[500], pts[CDFPoints])
	}
}

func TestDecimateKeepsExtremes(t *testing.T) {
	n := 1_000_000
	x := make([]float64, n)
	y := make([]float64, n)
	for i := range x {
		x[i] = float64(i)
	}
	y[123_457] = 99 // a single spike
	y[654_321] = -7
	pts := decimate(x, y)
	if len(pts) > MaxLinePoints {
		t.Fatalf("%d points", len(pts))
	}
	if !slices.ContainsFunc(pts, func(p plotter.XY) bool { return p.Y == 99 }) || !slices.ContainsFunc(pts, func(p plotter.XY) bool { return p.Y == -7 }) {
		t.Error("decimation lost a spike")
	}
	if !slices.IsSortedFunc(pts, func(a, b plotter.XY) int { return int(a.X - b.X) }) {
		t.Error("decimated points out of x order")
	}
}

func TestParetoFront(t *testing.T) {
	pts := []LabeledPoint{{1, 1, "a"}, {2, 3, "b"}, {2, 2, "c"}, {0.5, 0.5, "d"}, {3, 3, "e"}, {2, 3, "f"}}
	got := ParetoFront(pts)
	want := []int{0, 1, 3, 5} // c is dominated by b; e by b (same y, larger x)
	if !slices.Equal(got, want) {
		t.Errorf("front %v, want %v", got, want)
	}
}

func BenchmarkCDF1M(b *testing.B) {
	v := sample(7, 1_000_000, 1)
	dir := b.TempDir()
	b.ReportAllocs()
	for b.Loop() {
		if err := CDF(filepath.Join(dir, "cdf.png"), "1M samples", "latency (s)", Series{Name: "s", Values: v}); err != nil {
			b.Fatal(err)
		}
	}
}
