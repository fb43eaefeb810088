package main

import (
	"math"
	"testing"
)

// TestParseShapes checks that saved go test output (what -input reads)
// yields one figure per shape, named by the whole path before the library.
func TestParseShapes(t *testing.T) {
	out := []byte(`goos: linux
BenchmarkDisc/gvs-2000/dense/anykube-2     	      30	  40000000 ns/op	 14000000 B/op
BenchmarkDisc/gvs-2000/dense/clientgo-2    	      10	 100000000 ns/op	 50000000 B/op
BenchmarkDisc/gvs-2000/sparse/anykube-2    	      30	  30000000 ns/op	 15000000 B/op
BenchmarkDisc/gvs-2000/sparse/clientgo-2   	      30	  40000000 ns/op	 25000000 B/op
PASS
`)
	figs := figures(parse(out))
	if len(figs) != 4 {
		t.Fatalf("%d figures, want 4: %+v", len(figs), figs)
	}
	f := figs[2] // sorted: dense B/op, dense ns/op, sparse B/op, ...
	if f.bench != "Disc/gvs-2000/sparse" || f.unit != "B/op" || f.ratio != 0.6 {
		t.Errorf("third figure is %+v, want Disc/gvs-2000/sparse B/op with ratio 0.6", f)
	}
}

// TestEvaluateWorstShape checks that a target applies to its benchmark and
// every shape of it, not to a benchmark whose name merely starts the same,
// and that its row is the worst shape, missed when any shape misses.
func TestEvaluateWorstShape(t *testing.T) {
	figs := []figure{
		{bench: "Disc/gvs-2000", unit: "B/op", ratio: 0.1},
		{bench: "Disc/gvs-2000/dense", unit: "B/op", ratio: 0.27},
		{bench: "Disc/gvs-2000/sparse", unit: "B/op", ratio: 0.59},
		{bench: "Disc/gvs-2000/large", unit: "B/op", ratio: 0.2},
		{bench: "Disc/gvs-2000/sparse", unit: "ns/op", ratio: 0.9},
		{bench: "Disc/gvs-2000-lazy", unit: "B/op", ratio: 0.95},
		{bench: "Decode/x/small", unit: "MB/s", ratio: 7},
		{bench: "Decode/x/large", unit: "MB/s", ratio: 4},
		{bench: "Decode/x/wide", unit: "MB/s", ratio: math.NaN()},
		{bench: "Legacy/y/a", unit: "max-open", ak: 32, ratio: 0.1},
		{bench: "Legacy/y/b", unit: "max-open", ak: 30, ratio: 0.05},
	}
	ts := []target{
		{bench: "Disc/gvs-2000", unit: "B/op", max: 0.3},
		{bench: "Disc/gvs-2000/dense", unit: "B/op", max: 0.3},
		{bench: "Decode/x", unit: "MB/s", min: 5},
		{bench: "Legacy/y", unit: "max-open", max: 32, abs: true},
		{bench: "Nothing", unit: "B/op", max: 1},
	}
	got := evaluate(ts, figs)
	if len(got) != 4 {
		t.Fatalf("%d outcomes, want 4 (a target without figures has none): %+v", len(got), got)
	}
	for i, want := range []struct {
		worst         string
		shapes, fails int
	}{
		{"Disc/gvs-2000/sparse", 4, 1},
		{"Disc/gvs-2000/dense", 1, 0},
		{"Decode/x/wide", 3, 2}, // no ratio is the worst, and a miss
		{"Legacy/y/a", 2, 0},    // abs: anykube's own figure, not the ratio
	} {
		o := got[i]
		if o.worst.bench != want.worst || o.shapes != want.shapes || o.fails != want.fails {
			t.Errorf("target %s: worst %s, %d of %d shapes missed; want worst %s, %d of %d",
				o.t.bench, o.worst.bench, o.fails, o.shapes, want.worst, want.fails, want.shapes)
		}
	}
	if s := shapeName("Disc/gvs-2000", "Disc/gvs-2000/sparse"); s != "sparse" {
		t.Errorf("shape name %q, want sparse", s)
	}
	if s := shapeName("Disc/gvs-2000", "Disc/gvs-2000"); s != "-" {
		t.Errorf("shape name of the benchmark itself %q, want -", s)
	}
}
