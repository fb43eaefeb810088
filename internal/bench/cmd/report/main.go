// Command report runs the side-by-side benchmarks of this module several
// times and prints two tables. The first has one row per target: a target
// keyed by a benchmark name B holds for B and for every shape of it, named
// B/<shape>, and its row shows the worst shape, how many shapes missed,
// and a miss when any did. The second is the full matrix: for each figure
// of each shape the median of anykube's runs, of client-go's, the median
// of the per-round ratios anykube/client-go, and the target that applies.
//
// Benchmarks pair up by name: BenchmarkX/.../anykube against
// BenchmarkX/.../clientgo. Besides the standard ns/op, B/op and allocs/op,
// benchmarks may report their own units (MB/s, retained-B, requests/op,
// max-open). Binary sizes are measured by building the two small programs
// under ./programs.
//
// The test binary is built once and run in rounds of one run of every
// benchmark each, so that anykube's and client-go's runs of a case sit
// next to each other in time on a machine whose load changes; the case
// whose client-go half waits on its rate limiter for about 40 s, and the
// heaviest discovery shapes, run in fewer rounds (-slow, -slowcount). One control plane, started here, serves every round.
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/anykube/anykube/internal/testcluster"
)

// target is a bound on one figure: on the ratio anykube/client-go, or,
// when abs is set, on anykube's own median.
type target struct {
	bench, unit string
	max         float64 // the value must be <= max; 0 means no upper bound unless abs
	min         float64 // the value must be >= min (throughput); 0 means none
	abs         bool
	// info marks a target shown for reference and not counted: the CPU-time
	// twin of a wall-time target.
	info bool
	// wallOnly marks a wall-time target that gets no CPU-time twin: one
	// about time spent waiting, which CPU time does not see.
	wallOnly bool
}

// maxOpen is discovery.DefaultParallelism: the most requests anykube's
// legacy discovery may have open at once.
const maxOpen = 32

// targets are issue 10's and later ones', keyed by benchmark name (without
// the trailing /anykube or /clientgo) and unit. A target applies to the
// benchmark of its name and to every benchmark named <name>/<shape>: it is
// met only when every shape meets it.
var targets = []target{
	{bench: "DiscoveryColdAggregated/crds-300", unit: "ns/op", max: 0.8},
	{bench: "DiscoveryColdAggregated/crds-300", unit: "B/op", max: 0.5},
	{bench: "DiscoveryAndFirstMapping/gvs-2000", unit: "ns/op", max: 0.5},
	{bench: "DiscoveryAndFirstMapping/gvs-2000", unit: "B/op", max: 0.3},
	// anykube's lazy mapper against client-go's deferred one: the same
	// bounds, for reference.
	{bench: "DiscoveryAndFirstMapping/gvs-2000-lazy", unit: "ns/op", max: 0.5, info: true},
	{bench: "DiscoveryAndFirstMapping/gvs-2000-lazy", unit: "B/op", max: 0.3, info: true},
	{bench: "DiscoveryLegacy/gvs-500/defaults", unit: "ns/op", max: 0.05, wallOnly: true},
	{bench: "DiscoveryLegacy/gvs-500/defaults", unit: "max-open", max: maxOpen, abs: true},
	{bench: "DiscoveryLegacy/gvs-500/unthrottled", unit: "ns/op", max: 1.0},
	{bench: "DiscoveryLegacy/gvs-500/unthrottled", unit: "max-open", max: maxOpen, abs: true},
	{bench: "WarmStartDiskCache/gvs-2000", unit: "ns/op", max: 0.5},
	{bench: "WarmStartDiskCache/gvs-2000", unit: "requests/op", max: 0, abs: true},
	{bench: "RESTMappingHit/gvs-2000", unit: "ns/op", max: 0.01},
	{bench: "RESTMappingHit/gvs-2000", unit: "allocs/op", max: 0, abs: true},
	{bench: "KindForHit/gvs-2000", unit: "ns/op", max: 0.01},
	{bench: "KindForHit/gvs-2000", unit: "allocs/op", max: 0, abs: true},
	{bench: "DecodeList/configmaps-10k", unit: "MB/s", min: 5},
	{bench: "DecodeList/configmaps-10k", unit: "B/op", max: 0.35},
	{bench: "DecodeList/deployments-1k", unit: "MB/s", min: 5},
	{bench: "DecodeList/deployments-1k", unit: "B/op", max: 0.35},
	{bench: "DecodeWatch/events-10k", unit: "MB/s", min: 3},
	// Issue 19's: a metadata List of 10,000 ConfigMaps (the view, and full
	// objects from a server that ignores "as=") against client-go's
	// metadata client.
	{bench: "MetadataList/configmaps-10k", unit: "MB/s", min: 5},
	{bench: "MetadataList/configmaps-10k", unit: "B/op", max: 0.35},
	{bench: "MetadataList/configmaps-10k-full", unit: "MB/s", min: 5, info: true},
	{bench: "RetainedHeap/gvs-2000", unit: "retained-B", max: 0.3},
	// Issue 11's: the heap a synced informer keeps; its sync time is shown
	// without a target. The -keep case (anykube keeping managedFields,
	// as client-go does) is held to the same bound for reference.
	{bench: "InformerSync/configmaps-10k", unit: "retained-B", max: 0.7},
	{bench: "InformerSync/configmaps-10k-keep", unit: "retained-B", max: 0.7, info: true},
	// Issue 19's: a synced metadata informer's heap against client-go's
	// metadata informer on the same ConfigMaps.
	{bench: "InformerSync/metadata-configmaps-10k", unit: "retained-B", max: 0.5},
	{bench: "InformerSync/metadata-configmaps-10k-paged", unit: "retained-B", max: 0.5, info: true},
	{bench: "BinarySize", unit: "bytes", max: 0.5},
	// Issue 16's: pod logs pass through as fast as client-go's, with no
	// more allocation; following costs one read of the pod at the end.
	{bench: "PodLogs/stream-256MiB", unit: "MB/s", min: 0.9},
	{bench: "PodLogs/stream-256MiB", unit: "B/op", max: 1.1},
	{bench: "PodLogs/follow-256MiB", unit: "MB/s", min: 0.9},
	// Issue 17's: port-forward is bound by the API server and kubelet, so
	// throughput is held to client-go's (less the noise of a shared
	// machine) where the tunnel multiplexes, and the WebSocket path's
	// allocations, which are the client's own doing, to half.
	{bench: "PortForward/websocket-8x4MiB", unit: "MB/s", min: 0.9},
	{bench: "PortForward/spdy-8x4MiB", unit: "MB/s", min: 0.9},
	{bench: "PortForward/websocket-1x16MiB", unit: "allocs/op", max: 0.5},
	{bench: "PortForward/websocket-8x4MiB", unit: "allocs/op", max: 0.5},
	// Issue 21's: anykube's lazy mapper against controller-runtime's (in
	// the client-go column): no more requests or bytes to map kinds of 1, 6
	// and 50 groups (two requests, whatever the number of groups), and a
	// new CRD mapped after a miss no later.
	// Keyed by the case, these hold for each of its group counts.
	{bench: "LazyMapper/gvs-2000", unit: "requests/op", max: 2, abs: true},
	{bench: "LazyMapper/gvs-2000", unit: "resp-B/op", max: 1.0},
	{bench: "LazyMapper/gvs-2000/groups-50", unit: "ns/op", max: 1.0},
	{bench: "LazyMapperNewCRD", unit: "ns/op", max: 1.0, wallOnly: true},
}

// cpuTwins maps wall-time units to the CPU-time units the benchmarks also
// report. On a machine shared with other work, wall time measures the
// neighbours too; CPU time per op does less so.
var cpuTwins = map[string]string{"ns/op": "cpu-ns/op", "MB/s": "cpu-MB/s"}

func init() {
	for _, t := range targets {
		if twin, ok := cpuTwins[t.unit]; ok && !t.info && !t.wallOnly {
			t.unit, t.info = twin, true
			targets = append(targets, t)
		}
	}
}

// onlyUnits limits the rows of a benchmark, and of its shapes, whose other
// figures measure its set-up rather than what it is about.
var onlyUnits = map[string][]string{
	"RetainedHeap/gvs-2000": {"retained-B"},
	// One op per round, a collection included: its time is DecodeList's
	// business; the memory is what this case is about.
	"ListPeakMemory/configmaps-200MiB": {"peak-heap-B", "peak-x-body", "result-B"},
}

// kubeconfigEnv and workloadsKubeconfigEnv tell the benchmarks where the
// control planes are (see KubeconfigEnv and WorkloadsKubeconfigEnv in the
// bench package).
const (
	kubeconfigEnv          = "ANYKUBE_BENCH_KUBECONFIG"
	workloadsKubeconfigEnv = "ANYKUBE_BENCH_WORKLOADS_KUBECONFIG"
)

var lineRE = regexp.MustCompile(`^Benchmark(\S+?)(?:-\d+)?\s+\d+\s+(.*)$`)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

func run() error {
	rounds := flag.Int("count", 5, "rounds, each running every benchmark once; the table shows medians")
	benchRE := flag.String("bench", ".", "which benchmarks to run (go test -bench)")
	slowRE := flag.String("slow", slowDefault, "benchmarks that run only in the first -slowcount rounds (a go test -skip pattern)")
	slowRounds := flag.Int("slowcount", 3, "rounds that include the -slow benchmarks")
	benchtime := flag.String("benchtime", "", "passed to go test -benchtime")
	input := flag.String("input", "", "read go test -bench output from this file instead of running")
	flag.Parse()

	if *input != "" {
		out, err := os.ReadFile(*input)
		if err != nil {
			return err
		}
		printTable(parse(out), machine{})
		return nil
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	m := machine{date: start.UTC(), loadBefore: loadAvg()}

	dir, err := os.MkdirTemp("", "anykube-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "bench.test")
	fmt.Fprintln(os.Stderr, "report: building the benchmarks")
	build := exec.CommandContext(ctx, "go", "test", "-c", "-o", bin, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("building the benchmarks: %w", err)
	}

	env := os.Environ()
	if os.Getenv(kubeconfigEnv) == "" && selects(*benchRE, clusterBenchmarks) {
		c, err := testcluster.StartCluster(ctx, testcluster.Options{Log: os.Stderr})
		if err != nil {
			return err
		}
		defer c.Stop()
		env = append(env, kubeconfigEnv+"="+c.KubeconfigPath)
	}
	if os.Getenv(workloadsKubeconfigEnv) == "" && selects(*benchRE, workloadsBenchmarks) {
		c, err := testcluster.StartCluster(ctx, testcluster.Options{Log: os.Stderr, Workloads: true})
		if err != nil {
			return err
		}
		defer c.Stop()
		env = append(env, workloadsKubeconfigEnv+"="+c.KubeconfigPath)
	}

	var raw bytes.Buffer
	for r := range *rounds {
		args := []string{"-test.run", "^$", "-test.bench", *benchRE, "-test.benchmem", "-test.count", "1", "-test.timeout", "30m"}
		if *benchtime != "" {
			args = append(args, "-test.benchtime", *benchtime)
		}
		if r >= *slowRounds && *slowRE != "" {
			args = append(args, "-test.skip", *slowRE)
		}
		fmt.Fprintf(os.Stderr, "report: round %d/%d: %s %s\n", r+1, *rounds, filepath.Base(bin), strings.Join(args, " "))
		roundStart := time.Now()
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Dir, cmd.Env = ".", env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, os.Stderr
		err := cmd.Run()
		raw.Write(out.Bytes())
		if err != nil {
			os.Stdout.Write(out.Bytes())
			return fmt.Errorf("benchmarks failed in round %d: %w", r+1, err)
		}
		fmt.Fprintf(os.Stderr, "report: round %d took %s\n", r+1, time.Since(roundStart).Round(time.Second))
	}
	rawPath := filepath.Join(os.TempDir(), "anykube-bench-raw.txt")
	if err := os.WriteFile(rawPath, raw.Bytes(), 0o644); err != nil {
		return err
	}

	samples := parse(raw.Bytes())
	sizes, err := binarySizes(ctx, dir)
	if err != nil {
		return err
	}
	for lib, size := range sizes {
		samples[key{"BinarySize", lib, "bytes"}] = []float64{size}
	}
	m.cpu = cpuLine(raw.Bytes())
	m.loadAfter = loadAvg()
	m.took = time.Since(start)
	m.rawPath = rawPath
	printTable(samples, m)
	return nil
}

// slowDefault is the -slow pattern: the legacy case whose client-go half
// waits about 40 s on its rate limiter, and the discovery shapes of few
// large groups, whose client-go halves take most of a second an op. Go's
// -skip takes alternatives of whole names, each matched level by level
// between slashes; an empty level matches any name.
const slowDefault = "DiscoveryLegacy/gvs-500/defaults|/gvs-2000/large"

// clusterBenchmarks are the benchmarks that run against the real control
// plane.
var clusterBenchmarks = []string{"BenchmarkDiscoveryColdAggregated", "BenchmarkInformerSync", "BenchmarkLazyMapperNewCRD"}

// workloadsBenchmarks are the benchmarks that need pods to run: they get a
// control plane of their own with controllers and fake kubelets, so that
// those do not weigh on the others' figures.
var workloadsBenchmarks = []string{"BenchmarkPortForward"}

// selects reports whether the benchmarks benchRE selects include one of
// names.
func selects(benchRE string, names []string) bool {
	top, _, _ := strings.Cut(benchRE, "/")
	for _, name := range names {
		if ok, err := regexp.MatchString(top, name); err != nil || ok {
			return true
		}
	}
	return false
}

// machine describes where and when the table was measured, for the
// README that quotes it.
type machine struct {
	date                  time.Time
	cpu                   string
	loadBefore, loadAfter string
	took                  time.Duration
	rawPath               string
}

func (m machine) print() {
	if m.date.IsZero() {
		return
	}
	fmt.Printf("%s, %s/%s, %d CPUs (%s), %s\n", m.date.Format("2006-01-02 15:04 MST"), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), m.cpu, runtime.Version())
	fmt.Printf("load average before: %s, after: %s; took %s; raw output in %s\n\n", m.loadBefore, m.loadAfter, m.took.Round(time.Second), m.rawPath)
}

// loadAvg returns the 1, 5 and 15 minute load averages, or "?" where the
// system does not say.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// cpuLine returns the processor go test names in its output.
func cpuLine(out []byte) string {
	for _, line := range strings.Split(string(out), "\n") {
		if cpu, ok := strings.CutPrefix(line, "cpu: "); ok {
			return strings.TrimSpace(cpu)
		}
	}
	return "unknown CPU"
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

// figure is one unit of one benchmark, both libraries' samples reduced.
type figure struct {
	bench, unit string
	ak, cg      float64 // medians
	ratio       float64 // pairedRatio
	runs        string
}

// figures reduces samples to one figure per benchmark and unit that both
// libraries report, sorted by benchmark and unit, leaving out the units
// onlyUnits does not keep.
func figures(samples map[key][]float64) []figure {
	type row struct{ bench, unit string }
	seen := map[row]bool{}
	var out []figure
	for k := range samples {
		if units, ok := onlyUnitsFor(k.bench); ok && !slices.Contains(units, k.unit) {
			continue
		}
		r := row{k.bench, k.unit}
		if seen[r] {
			continue
		}
		seen[r] = true
		a, okA := samples[key{r.bench, "anykube", r.unit}]
		c, okC := samples[key{r.bench, "clientgo", r.unit}]
		if !okA || !okC {
			continue
		}
		runs := strconv.Itoa(len(a))
		if len(c) != len(a) {
			runs += "/" + strconv.Itoa(len(c))
		}
		out = append(out, figure{bench: r.bench, unit: r.unit, ak: median(a), cg: median(c), ratio: pairedRatio(a, c), runs: runs})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].bench != out[j].bench {
			return out[i].bench < out[j].bench
		}
		return out[i].unit < out[j].unit
	})
	return out
}

// onlyUnitsFor returns the onlyUnits entry that applies to bench: its own
// or its case's, as for targets.
func onlyUnitsFor(bench string) ([]string, bool) {
	for b, units := range onlyUnits {
		if appliesTo(b, bench) {
			return units, true
		}
	}
	return nil, false
}

// appliesTo reports whether a target (or onlyUnits entry) keyed by key
// applies to the benchmark named bench: the benchmark itself, and every
// shape of it, named key/<shape>.
func appliesTo(key, bench string) bool {
	return bench == key || strings.HasPrefix(bench, key+"/")
}

// shapeName is how the tables name bench as a shape of the target keyed by
// key: the part after key, or "-" for the benchmark itself.
func shapeName(key, bench string) string {
	if s := strings.TrimPrefix(bench, key+"/"); s != bench {
		return s
	}
	return "-"
}

// value is the number t bounds in f: the ratio, or anykube's median.
func (t target) value(f figure) float64 {
	if t.abs {
		return f.ak
	}
	return f.ratio
}

// met reports whether f meets t. A figure with no ratio (a client-go
// median of zero) meets no ratio target.
func (t target) met(f figure) bool {
	v := t.value(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return false
	}
	if t.abs || t.max > 0 {
		return v <= t.max
	}
	return v >= t.min
}

// bound is the target as the tables print it.
func (t target) bound() string {
	what := ""
	if t.abs {
		what = "anykube "
	}
	if t.abs || t.max > 0 {
		return fmt.Sprintf("%s<= %g", what, t.max)
	}
	return fmt.Sprintf("%s>= %g", what, t.min)
}

// verdict is how the tables print whether t is met: in parentheses for a
// target shown for reference.
func (t target) verdict(met bool) string {
	v := pass(met)
	if t.info {
		return "(" + strings.ToLower(v) + ")"
	}
	return v
}

// worse reports whether a is further from meeting t than b: a larger
// value under a bound from above, a smaller one under a bound from below.
// A figure without a value is the worst.
func (t target) worse(a, b figure) bool {
	va, vb := t.value(a), t.value(b)
	switch {
	case math.IsNaN(va) || math.IsInf(va, 0):
		return !(math.IsNaN(vb) || math.IsInf(vb, 0))
	case math.IsNaN(vb) || math.IsInf(vb, 0):
		return false
	case t.abs || t.max > 0:
		return va > vb
	default:
		return va < vb
	}
}

// outcome is one target's result over every shape of its case: the
// worst shape's figure, and how many shapes missed.
type outcome struct {
	t             target
	worst         figure
	shapes, fails int
}

// evaluate checks each of ts against every figure it applies to, in the
// order of ts, leaving out targets no figure was measured for.
func evaluate(ts []target, figs []figure) []outcome {
	var out []outcome
	for _, t := range ts {
		o := outcome{t: t}
		for _, f := range figs {
			if f.unit != t.unit || !appliesTo(t.bench, f.bench) {
				continue
			}
			if o.shapes == 0 || t.worse(f, o.worst) {
				o.worst = f
			}
			o.shapes++
			if !t.met(f) {
				o.fails++
			}
		}
		if o.shapes > 0 {
			out = append(out, o)
		}
	}
	return out
}

func printTable(samples map[key][]float64, m machine) {
	figs := figures(samples)
	outcomes := evaluate(targets, figs)
	m.print()

	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "target\tunit\tworst shape\tanykube\tclient-go\tratio\truns\ttarget\t\tshapes missed\t")
	missed, checked := 0, 0
	for _, o := range outcomes {
		f := o.worst
		if !o.t.info {
			checked++
			if o.fails > 0 {
				missed++
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d of %d\t\n", o.t.bench, o.t.unit, shapeName(o.t.bench, f.bench),
			human(f.ak, f.unit), human(f.cg, f.unit), ratioString(f.ratio), f.runs, o.t.bound(), o.t.verdict(o.fails == 0), o.fails, o.shapes)
	}
	tw.Flush()
	fmt.Printf("\none row per target: the worst of its shapes (benchmarks named after it, or after it and /<shape>); medians of the runs;\n")
	fmt.Printf("ratio = median of the rounds' anykube / client-go; %d of %d targets missed on some shape; verdicts in parentheses are\n", missed, checked)
	fmt.Printf("for the CPU-time twins of wall-time targets and other references, shown and not counted\n")

	fmt.Printf("\nfull matrix: every shape, every figure\n\n")
	tw = tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "figure\tunit\tanykube\tclient-go\tratio\truns\ttarget\t\t")
	for _, f := range figs {
		tgt, verdict := "", ""
		for _, t := range targets {
			if t.unit == f.unit && appliesTo(t.bench, f.bench) {
				tgt, verdict = t.bound(), t.verdict(t.met(f))
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", f.bench, f.unit, human(f.ak, f.unit), human(f.cg, f.unit), ratioString(f.ratio), f.runs, tgt, verdict)
	}
	tw.Flush()
}

// pairedRatio returns the median of the per-round ratios a[i]/c[i] when
// both libraries have one sample per round: each round runs a case's two
// halves back to back, so their ratio is less disturbed by load that
// changes between rounds than the ratio of the medians, which it returns
// otherwise.
func pairedRatio(a, c []float64) float64 {
	if len(a) != len(c) {
		return median(a) / median(c)
	}
	var ratios []float64
	for i := range a {
		if r := a[i] / c[i]; !math.IsNaN(r) {
			ratios = append(ratios, r)
		}
	}
	if len(ratios) == 0 {
		return math.NaN()
	}
	return median(ratios)
}

func ratioString(r float64) string {
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return "-"
	}
	return strconv.FormatFloat(r, 'g', 3, 64)
}

func pass(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

func human(v float64, unit string) string {
	switch unit {
	case "ns/op", "cpu-ns/op":
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
	case "B/op", "retained-B", "bytes", "peak-heap-B", "result-B":
		switch {
		case v >= 1<<20:
			return fmt.Sprintf("%.1fMiB", v/(1<<20))
		case v >= 1<<10:
			return fmt.Sprintf("%.1fKiB", v/(1<<10))
		default:
			return fmt.Sprintf("%.0fB", v)
		}
	default:
		if math.Abs(v) >= 1000 {
			return strconv.FormatFloat(v, 'f', 0, 64)
		}
		return strconv.FormatFloat(v, 'g', 4, 64)
	}
}

// binarySizes builds ./programs/anykube and ./programs/clientgo, the same
// small program written against each library, stripped, into dir and
// returns their sizes in bytes.
func binarySizes(ctx context.Context, dir string) (map[string]float64, error) {
	sizes := map[string]float64{}
	for _, lib := range []string{"anykube", "clientgo"} {
		out := filepath.Join(dir, lib)
		cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags=-s -w", "-o", out, "./programs/"+lib)
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("building programs/%s: %w", lib, err)
		}
		fi, err := os.Stat(out)
		if err != nil {
			return nil, err
		}
		sizes[lib] = float64(fi.Size())
	}
	return sizes, nil
}
