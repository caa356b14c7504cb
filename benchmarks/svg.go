package main

import (
	"fmt"
	"html"
	"math"
	"strings"
)

// barChart is a grouped bar chart rendered as a standalone SVG.
type barChart struct {
	title  string
	yLabel string
	groups []string    // x axis categories
	series []string    // bars within a group, in legend order
	values [][]float64 // values[group][series]; ≤ 0 draws no bar
	logY   bool
	format func(float64) string // tick labels
}

var palette = []string{"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#b07aa1", "#edc948"}

// autoLog turns on a log scale when the positive values span more than
// a factor of 30.
func (c *barChart) autoLog() {
	lo, hi := math.Inf(1), 0.0
	for _, g := range c.values {
		for _, v := range g {
			if v > 0 {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
	}
	c.logY = hi > 0 && hi/lo > 30
}

func (c *barChart) svg() string {
	const (
		width, height     = 960, 480
		left, right, top  = 80, 20, 70
		bottom            = 100
		plotW, plotH      = width - left - right, height - top - bottom
		fontFamily        = "Helvetica, Arial, sans-serif"
		groupPad, barPadd = 0.2, 1.0
	)
	if c.format == nil {
		c.format = compact
	}
	lo, hi := math.Inf(1), 0.0
	for _, g := range c.values {
		for _, v := range g {
			if v > 0 {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
	}
	if hi == 0 {
		lo, hi = 1, 1
	}
	// y maps a value to a pixel row; ticks are the gridline values.
	var y func(float64) float64
	var ticks []float64
	if c.logY {
		a, b := math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
		if a == b {
			b++
		}
		y = func(v float64) float64 {
			if v <= 0 {
				return top + plotH
			}
			return top + plotH - (math.Log10(v)-a)/(b-a)*plotH
		}
		for e := a; e <= b; e++ {
			ticks = append(ticks, math.Pow(10, e))
		}
	} else {
		step := niceStep(hi / 5)
		topV := math.Ceil(hi/step) * step
		y = func(v float64) float64 { return top + plotH - v/topV*plotH }
		for v := 0.0; v <= topV*1.0001; v += step {
			ticks = append(ticks, v)
		}
	}

	var sb strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&sb, format, args...); sb.WriteByte('\n') }
	p(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="%s">`, width, height, width, height, fontFamily)
	p(`<rect x="0" y="0" width="%d" height="%d" fill="white"/>`, width, height)
	p(`<text x="%d" y="24" font-size="16" font-weight="bold" text-anchor="middle">%s</text>`, width/2, esc(c.title))

	// legend, one row under the title
	lx := float64(left)
	for i, s := range c.series {
		p(`<rect x="%.1f" y="38" width="12" height="12" fill="%s"/>`, lx, palette[i%len(palette)])
		p(`<text x="%.1f" y="48" font-size="12">%s</text>`, lx+16, esc(s))
		lx += 16 + 7.2*float64(len(s)) + 24
	}

	// grid and y axis
	for _, t := range ticks {
		ty := y(t)
		p(`<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd" stroke-width="1"/>`, left, ty, left+plotW, ty)
		p(`<text x="%d" y="%.1f" font-size="11" text-anchor="end">%s</text>`, left-6, ty+4, esc(c.format(t)))
	}
	scale := "linear scale"
	if c.logY {
		scale = "log scale"
	}
	p(`<text transform="translate(18,%d) rotate(-90)" font-size="12" text-anchor="middle">%s (%s)</text>`, top+plotH/2, esc(c.yLabel), scale)
	p(`<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>`, left, top, left, top+plotH)
	p(`<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>`, left, top+plotH, left+plotW, top+plotH)

	// bars
	groupW := float64(plotW) / float64(max(1, len(c.groups)))
	inner := groupW * (1 - groupPad)
	barW := inner / float64(max(1, len(c.series)))
	longest := 0
	for _, g := range c.groups {
		longest = max(longest, len(g))
	}
	rotate := float64(longest)*6.5 > groupW
	for gi, g := range c.groups {
		gx := float64(left) + float64(gi)*groupW + groupW*groupPad/2
		for si := range c.series {
			v := 0.0
			if si < len(c.values[gi]) {
				v = c.values[gi][si]
			}
			if v <= 0 {
				continue
			}
			by := y(v)
			p(`<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s, %s: %s</title></rect>`,
				gx+float64(si)*barW+barPadd/2, by, max(1, barW-barPadd), float64(top+plotH)-by, palette[si%len(palette)],
				esc(g), esc(c.series[si]), esc(c.format(v)))
		}
		cx := gx + inner/2
		if rotate {
			p(`<text transform="translate(%.1f,%d) rotate(-30)" font-size="11" text-anchor="end">%s</text>`, cx, top+plotH+14, esc(g))
		} else {
			p(`<text x="%.1f" y="%d" font-size="11" text-anchor="middle">%s</text>`, cx, top+plotH+16, esc(g))
		}
	}
	p(`</svg>`)
	return sb.String()
}

// niceStep rounds a raw tick step up to 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	if raw <= 0 {
		return 1
	}
	e := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*e >= raw {
			return m * e
		}
	}
	return 10 * e
}

// compact formats 1500 as 1.5k and 2000000 as 2M.
func compact(v float64) string {
	switch {
	case v >= 1e6:
		return trimZero(fmt.Sprintf("%.1f", v/1e6)) + "M"
	case v >= 1e3:
		return trimZero(fmt.Sprintf("%.1f", v/1e3)) + "k"
	case v >= 1 || v == 0:
		return trimZero(fmt.Sprintf("%.1f", v))
	}
	return trimZero(fmt.Sprintf("%.3g", v))
}

func trimZero(s string) string { return strings.TrimSuffix(s, ".0") }

func esc(s string) string { return html.EscapeString(s) }
