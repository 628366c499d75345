package bench

import (
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// A chart is one figure: for one metric, groups of bars (one group per
// workload, one bar per runtime), as in the guide.
type chart struct {
	File     string // base name without extension
	Title    string
	Metric   Metric
	Groups   []string    // bar group labels
	Runtimes []string    // bar order within a group, legend order
	Values   [][]float64 // [group][runtime] medians; NaN where none
}

// charts lays out the report's charts, in suite order: one per suite, chart
// prefix (the part of a workload name before a slash) and metric.
func (r *Report) charts() map[string][]*chart {
	out := map[string][]*chart{}
	runtimes := r.runtimeNames()
	for _, suite := range r.suiteNames() {
		keys, byKey := r.suiteRows(suite)
		metrics := map[string]bool{}
		for _, k := range keys {
			metrics[k.Metric] = true
		}
		byFile := map[string]*chart{}
		for _, k := range keys {
			prefix, label, ok := strings.Cut(k.Workload, "/")
			if !ok {
				prefix, label = "", k.Workload
			}
			name := suite
			if prefix != "" {
				name += "-" + prefix
			}
			file := name
			if len(metrics) > 1 {
				file += "-" + k.Metric
			}
			file = sanitizeFile(file)
			c := byFile[file]
			if c == nil {
				m := firstResult(byKey[k], runtimes).Metric
				title := fmt.Sprintf("%s: %s (%s)", name, strings.ReplaceAll(m.Name, "_", " "), m.Unit)
				if m.LowerIsBetter {
					title += ", lower is better"
				} else {
					title += ", higher is better"
				}
				c = &chart{File: file, Title: title, Metric: m, Runtimes: runtimes}
				byFile[file] = c
				out[suite] = append(out[suite], c)
			}
			vals := make([]float64, len(runtimes))
			for i, rt := range runtimes {
				vals[i] = math.NaN()
				if res := byKey[k][rt]; res != nil && res.Err == nil {
					if m, ok := Median(res.Values); ok {
						vals[i] = m
					}
				}
			}
			c.Groups = append(c.Groups, label)
			c.Values = append(c.Values, vals)
		}
	}
	return out
}

func sanitizeFile(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, s)
}

// WriteCharts writes every chart of the report into dir as SVG and PNG and
// returns, by suite, the PNG files' names.
func (r *Report) WriteCharts(dir string) (map[string][]string, error) {
	files := map[string][]string{}
	for suite, cs := range r.charts() {
		for _, c := range cs {
			if err := c.write(dir); err != nil {
				return nil, fmt.Errorf("chart %s: %v", c.File, err)
			}
			files[suite] = append(files[suite], c.File+".png")
		}
	}
	return files, nil
}

func (c *chart) write(dir string) error {
	p := plot.New()
	p.Title.Text = c.Title
	p.Y.Label.Text = c.Metric.Unit
	bars := &groupedBars{values: c.Values, log: c.Metric.LogAxis}
	lo, hi := bars.yRange()
	p.Y.Tick.Marker = readableTicks{plot.DefaultTicks{}}
	if c.Metric.LogAxis {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = readableTicks{plot.LogTicks{Prec: -1}}
	}
	p.Y.Min, p.Y.Max = lo, hi
	p.Add(hgrid{}, bars) // the grid first, behind the bars
	if len(c.Groups) > 0 {
		p.NominalX(c.Groups...)
	}
	p.X.Min, p.X.Max = -0.5, float64(len(c.Groups))-0.5
	if len(c.Groups) > 6 {
		p.X.Tick.Label.Rotation = math.Pi / 6
		p.X.Tick.Label.XAlign = draw.XRight
	}
	p.Legend.Top = true
	p.Legend.Left = false
	for i, rt := range c.Runtimes {
		drawn := false
		for _, g := range c.Values {
			drawn = drawn || !math.IsNaN(g[i])
		}
		if drawn {
			p.Legend.Add(rt, swatch{barColor(i)})
		}
	}
	width := max(5*vg.Inch, vg.Length(len(c.Groups)*max(len(c.Runtimes), 2))*0.3*vg.Inch+1.5*vg.Inch)
	height := 4 * vg.Inch
	for _, ext := range []string{".svg", ".png"} {
		if err := p.Save(width, height, filepath.Join(dir, c.File+ext)); err != nil {
			return err
		}
	}
	return nil
}

func barColor(i int) color.Color { return plotutil.Color(i) }

// swatch is a legend entry's coloured square.
type swatch struct{ c color.Color }

func (s swatch) Thumbnail(c *draw.Canvas) {
	c.FillPolygon(s.c, []vg.Point{
		{X: c.Min.X, Y: c.Min.Y}, {X: c.Min.X, Y: c.Max.Y}, {X: c.Max.X, Y: c.Max.Y}, {X: c.Max.X, Y: c.Min.Y},
	})
}

// groupedBars draws bars from the bottom of the Y axis (not from zero, which
// a log axis lacks) up to each value, side by side within a group; a NaN
// leaves a gap.
type groupedBars struct {
	values [][]float64
	log    bool
}

// yRange is the Y axis range: from zero (linear) or the power of ten below
// the smallest value (log) to a little above the largest.
func (b *groupedBars) yRange() (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, g := range b.values {
		for _, v := range g {
			if math.IsNaN(v) || (b.log && v <= 0) {
				continue
			}
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	if math.IsInf(lo, 1) { // nothing to draw
		if b.log {
			return 1, 10
		}
		return 0, 1
	}
	// Head room above the tallest bar keeps the legend clear of it.
	if b.log {
		return math.Pow(10, math.Floor(math.Log10(lo))), math.Pow(10, math.Ceil(math.Log10(hi*3)))
	}
	if hi <= 0 {
		hi = 1
	}
	return min(0, lo), hi * 1.3
}

func (b *groupedBars) DataRange() (xmin, xmax, ymin, ymax float64) {
	lo, hi := b.yRange()
	return -0.5, float64(len(b.values)) - 0.5, lo, hi
}

func (b *groupedBars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	if len(b.values) == 0 {
		return
	}
	slot := (trX(1) - trX(0)) * 0.8
	if len(b.values) == 1 {
		slot = (c.Max.X - c.Min.X) * 0.5
	}
	for g, vals := range b.values {
		n := vg.Length(len(vals))
		w := slot / n
		left := trX(float64(g)) - slot/2
		for i, v := range vals {
			if math.IsNaN(v) || (b.log && v <= 0) {
				continue
			}
			x0 := left + vg.Length(i)*w
			x1 := x0 + w*0.9
			y0, y1 := trY(p.Y.Min), trY(min(v, p.Y.Max))
			c.FillPolygon(barColor(i), []vg.Point{{X: x0, Y: y0}, {X: x0, Y: y1}, {X: x1, Y: y1}, {X: x1, Y: y0}})
		}
	}
}

// hgrid draws light horizontal lines at the Y axis's major ticks.
type hgrid struct{}

func (hgrid) Plot(c draw.Canvas, p *plot.Plot) {
	_, trY := p.Transforms(&c)
	sty := draw.LineStyle{Color: color.Gray{Y: 215}, Width: vg.Points(0.5)}
	for _, t := range p.Y.Tick.Marker.Ticks(p.Y.Min, p.Y.Max) {
		if t.IsMinor() || t.Value < p.Y.Min || t.Value > p.Y.Max {
			continue
		}
		y := trY(t.Value)
		c.StrokeLine2(sty, c.Min.X, y, c.Max.X, y)
	}
}

// readableTicks labels another ticker's major ticks the way the tables print
// values (1,000 rather than 1000.00).
type readableTicks struct{ plot.Ticker }

func (t readableTicks) Ticks(lo, hi float64) []plot.Tick {
	ts := t.Ticker.Ticks(lo, hi)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = formatValue(ts[i].Value)
		}
	}
	return ts
}
