package search

import (
	"fmt"
	"image/color"
	"io"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// WritePlot writes a PNG with two panels, as in Vidur's Pareto analysis
// (spec §11.3): QPS per dollar (y) against TTFT p90 at capacity (x, left)
// and against TBT p99 at capacity (x, right), one dot per configuration with
// capacity, the 2-D Pareto frontier as a line, and the SLO threshold of that
// metric (when the space has one at that quantile) as a dashed vertical line.
func (rep *Report) WritePlot(w io.Writer) error {
	panels := []struct {
		metric Metric
		q      float64
		x      func(*Row) float64
	}{
		{TTFT, 0.9, func(r *Row) float64 { return r.TTFTp90S }},
		{TBT, 0.99, func(r *Row) float64 { return r.TBTp99S }},
	}
	var row []*plot.Plot
	for _, pn := range panels {
		p := plot.New()
		p.Title.Text = fmt.Sprintf("Capacity per dollar vs %s %s", pn.metric.Label(), quantileName(pn.q))
		p.X.Label.Text = fmt.Sprintf("%s %s at capacity (s)", pn.metric.Label(), quantileName(pn.q))
		p.Y.Label.Text = "QPS per $/GPU-hour"
		var all plotter.XYs
		for i := range rep.Rows {
			r := &rep.Rows[i]
			if x := pn.x(r); r.HasCapacity() && !math.IsNaN(x) {
				all = append(all, plotter.XY{X: x, Y: r.QPSPerDollar})
			}
		}
		if len(all) > 0 {
			sc, err := plotter.NewScatter(all)
			if err != nil {
				return err
			}
			sc.GlyphStyle.Color = color.RGBA{R: 70, G: 110, B: 200, A: 255}
			sc.GlyphStyle.Radius = vg.Points(2.5)
			p.Add(sc)
			p.Legend.Add("configuration", sc)
			var front plotter.XYs
			for _, i := range frontier2D(rep.Rows, pn.x) {
				front = append(front, plotter.XY{X: pn.x(&rep.Rows[i]), Y: rep.Rows[i].QPSPerDollar})
			}
			ln, err := plotter.NewLine(front)
			if err != nil {
				return err
			}
			ln.LineStyle.Color = color.RGBA{R: 200, G: 60, B: 40, A: 255}
			ln.LineStyle.Width = vg.Points(1.5)
			p.Add(ln)
			p.Legend.Add("Pareto frontier", ln)
		}
		for _, slo := range rep.Space.SLOs {
			if slo.Metric != pn.metric || slo.Quantile != pn.q {
				continue
			}
			ymax := 1.0
			for _, xy := range all {
				ymax = math.Max(ymax, xy.Y*1.35)
			}
			ln, err := plotter.NewLine(plotter.XYs{{X: slo.MaxS, Y: 0}, {X: slo.MaxS, Y: ymax}})
			if err != nil {
				return err
			}
			ln.LineStyle.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
			ln.LineStyle.Color = color.Gray{Y: 90}
			p.Add(ln)
			p.Legend.Add("SLO "+slo.String(), ln)
		}
		p.Legend.Top, p.Legend.Left = true, true
		p.X.Min, p.Y.Min = 0, 0
		if len(all) > 0 {
			// Head-room above the highest point for the legend.
			ymax := 0.0
			for _, xy := range all {
				ymax = math.Max(ymax, xy.Y)
			}
			p.Y.Max = ymax * 1.35
		}
		p.Add(plotter.NewGrid())
		row = append(row, p)
	}
	img := vgimg.New(vg.Points(1100), vg.Points(420))
	dc := draw.New(img)
	t := draw.Tiles{Rows: 1, Cols: len(row), PadX: vg.Points(20), PadTop: vg.Points(5), PadBottom: vg.Points(5), PadLeft: vg.Points(5), PadRight: vg.Points(10)}
	canvases := plot.Align([][]*plot.Plot{row}, t, dc)
	for j, p := range row {
		p.Draw(canvases[0][j])
	}
	_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(w)
	return err
}
