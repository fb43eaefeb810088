// Package codectest generates realistic Kubernetes JSON bodies (lists and
// watch streams) for codec tests and for benchmarks that compare decoders on
// exactly the same bytes. Output is deterministic for a given n and Shape.
package codectest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// Shape varies the generated objects, so that a benchmark can hold on every
// realistic form of its case rather than on the one it was written for. The
// zero Shape is what ConfigMapList, DeploymentList and WatchEvents make;
// each field changes only the objects it names.
type Shape struct {
	// LargeValues gives each ConfigMap five data values of a few hundred
	// bytes to 1.5 KB (YAML and JSON configuration, a shell script, a
	// PEM bundle), full of the \n and \" escapes such values carry,
	// instead of one small config file and three short values.
	LargeValues bool
	// NoManagedFields leaves metadata.managedFields out, as objects look
	// that were written without server-side field tracking or read from a
	// server that strips it.
	NoManagedFields bool
	// Wide gives pod specs (Deployments' templates, Pods in a watch)
	// five containers of 15 environment variables, four mounts and two
	// ports each, and ten volumes, instead of two containers.
	Wide bool
	// Small makes WatchEvents a stream of Lease renewals and Events
	// (under 1 KB each, with managedFields), the steady traffic of a
	// cluster, instead of Pods and ConfigMaps.
	Small bool
}

// ConfigMapList returns a v1 ConfigMapList of n items shaped like the API
// server's answer: items without kind/apiVersion, with labels, annotations,
// managedFields, and data that includes multi-line YAML and non-ASCII text.
func ConfigMapList(n int) []byte { return ConfigMapListShaped(n, Shape{}) }

// ConfigMapListShaped is ConfigMapList with the ConfigMaps shaped by s
// (LargeValues, NoManagedFields).
func ConfigMapListShaped(n int, s Shape) []byte {
	g := newGen(1, s)
	return list("ConfigMapList", "v1", 900000+n, n, func(w *writer, i int) { g.configMap(w, i, false) })
}

// DeploymentList returns an apps/v1 DeploymentList of n items with full
// spec, pod template and status, as the API server sends it.
func DeploymentList(n int) []byte { return DeploymentListShaped(n, Shape{}) }

// DeploymentListShaped is DeploymentList with the Deployments shaped by s
// (Wide, NoManagedFields).
func DeploymentListShaped(n int, s Shape) []byte {
	g := newGen(2, s)
	return list("DeploymentList", "apps/v1", 800000+n, n, func(w *writer, i int) { g.deployment(w, i, false) })
}

// list writes a list of the given kind and resourceVersion whose n items
// item writes.
func list(kind, apiVersion string, rv, n int, item func(w *writer, i int)) []byte {
	w := &writer{}
	w.raw(`{"kind":"` + kind + `","apiVersion":"` + apiVersion + `","metadata":{"resourceVersion":"`)
	w.raw(strconv.Itoa(rv))
	w.raw(`"},"items":[`)
	for i := range n {
		if i > 0 {
			w.raw(",")
		}
		item(w, i)
	}
	w.raw("]}\n")
	return w.Bytes()
}

// WatchEvents returns a watch stream of n events, one JSON object per line
// as the API server writes them: mostly MODIFIED and ADDED Pods, some
// DELETED, a BOOKMARK every 100 events, and a ConfigMap now and then.
func WatchEvents(n int) []byte { return WatchEventsShaped(n, Shape{}) }

// WatchEventsShaped is WatchEvents with the objects shaped by s: Wide Pods
// and ConfigMaps with LargeValues make a stream of large events; Small
// replaces Pods and ConfigMaps with Leases and Events.
func WatchEventsShaped(n int, s Shape) []byte {
	g := newGen(3, s)
	w := &writer{}
	for i := range n {
		switch {
		case i%100 == 99:
			w.raw(`{"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"`)
			w.raw(strconv.Itoa(700000 + i))
			w.raw(`","creationTimestamp":null,"annotations":{"k8s.io/initial-events-end":"true"}},"spec":{"containers":null},"status":{}}}`)
		case s.Small && i%4 == 3:
			w.raw(`{"type":"ADDED","object":`)
			g.event(w)
			w.raw("}")
		case s.Small:
			w.raw(`{"type":"MODIFIED","object":`)
			g.lease(w, i)
			w.raw("}")
		case i%10 == 7:
			w.raw(`{"type":"ADDED","object":`)
			g.configMap(w, i, true)
			w.raw("}")
		default:
			typ := "MODIFIED"
			if i%10 == 3 {
				typ = "ADDED"
			} else if i%10 == 9 {
				typ = "DELETED"
			}
			w.raw(`{"type":"` + typ + `","object":`)
			g.pod(w, i)
			w.raw("}")
		}
		w.raw("\n")
	}
	return w.Bytes()
}

// Object returns one Deployment object with kind and apiVersion, for
// single-object tests.
func Object() []byte {
	g := newGen(4, Shape{})
	w := &writer{}
	g.deployment(w, 7, true)
	return w.Bytes()
}

type writer struct{ bytes.Buffer }

func (w *writer) raw(s string) { w.WriteString(s) }

// str writes s as a JSON string exactly as the API server (encoding/json)
// escapes it.
func (w *writer) str(s string) {
	b, _ := json.Marshal(s)
	w.Write(b)
}

func (w *writer) key(k string) {
	w.str(k)
	w.WriteByte(':')
}

func (w *writer) field(k, v string) {
	w.key(k)
	w.str(v)
}

func (w *writer) intField(k string, v int) {
	w.key(k)
	w.raw(strconv.Itoa(v))
}

// strMap writes an object of string values in the given key order.
func (w *writer) strMap(kv ...string) {
	w.raw("{")
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			w.raw(",")
		}
		w.field(kv[i], kv[i+1])
	}
	w.raw("}")
}

// fields writes a fieldsV1 set: {".":{},"f:a":{},...}.
func (w *writer) fields(dot bool, names ...string) {
	w.raw("{")
	first := true
	if dot {
		w.raw(`".":{}`)
		first = false
	}
	for _, n := range names {
		if !first {
			w.raw(",")
		}
		first = false
		w.key("f:" + n)
		w.raw("{}")
	}
	w.raw("}")
}

type gen struct {
	r     *rand.Rand
	base  time.Time
	shape Shape

	// lastApp and lastTeam are the last configMapMeta's, for its data.
	lastApp, lastTeam string
}

func newGen(seed uint64, s Shape) *gen {
	return &gen{
		r:     rand.New(rand.NewPCG(seed, 0x5eed)),
		base:  time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC),
		shape: s,
	}
}

func (g *gen) uid() string {
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", g.r.Uint32(), g.r.Uint32()&0xffff, 0x4000|g.r.Uint32()&0x0fff, 0x8000|g.r.Uint32()&0x3fff, g.r.Uint64()&0xffffffffffff)
}

func (g *gen) time() string {
	return g.base.Add(time.Duration(g.r.IntN(90*24*3600)) * time.Second).Format(time.RFC3339)
}

var (
	teams   = []string{"payments", "search", "checkout", "platform", "identity", "ml-serving", "observability"}
	apps    = []string{"api", "worker", "frontend", "cache", "gateway", "scheduler", "indexer", "notifier"}
	tiers   = []string{"backend", "frontend", "data"}
	imgRepo = []string{"registry.example.com/shop/", "ghcr.io/acme/", "quay.io/team/"}
)

func (g *gen) pick(s []string) string { return s[g.r.IntN(len(s))] }

// ids opens an ObjectMeta and writes its name, namespace, uid and
// resourceVersion.
func (g *gen) ids(w *writer, name, ns string) {
	w.raw(`"metadata":{`)
	w.field("name", name)
	w.raw(",")
	w.field("namespace", ns)
	w.raw(",")
	w.field("uid", g.uid())
	w.raw(",")
	w.field("resourceVersion", strconv.Itoa(100000+g.r.IntN(800000)))
}

// meta writes an ObjectMeta with labels, annotations and managedFields; the
// managed fields name extra, the keys of the object's data or spec. A nil
// managed leaves managedFields out.
func (g *gen) meta(w *writer, name, ns string, labels []string, annotations []string, managed func(*writer)) {
	g.ids(w, name, ns)
	if g.r.IntN(4) == 0 {
		w.raw(",")
		w.intField("generation", 1+g.r.IntN(20))
	}
	w.raw(",")
	created := g.time()
	w.field("creationTimestamp", created)
	// The server leaves empty maps out.
	if len(labels) > 0 {
		w.raw(`,"labels":`)
		w.strMap(labels...)
	}
	if len(annotations) > 0 {
		w.raw(`,"annotations":`)
		w.strMap(annotations...)
	}
	if managed == nil || g.shape.NoManagedFields {
		w.raw("}")
		return
	}
	w.raw(`,"managedFields":[{"manager":"helm","operation":"Update","apiVersion":"v1","time":`)
	w.str(created)
	w.raw(`,"fieldsType":"FieldsV1","fieldsV1":{`)
	managed(w)
	w.raw(`,"f:metadata":{`)
	var keys []string
	for i := 0; i < len(annotations); i += 2 {
		keys = append(keys, annotations[i])
	}
	if len(keys) > 0 {
		w.raw(`"f:annotations":`)
		w.fields(true, keys...)
	}
	keys = keys[:0]
	for i := 0; i < len(labels); i += 2 {
		keys = append(keys, labels[i])
	}
	if len(keys) > 0 {
		if len(annotations) > 0 {
			w.raw(",")
		}
		w.raw(`"f:labels":`)
		w.fields(true, keys...)
	}
	w.raw("}}}")
	if g.r.IntN(3) == 0 {
		w.raw(`,{"manager":"kubectl-edit","operation":"Update","apiVersion":"v1","time":`)
		w.str(g.time())
		w.raw(`,"fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:labels":{"f:tier":{}}}}}`)
	}
	w.raw("]}")
}

func (g *gen) configMap(w *writer, i int, withKind bool) {
	g.configMapMeta(w, i, withKind, true)
	w.raw(`,"data":{`)
	if g.shape.LargeValues {
		g.largeData(w, g.lastApp, g.lastTeam)
		w.raw("}}")
		return
	}
	w.field("config.yaml", fmt.Sprintf("server:\n  port: %d\n  readTimeout: 30s\n  writeTimeout: 30s\nlogging:\n  level: info\n  format: json\ndatabase:\n  host: %s-db.%s.svc.cluster.local\n  pool: %d\n", 8000+g.r.IntN(1000), g.lastApp, g.lastTeam, 5+g.r.IntN(50)))
	w.raw(",")
	w.field("LOG_LEVEL", g.pick([]string{"info", "debug", "warn"}))
	w.raw(",")
	w.field("FEATURE_FLAGS", "new-checkout=true,fast-search=false,beta-ui=<on>&off")
	w.raw(",")
	w.field("MAX_CONNECTIONS", strconv.Itoa(100+g.r.IntN(900)))
	w.raw("}}")
}

// configMapMeta writes a ConfigMap's opening brace, kind and apiVersion
// when withKind is set, and its metadata, managedFields only when managed
// is set; it leaves the object open.
func (g *gen) configMapMeta(w *writer, i int, withKind, managed bool) {
	team := g.pick(teams)
	app := g.pick(apps)
	name := fmt.Sprintf("%s-%s-config-%05d", team, app, i)
	w.raw("{")
	if withKind {
		w.raw(`"kind":"ConfigMap","apiVersion":"v1",`)
	}
	labels := []string{
		"app.kubernetes.io/name", app,
		"app.kubernetes.io/instance", team + "-" + app,
		"app.kubernetes.io/part-of", team,
		"app.kubernetes.io/managed-by", "Helm",
		"tier", g.pick(tiers),
	}
	annotations := []string{
		"meta.helm.sh/release-name", team + "-" + app,
		"meta.helm.sh/release-namespace", team,
	}
	if i%5 == 0 {
		annotations = append(annotations, "description", "Konfiguration für "+app+" — Zürich ☁️")
	}
	g.lastApp, g.lastTeam = app, team
	var managedFn func(*writer)
	if managed {
		dataKeys := []string{"config.yaml", "LOG_LEVEL", "FEATURE_FLAGS", "MAX_CONNECTIONS"}
		if g.shape.LargeValues {
			dataKeys = largeDataKeys
		}
		managedFn = func(w *writer) {
			w.raw(`"f:data":`)
			w.fields(true, dataKeys...)
		}
	}
	g.meta(w, name, team, labels, annotations, managedFn)
}

// podSpec writes a PodSpec with two containers, env, probes, resources and
// volumes.
func (g *gen) podSpec(w *writer, app, team string) {
	if g.shape.Wide {
		g.widePodSpec(w, app, team)
		return
	}
	image := g.pick(imgRepo) + app + ":v1." + strconv.Itoa(g.r.IntN(40)) + "." + strconv.Itoa(g.r.IntN(10))
	w.raw(`{"volumes":[{"name":"config","configMap":{"name":`)
	w.str(team + "-" + app + "-config")
	w.raw(`,"defaultMode":420}},{"name":"kube-api-access","projected":{"sources":[{"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}},{"configMap":{"name":"kube-root-ca.crt","items":[{"key":"ca.crt","path":"ca.crt"}]}}],"defaultMode":420}}],"containers":[{"name":`)
	w.str(app)
	w.raw(`,"image":`)
	w.str(image)
	w.raw(`,"args":["--config=/etc/app/config.yaml","--port=8080"],"ports":[{"name":"http","containerPort":8080,"protocol":"TCP"},{"name":"metrics","containerPort":9090,"protocol":"TCP"}],"env":[{"name":"POD_NAME","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"metadata.name"}}},{"name":"POD_NAMESPACE","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"metadata.namespace"}}},{"name":"GOMAXPROCS","value":"2"},{"name":"TEAM","value":`)
	w.str(team)
	w.raw(`}],"resources":{"limits":{"cpu":"`)
	w.raw(strconv.Itoa(1 + g.r.IntN(4)))
	w.raw(`","memory":"`)
	w.raw(strconv.Itoa(256 << g.r.IntN(4)))
	w.raw(`Mi"},"requests":{"cpu":"`)
	w.raw(strconv.Itoa(100 + 50*g.r.IntN(10)))
	w.raw(`m","memory":"128Mi"}},"volumeMounts":[{"name":"config","readOnly":true,"mountPath":"/etc/app"}],"livenessProbe":{"httpGet":{"path":"/healthz","port":"http","scheme":"HTTP"},"initialDelaySeconds":10,"timeoutSeconds":1,"periodSeconds":10,"successThreshold":1,"failureThreshold":3},"readinessProbe":{"httpGet":{"path":"/readyz","port":"http","scheme":"HTTP"},"timeoutSeconds":1,"periodSeconds":5,"successThreshold":1,"failureThreshold":3},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent","securityContext":{"capabilities":{"drop":["ALL"]},"runAsNonRoot":true,"readOnlyRootFilesystem":true,"allowPrivilegeEscalation":false}},{"name":"proxy","image":"envoyproxy/envoy:v1.31.2","ports":[{"containerPort":15001,"protocol":"TCP"}],"resources":{"limits":{"memory":"256Mi"},"requests":{"cpu":"50m","memory":"64Mi"}},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent"}],"restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst","serviceAccountName":`)
	w.str(app)
	w.raw(`,"serviceAccount":`)
	w.str(app)
	w.raw(`,"securityContext":{"fsGroup":2000},"affinity":{"podAntiAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[{"weight":100,"podAffinityTerm":{"labelSelector":{"matchLabels":{"app.kubernetes.io/name":`)
	w.str(app)
	w.raw(`}},"topologyKey":"kubernetes.io/hostname"}}]}},"schedulerName":"default-scheduler","tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}],"priority":0,"enableServiceLinks":true,"preemptionPolicy":"PreemptLowerPriority"}`)
}

func (g *gen) deployment(w *writer, i int, withKind bool) {
	team := g.pick(teams)
	app := g.pick(apps)
	name := fmt.Sprintf("%s-%s-%04d", team, app, i)
	replicas := 1 + g.r.IntN(6)
	w.raw("{")
	if withKind {
		w.raw(`"kind":"Deployment","apiVersion":"apps/v1",`)
	}
	labels := []string{
		"app.kubernetes.io/name", app,
		"app.kubernetes.io/instance", name,
		"app.kubernetes.io/part-of", team,
		"app.kubernetes.io/version", "1." + strconv.Itoa(g.r.IntN(40)),
		"app.kubernetes.io/managed-by", "Helm",
	}
	annotations := []string{
		"deployment.kubernetes.io/revision", strconv.Itoa(1 + g.r.IntN(30)),
		"meta.helm.sh/release-name", name,
		"meta.helm.sh/release-namespace", team,
	}
	g.meta(w, name, team, labels, annotations, func(w *writer) {
		w.raw(`"f:spec":{"f:progressDeadlineSeconds":{},"f:replicas":{},"f:revisionHistoryLimit":{},"f:selector":{},"f:strategy":{"f:rollingUpdate":{".":{},"f:maxSurge":{},"f:maxUnavailable":{}},"f:type":{}},"f:template":{"f:metadata":{"f:labels":{".":{},"f:app.kubernetes.io/name":{},"f:app.kubernetes.io/instance":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"`)
		w.raw(app)
		w.raw(`\"}":{".":{},"f:args":{},"f:image":{},"f:imagePullPolicy":{},"f:name":{},"f:ports":{".":{},"k:{\"containerPort\":8080,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{},"f:name":{},"f:protocol":{}}},"f:resources":{".":{},"f:limits":{".":{},"f:cpu":{},"f:memory":{}},"f:requests":{".":{},"f:cpu":{},"f:memory":{}}}}},"f:dnsPolicy":{},"f:restartPolicy":{},"f:schedulerName":{},"f:terminationGracePeriodSeconds":{}}}}`)
	})
	w.raw(`,"spec":{`)
	w.intField("replicas", replicas)
	w.raw(`,"selector":{"matchLabels":`)
	w.strMap("app.kubernetes.io/name", app, "app.kubernetes.io/instance", name)
	w.raw(`},"template":{"metadata":{"creationTimestamp":null,"labels":`)
	w.strMap("app.kubernetes.io/name", app, "app.kubernetes.io/instance", name)
	w.raw(`,"annotations":{"kubectl.kubernetes.io/restartedAt":`)
	w.str(g.time())
	w.raw(`}},"spec":`)
	g.podSpec(w, app, team)
	w.raw(`},"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"25%","maxSurge":"25%"}},"revisionHistoryLimit":10,"progressDeadlineSeconds":600},"status":{`)
	w.intField("observedGeneration", 1+g.r.IntN(20))
	w.raw(",")
	w.intField("replicas", replicas)
	w.raw(",")
	w.intField("updatedReplicas", replicas)
	w.raw(",")
	w.intField("readyReplicas", replicas)
	w.raw(",")
	w.intField("availableReplicas", replicas)
	w.raw(`,"conditions":[{"type":"Available","status":"True","lastUpdateTime":`)
	w.str(g.time())
	w.raw(`,"lastTransitionTime":`)
	w.str(g.time())
	w.raw(`,"reason":"MinimumReplicasAvailable","message":"Deployment has minimum availability."},{"type":"Progressing","status":"True","lastUpdateTime":`)
	w.str(g.time())
	w.raw(`,"lastTransitionTime":`)
	w.str(g.time())
	w.raw(`,"reason":"NewReplicaSetAvailable","message":`)
	w.str(fmt.Sprintf("ReplicaSet \"%s-%x\" has successfully progressed.", name, g.r.Uint32()))
	w.raw(`}]}}`)
}

func (g *gen) pod(w *writer, i int) {
	team := g.pick(teams)
	app := g.pick(apps)
	name := fmt.Sprintf("%s-%s-%x-%05d", team, app, g.r.Uint32()&0xfffff, i)
	w.raw(`{"kind":"Pod","apiVersion":"v1",`)
	labels := []string{
		"app.kubernetes.io/name", app,
		"app.kubernetes.io/instance", team + "-" + app,
		"pod-template-hash", strconv.FormatUint(uint64(g.r.Uint32()), 36),
	}
	annotations := []string{"kubectl.kubernetes.io/restartedAt", g.time()}
	g.meta(w, name, team, labels, annotations, func(w *writer) {
		w.raw(`"f:spec":{"f:containers":{},"f:dnsPolicy":{},"f:enableServiceLinks":{},"f:restartPolicy":{}}`)
	})
	w.raw(`,"spec":`)
	g.podSpec(w, app, team)
	w.raw(`,"status":{"phase":"Running","conditions":[{"type":"Initialized","status":"True","lastProbeTime":null,"lastTransitionTime":`)
	w.str(g.time())
	w.raw(`},{"type":"Ready","status":"True","lastProbeTime":null,"lastTransitionTime":`)
	w.str(g.time())
	w.raw(`}],"hostIP":"10.0.`)
	w.raw(strconv.Itoa(g.r.IntN(255)))
	w.raw(".")
	w.raw(strconv.Itoa(g.r.IntN(255)))
	w.raw(`","podIP":"10.244.`)
	w.raw(strconv.Itoa(g.r.IntN(255)))
	w.raw(".")
	w.raw(strconv.Itoa(g.r.IntN(255)))
	w.raw(`","startTime":`)
	w.str(g.time())
	w.raw(`,"containerStatuses":[{"name":`)
	w.str(app)
	w.raw(`,"state":{"running":{"startedAt":`)
	w.str(g.time())
	w.raw(`}},"lastState":{},"ready":true,"restartCount":`)
	w.raw(strconv.Itoa(g.r.IntN(3)))
	w.raw(`,"image":"registry.example.com/shop/app:v1.2.3","imageID":"registry.example.com/shop/app@sha256:`)
	w.raw(fmt.Sprintf("%016x%016x%016x%016x", g.r.Uint64(), g.r.Uint64(), g.r.Uint64(), g.r.Uint64()))
	w.raw(`","containerID":"containerd://`)
	w.raw(fmt.Sprintf("%016x%016x%016x%016x", g.r.Uint64(), g.r.Uint64(), g.r.Uint64(), g.r.Uint64()))
	w.raw(`","started":true}],"qosClass":"Burstable"}}`)
}

// largeDataKeys are the data keys of a ConfigMap with LargeValues, in the
// order largeData writes them.
var largeDataKeys = []string{"application.yaml", "settings.json", "entrypoint.sh", "ca-bundle.pem", "log4j2.properties"}

// largeData writes the data of a ConfigMap with LargeValues: five values of
// about 200 bytes to 1.5 KB each, about 3 KB in all.
func (g *gen) largeData(w *writer, app, team string) {
	var b strings.Builder
	fmt.Fprintf(&b, "server:\n  port: %d\n  shutdownGrace: 20s\n", 8000+g.r.IntN(1000))
	for k, n := 0, 4+g.r.IntN(16); k < n; k++ {
		fmt.Fprintf(&b, "%s:\n  %s.enabled: %t\n  timeout: %dms # \"%s\" tier\n", g.pick(apps), g.pick(teams), g.r.IntN(2) == 0, 50*g.r.IntN(40), g.pick(tiers))
	}
	w.field(largeDataKeys[0], b.String())

	b.Reset()
	fmt.Fprintf(&b, "{\n  \"service\": %q,\n  \"team\": %q,\n  \"endpoints\": [", app, team)
	for k, n := 0, 2+g.r.IntN(8); k < n; k++ {
		if k > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "\n    {\"name\": \"%s-%d\", \"url\": \"https://%s.%s.svc:%d/v1\", \"weight\": %d}", g.pick(apps), k, g.pick(apps), team, 8000+g.r.IntN(1000), g.r.IntN(100))
	}
	b.WriteString("\n  ],\n  \"motd\": \"Willkommen — ¡bienvenido! \\u2603\"\n}\n")
	w.raw(",")
	w.field(largeDataKeys[1], b.String())

	b.Reset()
	b.WriteString("#!/bin/sh\nset -eu\n")
	for k, n := 0, 3+g.r.IntN(10); k < n; k++ {
		fmt.Fprintf(&b, "if [ -n \"${%s_%d:-}\" ]; then\n\texport OPTS=\"$OPTS --%s=${%s_%d}\"\nfi\n", strings.ToUpper(g.pick(tiers)), k, g.pick(apps), strings.ToUpper(g.pick(tiers)), k)
	}
	b.WriteString("exec /app/server $OPTS \"$@\"\n")
	w.raw(",")
	w.field(largeDataKeys[2], b.String())

	b.Reset()
	const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	b.WriteString("-----BEGIN CERTIFICATE-----\n")
	for line := 0; line < 12; line++ {
		for k := 0; k < 64; k++ {
			b.WriteByte(b64[g.r.IntN(64)])
		}
		b.WriteByte('\n')
	}
	b.WriteString("-----END CERTIFICATE-----\n")
	w.raw(",")
	w.field(largeDataKeys[3], b.String())

	b.Reset()
	fmt.Fprintf(&b, "status = warn\nname = %s\nappender.console.type = Console\nappender.console.layout.pattern = %%d{ISO8601} [%%t] %%-5p %%c - %%m%%n\n", app)
	for k, n := 0, 2+g.r.IntN(6); k < n; k++ {
		fmt.Fprintf(&b, "logger.%s%d.name = com.example.%s.%s\nlogger.%s%d.level = %s\n", app, k, team, g.pick(apps), app, k, g.pick([]string{"info", "debug", "warn"}))
	}
	w.raw(",")
	w.field(largeDataKeys[4], b.String())
}

// lease writes a coordination.k8s.io/v1 Lease as a node or leader election
// renews it.
func (g *gen) lease(w *writer, i int) {
	name := fmt.Sprintf("node-%s-%04d", g.pick(tiers), i%500)
	w.raw(`{"kind":"Lease","apiVersion":"coordination.k8s.io/v1",`)
	g.meta(w, name, "kube-node-lease", []string{"kubernetes.io/hostname", name}, nil, func(w *writer) {
		w.raw(`"f:spec":{"f:holderIdentity":{},"f:leaseDurationSeconds":{},"f:renewTime":{}}`)
	})
	w.raw(`,"spec":{`)
	w.field("holderIdentity", name)
	w.raw(`,"leaseDurationSeconds":40,"renewTime":`)
	w.str(g.base.Add(time.Duration(g.r.IntN(1e9)) * time.Microsecond).Format("2006-01-02T15:04:05.000000Z07:00"))
	w.raw("}}")
}

// event writes a core v1 Event about a Pod.
func (g *gen) event(w *writer) {
	team := g.pick(teams)
	app := g.pick(apps)
	pod := fmt.Sprintf("%s-%s-%x", team, app, g.r.Uint32()&0xfffff)
	w.raw(`{"kind":"Event","apiVersion":"v1",`)
	g.meta(w, fmt.Sprintf("%s.%x", pod, g.r.Uint64()), team, nil, nil, func(w *writer) {
		w.raw(`"f:count":{},"f:firstTimestamp":{},"f:involvedObject":{},"f:lastTimestamp":{},"f:message":{},"f:reason":{},"f:source":{"f:component":{},"f:host":{}},"f:type":{}`)
	})
	w.raw(`,"involvedObject":{"kind":"Pod",`)
	w.field("namespace", team)
	w.raw(",")
	w.field("name", pod)
	w.raw(",")
	w.field("uid", g.uid())
	w.raw(`,"apiVersion":"v1","resourceVersion":"`)
	w.raw(strconv.Itoa(100000 + g.r.IntN(800000)))
	w.raw(`","fieldPath":"spec.containers{`)
	w.raw(app)
	w.raw(`}"},"reason":"Pulled","message":`)
	w.str(fmt.Sprintf("Container image \"%s%s:v1.%d\" already present on machine", g.pick(imgRepo), app, g.r.IntN(40)))
	w.raw(`,"source":{"component":"kubelet","host":`)
	w.str(fmt.Sprintf("node-%04d", g.r.IntN(500)))
	w.raw(`},"firstTimestamp":`)
	w.str(g.time())
	w.raw(`,"lastTimestamp":`)
	w.str(g.time())
	w.raw(`,"count":`)
	w.raw(strconv.Itoa(1 + g.r.IntN(20)))
	w.raw(`,"type":"Normal","eventTime":null,"reportingComponent":"kubelet","reportingInstance":""}`)
}

// sidecars name the containers a Wide pod runs beside its app.
var sidecars = []string{"istio-proxy", "log-shipper", "metrics-exporter", "vault-agent"}

// widePodSpec writes the PodSpec of a Wide shape: the app and its four
// sidecars, each with 15 environment variables, four volume mounts, two
// ports, resources and probes, over ten volumes.
func (g *gen) widePodSpec(w *writer, app, team string) {
	w.raw(`{"volumes":[`)
	for v := range 10 {
		if v > 0 {
			w.raw(",")
		}
		w.raw(`{"name":`)
		w.str(fmt.Sprintf("vol-%s-%d", app, v))
		switch v % 3 {
		case 0:
			w.raw(`,"configMap":{"name":`)
			w.str(fmt.Sprintf("%s-%s-config-%d", team, app, v))
			w.raw(`,"defaultMode":420}}`)
		case 1:
			w.raw(`,"secret":{"secretName":`)
			w.str(fmt.Sprintf("%s-%s-secret-%d", team, app, v))
			w.raw(`,"defaultMode":256}}`)
		default:
			w.raw(`,"emptyDir":{"sizeLimit":"`)
			w.raw(strconv.Itoa(64 << g.r.IntN(5)))
			w.raw(`Mi"}}`)
		}
	}
	w.raw(`],"containers":[`)
	for c, name := range append([]string{app}, sidecars...) {
		if c > 0 {
			w.raw(",")
		}
		w.raw(`{"name":`)
		w.str(name)
		w.raw(`,"image":`)
		w.str(g.pick(imgRepo) + name + ":v1." + strconv.Itoa(g.r.IntN(40)) + "." + strconv.Itoa(g.r.IntN(10)))
		w.raw(`,"args":["--config=/etc/`)
		w.raw(name)
		w.raw(`/config.yaml","--log-format=json","--listen=:`)
		w.raw(strconv.Itoa(8000 + c))
		w.raw(`"],"ports":[{"name":"http","containerPort":`)
		w.raw(strconv.Itoa(8000 + c))
		w.raw(`,"protocol":"TCP"},{"name":"metrics","containerPort":`)
		w.raw(strconv.Itoa(9000 + c))
		w.raw(`,"protocol":"TCP"}],"env":[`)
		for e := range 15 {
			if e > 0 {
				w.raw(",")
			}
			w.raw(`{"name":`)
			w.str(fmt.Sprintf("%s_%s_%d", strings.ToUpper(strings.ReplaceAll(name, "-", "_")), strings.ToUpper(g.pick(tiers)), e))
			switch e % 5 {
			case 0:
				w.raw(`,"valueFrom":{"secretKeyRef":{"name":`)
				w.str(team + "-" + app + "-secret")
				w.raw(`,"key":`)
				w.str(fmt.Sprintf("key-%d", e))
				w.raw(`}}}`)
			case 1:
				w.raw(`,"valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"metadata.namespace"}}}`)
			default:
				w.raw(`,"value":`)
				w.str(fmt.Sprintf("%s.%s.svc.cluster.local:%d", g.pick(apps), team, 1000+g.r.IntN(9000)))
				w.raw("}")
			}
		}
		w.raw(`],"resources":{"limits":{"cpu":"`)
		w.raw(strconv.Itoa(1 + g.r.IntN(4)))
		w.raw(`","memory":"`)
		w.raw(strconv.Itoa(256 << g.r.IntN(4)))
		w.raw(`Mi"},"requests":{"cpu":"`)
		w.raw(strconv.Itoa(100 + 50*g.r.IntN(10)))
		w.raw(`m","memory":"128Mi"}},"volumeMounts":[`)
		for m := range 4 {
			if m > 0 {
				w.raw(",")
			}
			v := (c + m*2) % 10
			w.raw(`{"name":`)
			w.str(fmt.Sprintf("vol-%s-%d", app, v))
			w.raw(`,"readOnly":true,"mountPath":`)
			w.str(fmt.Sprintf("/etc/%s/vol-%d", name, v))
			w.raw("}")
		}
		w.raw(`],"livenessProbe":{"httpGet":{"path":"/healthz","port":"http","scheme":"HTTP"},"initialDelaySeconds":10,"timeoutSeconds":1,"periodSeconds":10,"successThreshold":1,"failureThreshold":3},"readinessProbe":{"httpGet":{"path":"/readyz","port":"http","scheme":"HTTP"},"timeoutSeconds":1,"periodSeconds":5,"successThreshold":1,"failureThreshold":3},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent","securityContext":{"capabilities":{"drop":["ALL"]},"runAsNonRoot":true,"readOnlyRootFilesystem":true,"allowPrivilegeEscalation":false}}`)
	}
	w.raw(`],"restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst","serviceAccountName":`)
	w.str(app)
	w.raw(`,"serviceAccount":`)
	w.str(app)
	w.raw(`,"securityContext":{"fsGroup":2000},"schedulerName":"default-scheduler","tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}],"priority":0,"enableServiceLinks":true,"preemptionPolicy":"PreemptLowerPriority"}`)
}
