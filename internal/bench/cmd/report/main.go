// Command report runs the side-by-side benchmarks of this module several
// times, takes the median of each figure, and prints one table: anykube,
// client-go, their ratio, and the target the ratio must meet.
//
// Benchmarks pair up by name: BenchmarkX/.../anykube against
// BenchmarkX/.../clientgo. Besides the standard ns/op, B/op and allocs/op,
// benchmarks may report their own units (MB/s, retained-B, requests/op).
// Binary sizes are measured by building the two small programs under
// ./programs.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// target is a bound on the ratio anykube/client-go for one figure.
type target struct {
	bench, unit string
	max         float64 // the ratio must be <= max; 0 means no upper bound
	min         float64 // the ratio must be >= min (throughput); 0 means none
}

// targets are issue 10's, keyed by benchmark name (without the trailing
// /anykube or /clientgo) and unit.
var targets = []target{
	{bench: "DiscoveryColdAggregated/crds-300", unit: "ns/op", max: 0.8},
	{bench: "DiscoveryColdAggregated/crds-300", unit: "B/op", max: 0.5},
	{bench: "DiscoveryAndFirstMapping/gvs-2000", unit: "ns/op", max: 0.5},
	{bench: "DiscoveryAndFirstMapping/gvs-2000", unit: "B/op", max: 0.3},
	{bench: "DiscoveryLegacy/gvs-500/defaults", unit: "ns/op", max: 0.05},
	{bench: "DiscoveryLegacy/gvs-500/unthrottled", unit: "ns/op", max: 1.0},
	{bench: "WarmStartDiskCache/gvs-2000", unit: "ns/op", max: 0.5},
	{bench: "RESTMappingHit/gvs-2000", unit: "ns/op", max: 0.01},
	{bench: "KindForHit/gvs-2000", unit: "ns/op", max: 0.01},
	{bench: "DecodeList/configmaps-10k", unit: "MB/s", min: 5},
	{bench: "DecodeList/configmaps-10k", unit: "B/op", max: 0.35},
	{bench: "DecodeList/deployments-1k", unit: "MB/s", min: 5},
	{bench: "DecodeList/deployments-1k", unit: "B/op", max: 0.35},
	{bench: "DecodeWatch/events-10k", unit: "MB/s", min: 3},
	{bench: "RetainedHeap/gvs-2000", unit: "retained-B", max: 0.3},
	{bench: "BinarySize", unit: "bytes", max: 0.5},
}

var lineRE = regexp.MustCompile(`^Benchmark(\S+?)(?:-\d+)?\s+\d+\s+(.*)$`)

func main() {
	count := flag.Int("count", 5, "runs of each benchmark; the table shows medians")
	benchRE := flag.String("bench", ".", "which benchmarks to run")
	benchtime := flag.String("benchtime", "", "passed to go test -benchtime")
	input := flag.String("input", "", "read go test -bench output from this file instead of running")
	flag.Parse()

	var out []byte
	if *input != "" {
		var err error
		if out, err = os.ReadFile(*input); err != nil {
			fail(err)
		}
	} else {
		args := []string{"test", "-run", "^$", "-bench", *benchRE, "-benchmem", "-count", strconv.Itoa(*count), "-timeout", "60m", "./..."}
		if *benchtime != "" {
			args = append(args, "-benchtime", *benchtime)
		}
		fmt.Fprintf(os.Stderr, "report: go %s\n", strings.Join(args, " "))
		cmd := exec.Command("go", args...)
		var buf bytes.Buffer
		cmd.Stdout = &buf
		cmd.Stderr = os.Stderr
		start := time.Now()
		err := cmd.Run()
		out = buf.Bytes()
		os.WriteFile(filepath.Join(os.TempDir(), "anykube-bench-raw.txt"), out, 0o644)
		if err != nil {
			os.Stdout.Write(out)
			fail(fmt.Errorf("benchmarks failed: %w", err))
		}
		fmt.Fprintf(os.Stderr, "report: benchmarks took %s (raw output in %s)\n", time.Since(start).Round(time.Second), filepath.Join(os.TempDir(), "anykube-bench-raw.txt"))
	}

	samples := parse(out)
	if *input == "" {
		for lib, size := range binarySizes() {
			samples[key{"BinarySize", lib, "bytes"}] = []float64{size}
		}
	}
	printTable(samples)
}

// key names one figure of one library.
type key struct{ bench, lib, unit string }

// parse collects every sample of every figure from go test output.
func parse(out []byte) map[key][]float64 {
	samples := map[key][]float64{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		m := lineRE.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		name := m[1]
		i := strings.LastIndexByte(name, '/')
		if i < 0 {
			continue
		}
		bench, lib := name[:i], name[i+1:]
		if lib != "anykube" && lib != "clientgo" {
			continue
		}
		fields := strings.Fields(m[2])
		for j := 0; j+1 < len(fields); j += 2 {
			v, err := strconv.ParseFloat(fields[j], 64)
			if err != nil {
				continue
			}
			k := key{bench, lib, fields[j+1]}
			samples[k] = append(samples[k], v)
		}
	}
	return samples
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	n := len(s)
	if n == 0 {
		return math.NaN()
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func printTable(samples map[key][]float64) {
	type row struct{ bench, unit string }
	seen := map[row]bool{}
	var rows []row
	for k := range samples {
		r := row{k.bench, k.unit}
		if !seen[r] {
			seen[r] = true
			rows = append(rows, r)
		}
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].bench != rows[j].bench {
			return rows[i].bench < rows[j].bench
		}
		return rows[i].unit < rows[j].unit
	})
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "figure\tunit\tanykube\tclient-go\tratio\ttarget\t\t")
	missed := 0
	for _, r := range rows {
		a, okA := samples[key{r.bench, "anykube", r.unit}]
		c, okC := samples[key{r.bench, "clientgo", r.unit}]
		if !okA || !okC {
			continue
		}
		am, cm := median(a), median(c)
		ratio := am / cm
		tgt, verdict := "", ""
		for _, t := range targets {
			if t.bench != r.bench || t.unit != r.unit {
				continue
			}
			switch {
			case t.max > 0:
				tgt = fmt.Sprintf("<= %g", t.max)
				verdict = pass(ratio <= t.max)
			case t.min > 0:
				tgt = fmt.Sprintf(">= %g", t.min)
				verdict = pass(ratio >= t.min)
			}
			if verdict == "MISSED" {
				missed++
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.4g\t%s\t%s\t\n", r.bench, r.unit, human(am, r.unit), human(cm, r.unit), ratio, tgt, verdict)
	}
	tw.Flush()
	fmt.Printf("\nmedians of %s; ratio = anykube / client-go; %d target(s) missed\n", runsNote(samples), missed)
}

func pass(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

func runsNote(samples map[key][]float64) string {
	n := 0
	for _, v := range samples {
		if len(v) > n {
			n = len(v)
		}
	}
	return fmt.Sprintf("%d runs", n)
}

func human(v float64, unit string) string {
	switch unit {
	case "ns/op":
		d := time.Duration(v)
		switch {
		case d < time.Microsecond:
			return fmt.Sprintf("%.1fns", v)
		case d < time.Millisecond:
			return fmt.Sprintf("%.1fµs", v/1e3)
		case d < time.Second:
			return fmt.Sprintf("%.1fms", v/1e6)
		default:
			return fmt.Sprintf("%.2fs", v/1e9)
		}
	case "B/op", "retained-B", "bytes":
		switch {
		case v >= 1<<20:
			return fmt.Sprintf("%.1fMiB", v/(1<<20))
		case v >= 1<<10:
			return fmt.Sprintf("%.1fKiB", v/(1<<10))
		default:
			return fmt.Sprintf("%.0fB", v)
		}
	default:
		return strconv.FormatFloat(v, 'g', 4, 64)
	}
}

// binarySizes builds ./programs/anykube and ./programs/clientgo, the same
// small program written against each library, stripped, and returns their
// sizes in bytes.
func binarySizes() map[string]float64 {
	sizes := map[string]float64{}
	dir, err := os.MkdirTemp("", "anykube-binsize-")
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(dir)
	for _, lib := range []string{"anykube", "clientgo"} {
		out := filepath.Join(dir, lib)
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", out, "./programs/"+lib)
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			fail(fmt.Errorf("building programs/%s: %w", lib, err))
		}
		fi, err := os.Stat(out)
		if err != nil {
			fail(err)
		}
		sizes[lib] = float64(fi.Size())
	}
	return sizes
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "report:", err)
	os.Exit(1)
}
