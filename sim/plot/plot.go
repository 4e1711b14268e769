package plot

import (
	"cmp"
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/vidur-go/vidur-go/internal/atomicfile"
)

// Series is a named sample of values (e.g. per-request latencies).
type Series struct {
	Name   string
	Values []float64
}

// XYSeries is a named sequence of (X[i], Y[i]) points, X non-decreasing.
type XYSeries struct {
	Name string
	X, Y []float64
}

// LabeledPoint is one point of a scatter plot with a text label.
type LabeledPoint struct {
	X, Y  float64
	Label string
}

const (
	// CDFPoints is the number of quantile steps a large CDF is drawn with.
	CDFPoints = 1000
	// MaxLinePoints bounds the points drawn per time series.
	MaxLinePoints = 4000

	width  = 6 * vg.Inch
	height = 4 * vg.Inch
)

// CDF writes the empirical CDF of each series (x: value, y: fraction of the
// sample ≤ x, in [0, 1]) to the PNG file path. A series of n ≤ CDFPoints
// values is drawn exactly as a step function; a larger one through its
// quantiles at q = 0, 1/CDFPoints, …, 1 (value at sorted index
// round(q·(n-1))). Each series needs at least one value, all finite.
func CDF(path, title, xLabel string, series ...Series) error {
	if len(series) == 0 {
		return fmt.Errorf("plot %s: no series", path)
	}
	p := newPlot(title, xLabel, "fraction of samples ≤ x")
	p.Y.Min, p.Y.Max = 0, 1
	for i, s := range series {
		if len(s.Values) == 0 {
			return fmt.Errorf("plot %s: series %q has no values", path, s.Name)
		}
		if err := checkFinite(s.Name, "value", s.Values); err != nil {
			return fmt.Errorf("plot %s: %w", path, err)
		}
		line, err := plotter.NewLine(cdfPoints(s.Values))
		if err != nil {
			return fmt.Errorf("plot %s: series %q: %w", path, s.Name, err)
		}
		line.StepStyle = plotter.PostStep
		styleLine(line, i)
		p.Add(line)
		p.Legend.Add(s.Name, line)
	}
	p.Legend.Top, p.Legend.Left = false, false
	return save(p, path)
}

// cdfPoints returns the step points of the empirical CDF of values.
func cdfPoints(values []float64) plotter.XYs {
	sorted := slices.Clone(values)
	slices.Sort(sorted)
	n := len(sorted)
	if n <= CDFPoints {
		pts := make(plotter.XYs, 0, n+1)
		pts = append(pts, plotter.XY{X: sorted[0], Y: 0})
		for i, v := range sorted {
			// At equal values the later (higher) fraction overwrites.
			pts = append(pts, plotter.XY{X: v, Y: float64(i+1) / float64(n)})
		}
		return pts
	}
	pts := make(plotter.XYs, CDFPoints+1)
	for k := range pts {
		q := float64(k) / CDFPoints
		pts[k] = plotter.XY{X: sorted[int(math.Round(q*float64(n-1)))], Y: q}
	}
	return pts
}

// TimeSeries writes each series as a step line (the value holds until the
// next x) to the PNG file path. Series longer than MaxLinePoints are reduced
// to the minimum and maximum y of each of MaxLinePoints/2 equal-count
// buckets, in x order. X and Y must have equal, non-zero lengths and be
// finite.
func TimeSeries(path, title, xLabel, yLabel string, series ...XYSeries) error {
	if len(series) == 0 {
		return fmt.Errorf("plot %s: no series", path)
	}
	p := newPlot(title, xLabel, yLabel)
	for i, s := range series {
		if len(s.X) != len(s.Y) || len(s.X) == 0 {
			return fmt.Errorf("plot %s: series %q has %d x and %d y values (need equal, non-zero)", path, s.Name, len(s.X), len(s.Y))
		}
		if err := checkFinite(s.Name, "x", s.X); err != nil {
			return fmt.Errorf("plot %s: %w", path, err)
		}
		if err := checkFinite(s.Name, "y", s.Y); err != nil {
			return fmt.Errorf("plot %s: %w", path, err)
		}
		line, err := plotter.NewLine(decimate(s.X, s.Y))
		if err != nil {
			return fmt.Errorf("plot %s: series %q: %w", path, s.Name, err)
		}
		line.StepStyle = plotter.PostStep
		styleLine(line, i)
		p.Add(line)
		p.Legend.Add(s.Name, line)
	}
	return save(p, path)
}

// decimate keeps at most MaxLinePoints points: per bucket of consecutive
// points, the ones with the smallest and largest y, in their original order.
func decimate(x, y []float64) plotter.XYs {
	n := len(x)
	if n <= MaxLinePoints {
		pts := make(plotter.XYs, n)
		for i := range pts {
			pts[i] = plotter.XY{X: x[i], Y: y[i]}
		}
		return pts
	}
	buckets := MaxLinePoints / 2
	pts := make(plotter.XYs, 0, MaxLinePoints)
	for b := 0; b < buckets; b++ {
		lo, hi := b*n/buckets, (b+1)*n/buckets
		iMin, iMax := lo, lo
		for i := lo; i < hi; i++ {
			if y[i] < y[iMin] {
				iMin = i
			}
			if y[i] > y[iMax] {
				iMax = i
			}
		}
		first, second := min(iMin, iMax), max(iMin, iMax)
		pts = append(pts, plotter.XY{X: x[first], Y: y[first]})
		if second != first {
			pts = append(pts, plotter.XY{X: x[second], Y: y[second]})
		}
	}
	return pts
}

// Histogram writes a histogram of each series with the given number of
// bins (overlaid, semi-transparent, shared bin edges from the pooled min to
// max) to the PNG file path; the y axis counts samples per bin.
// Panics if bins < 1.
func Histogram(path, title, xLabel string, bins int, series ...Series) error {
	if bins < 1 {
		panic("plot: Histogram: bins must be ≥ 1")
	}
	if len(series) == 0 {
		return fmt.Errorf("plot %s: no series", path)
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range series {
		if len(s.Values) == 0 {
			return fmt.Errorf("plot %s: series %q has no values", path, s.Name)
		}
		if err := checkFinite(s.Name, "value", s.Values); err != nil {
			return fmt.Errorf("plot %s: %w", path, err)
		}
		for _, v := range s.Values {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	if hi == lo {
		lo, hi = lo-0.5, hi+0.5
	}
	p := newPlot(title, xLabel, "count")
	w := (hi - lo) / float64(bins)
	for i, s := range series {
		counts := make([]plotter.HistogramBin, bins)
		for b := range counts {
			counts[b].Min = lo + float64(b)*w
			counts[b].Max = lo + float64(b+1)*w
		}
		for _, v := range s.Values {
			b := min(int((v-lo)/w), bins-1)
			counts[b].Weight++
		}
		h := &plotter.Histogram{Bins: counts, Width: w, FillColor: withAlpha(plotutil.Color(i), 0x80), LineStyle: plotter.DefaultLineStyle}
		h.LineStyle.Color = plotutil.Color(i)
		p.Add(h)
		p.Legend.Add(s.Name, h)
	}
	return save(p, path)
}

// Pareto writes a scatter plot of points with their labels to the PNG file
// path; the points whose indices are in highlight (e.g. from ParetoFront)
// are drawn larger in a second colour and joined by a line in x order.
// Panics if a highlight index is out of range.
func Pareto(path, title, xLabel, yLabel string, points []LabeledPoint, highlight ...int) error {
	if len(points) == 0 {
		return fmt.Errorf("plot %s: no points", path)
	}
	xys := make(plotter.XYs, len(points))
	labels := make([]string, len(points))
	for i, pt := range points {
		if math.IsNaN(pt.X) || math.IsInf(pt.X, 0) || math.IsNaN(pt.Y) || math.IsInf(pt.Y, 0) {
			return fmt.Errorf("plot %s: point %d (%q) is not finite: (%v, %v)", path, i, pt.Label, pt.X, pt.Y)
		}
		xys[i] = plotter.XY{X: pt.X, Y: pt.Y}
		labels[i] = pt.Label
	}
	p := newPlot(title, xLabel, yLabel)
	sc, err := plotter.NewScatter(xys)
	if err != nil {
		return fmt.Errorf("plot %s: %w", path, err)
	}
	sc.GlyphStyle.Color = plotutil.Color(0)
	sc.GlyphStyle.Radius = vg.Points(2.5)
	sc.GlyphStyle.Shape = draw.CircleGlyph{}
	p.Add(sc)
	p.Legend.Add("configurations", sc)
	if len(highlight) > 0 {
		front := make(plotter.XYs, len(highlight))
		for i, h := range highlight {
			front[i] = xys[h]
		}
		slices.SortStableFunc(front, func(a, b plotter.XY) int { return cmp.Compare(a.X, b.X) })
		line, pts, err := plotter.NewLinePoints(front)
		if err != nil {
			return fmt.Errorf("plot %s: %w", path, err)
		}
		line.Color = plotutil.Color(1)
		line.Width = vg.Points(1)
		pts.Color = plotutil.Color(1)
		pts.Radius = vg.Points(4)
		pts.Shape = draw.CircleGlyph{}
		p.Add(line, pts)
		p.Legend.Add("Pareto front", line, pts)
	}
	lb, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: labels})
	if err != nil {
		return fmt.Errorf("plot %s: %w", path, err)
	}
	for i := range lb.TextStyle {
		lb.TextStyle[i].Font.Size = vg.Points(7)
		lb.TextStyle[i].XAlign = draw.XLeft
	}
	lb.Offset = vg.Point{X: vg.Points(4), Y: vg.Points(2)}
	p.Add(lb)
	// Leave room right of the largest x for its label.
	if span := p.X.Max - p.X.Min; span > 0 {
		p.X.Max += 0.2 * span
	} else {
		p.X.Max += 1
	}
	return save(p, path)
}

// ParetoFront returns the indices, in input order, of the points not
// dominated by another: no other point has X ≤ and Y ≥ with one strict
// (lower X is better, higher Y is better — latency vs capacity per dollar).
// Points equal in both coordinates are all kept.
func ParetoFront(points []LabeledPoint) []int {
	var front []int
	for i, a := range points {
		dominated := false
		for j, b := range points {
			if j != i && b.X <= a.X && b.Y >= a.Y && (b.X < a.X || b.Y > a.Y) {
				dominated = true
				break
			}
		}
		if !dominated {
			front = append(front, i)
		}
	}
	return front
}

func newPlot(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	p.Add(plotter.NewGrid())
	return p
}

func styleLine(l *plotter.Line, i int) {
	l.Color = plotutil.Color(i)
	l.Width = vg.Points(1.5)
	l.Dashes = plotutil.Dashes(i / 7) // solid for the first 7 colours
}

func withAlpha(c color.Color, a uint8) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: a}
}

func checkFinite(name, what string, v []float64) error {
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("series %q: %s %d is %v (need finite)", name, what, i, x)
		}
	}
	return nil
}

func save(p *plot.Plot, path string) error {
	wt, err := p.WriterTo(width, height, "png")
	if err != nil {
		return fmt.Errorf("plot %s: %w", path, err)
	}
	return atomicfile.Write(path, 0o644, func(w io.Writer) error {
		_, err := wt.WriteTo(w)
		return err
	})
}
