package codectest

import (
	"fmt"
	"strconv"
)

// MetadataShape names the kind of metadata the items of a MetadataList
// carry, so that a decoder is measured on each of the shapes real clusters
// have rather than on one.
type MetadataShape string

// The shapes MetadataList generates.
const (
	// MetadataTypical is ConfigMapList's metadata: five labels, two or
	// three annotations, one or two managedFields entries.
	MetadataTypical MetadataShape = "typical"
	// MetadataSmall is a minimal object, as kubectl create leaves it: one
	// label, no annotations, one small managedFields entry.
	MetadataSmall MetadataShape = "small"
	// MetadataManyLabels has 24 labels and 12 annotations, one of them
	// kubectl's last-applied-configuration (a JSON document in a string,
	// full of escapes), an owner reference and a finalizer.
	MetadataManyLabels MetadataShape = "many-labels"
	// MetadataLargeManagedFields has six managedFields entries of a dozen
	// Deployment spec fields each, status and scale subresources among
	// them: about 5 KB an object, so that 10,000 stay under the request
	// layer's largest pooled body (64 MiB).
	MetadataLargeManagedFields MetadataShape = "large-managedfields"
	// MetadataNoManagedFields is MetadataTypical without managedFields.
	MetadataNoManagedFields MetadataShape = "no-managedfields"
)

// MetadataShapes lists every MetadataShape, MetadataTypical first.
var MetadataShapes = []MetadataShape{MetadataTypical, MetadataSmall, MetadataManyLabels, MetadataLargeManagedFields, MetadataNoManagedFields}

// MetadataList returns a PartialObjectMetadataList of n ConfigMaps' metadata
// of the given shape, as kube-apiserver answers a list asked for with
// "as=PartialObjectMetadataList;g=meta.k8s.io;v=v1". An unknown shape
// panics: it is a mistake in a test.
func MetadataList(n int, shape MetadataShape) []byte {
	g := newGen(5, Shape{})
	return list("PartialObjectMetadataList", "meta.k8s.io/v1", 600000+n, n, func(w *writer, i int) {
		const kind = `"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1",`
		switch shape {
		case MetadataTypical, MetadataNoManagedFields:
			g.configMapMeta(w, i, false, shape == MetadataTypical)
			// configMapMeta leaves out the view's kind: put the
			// object's fields after it instead.
			w.raw(`,` + kind[:len(kind)-1] + "}")
		case MetadataSmall:
			w.raw("{" + kind)
			g.smallMeta(w, i)
			w.raw("}")
		case MetadataManyLabels:
			w.raw("{" + kind)
			g.labelledMeta(w, i)
			w.raw("}")
		case MetadataLargeManagedFields:
			w.raw("{" + kind)
			g.managedMeta(w, i)
			w.raw("}")
		default:
			panic(fmt.Sprintf("codectest: unknown metadata shape %q", shape))
		}
	})
}

// head writes the start of an ObjectMeta: name to creationTimestamp, and
// returns the creation time.
func (g *gen) head(w *writer, name, ns string) string {
	g.ids(w, name, ns)
	w.raw(",")
	created := g.time()
	w.field("creationTimestamp", created)
	return created
}

// entry writes one managedFields entry; fields writes the fieldsV1 object.
func (w *writer) entry(manager, op, at, sub string, fields func()) {
	w.raw(`{"manager":`)
	w.str(manager)
	w.raw(`,"operation":`)
	w.str(op)
	w.raw(`,"apiVersion":"v1","time":`)
	w.str(at)
	w.raw(`,"fieldsType":"FieldsV1","fieldsV1":`)
	fields()
	if sub != "" {
		w.raw(`,"subresource":`)
		w.str(sub)
	}
	w.raw("}")
}

func (g *gen) smallMeta(w *writer, i int) {
	app := g.pick(apps)
	created := g.head(w, fmt.Sprintf("%s-%05d", app, i), "default")
	w.raw(`,"labels":`)
	w.strMap("app", app)
	w.raw(`,"managedFields":[`)
	w.entry("kubectl-create", "Update", created, "", func() {
		w.raw(`{"f:data":`)
		w.fields(true, "key")
		w.raw(`,"f:metadata":{"f:labels":`)
		w.fields(true, "app")
		w.raw("}}")
	})
	w.raw("]}")
}

func (g *gen) labelledMeta(w *writer, i int) {
	team := g.pick(teams)
	app := g.pick(apps)
	name := fmt.Sprintf("%s-%s-config-%05d", team, app, i)
	created := g.head(w, name, team)
	var labels, annotations []string
	labels = append(labels,
		"app.kubernetes.io/name", app,
		"app.kubernetes.io/instance", team+"-"+app,
		"app.kubernetes.io/part-of", team,
		"app.kubernetes.io/managed-by", "kustomize",
		"app.kubernetes.io/version", "1."+strconv.Itoa(g.r.IntN(40)),
		"app.kubernetes.io/component", g.pick(tiers))
	for k := range 18 {
		labels = append(labels, fmt.Sprintf("example.com/%s-%02d", g.pick([]string{"team", "cost-center", "region", "feature"}), k), g.pick(apps)+"-"+strconv.Itoa(g.r.IntN(100)))
	}
	lastApplied := fmt.Sprintf(`{"apiVersion":"v1","data":{"config.yaml":"server:\n  port: %d\n"},"kind":"ConfigMap","metadata":{"annotations":{"owner":"%s"},"labels":{"app.kubernetes.io/name":"%s","app.kubernetes.io/part-of":"%s"},"name":"%s","namespace":"%s"}}`+"\n", 8000+g.r.IntN(1000), team, app, team, name, team)
	annotations = append(annotations,
		"kubectl.kubernetes.io/last-applied-configuration", lastApplied,
		"owner", team,
		"description", "Konfiguration für "+app+" — Zürich ☁️",
		"example.com/runbook", "https://runbooks.example.com/"+team+"/"+app,
		"example.com/checksum", fmt.Sprintf("sha256:%016x%016x", g.r.Uint64(), g.r.Uint64()))
	for k := range 7 {
		annotations = append(annotations, fmt.Sprintf("example.com/note-%d", k), g.pick(apps)+" "+g.pick(teams))
	}
	w.raw(`,"labels":`)
	w.strMap(labels...)
	w.raw(`,"annotations":`)
	w.strMap(annotations...)
	w.raw(`,"ownerReferences":[{"apiVersion":"example.com/v1","kind":"App","name":`)
	w.str(team + "-" + app)
	w.raw(`,"uid":`)
	w.str(g.uid())
	w.raw(`,"controller":true,"blockOwnerDeletion":true}],"finalizers":["example.com/cleanup"],"managedFields":[`)
	w.entry("kubectl-client-side-apply", "Update", created, "", func() {
		keys := func(kv []string) []string {
			var out []string
			for i := 0; i < len(kv); i += 2 {
				out = append(out, kv[i])
			}
			return out
		}
		w.raw(`{"f:data":`)
		w.fields(true, "config.yaml")
		w.raw(`,"f:metadata":{"f:annotations":`)
		w.fields(true, keys(annotations)...)
		w.raw(`,"f:finalizers":{".":{},"v:\"example.com/cleanup\"":{}},"f:labels":`)
		w.fields(true, keys(labels)...)
		w.raw(`,"f:ownerReferences":{".":{},"k:{\"uid\":\"0\"}":{}}}}`)
	})
	w.raw("]}")
}

// deploymentFields are the fields a Deployment's managers own, by manager.
var deploymentFields = []string{"f:progressDeadlineSeconds", "f:replicas", "f:revisionHistoryLimit", "f:selector", "f:strategy", "f:template", "f:containers", "f:image", "f:imagePullPolicy", "f:ports", "f:resources", "f:limits", "f:requests", "f:env", "f:volumeMounts", "f:livenessProbe", "f:readinessProbe", "f:securityContext", "f:dnsPolicy", "f:restartPolicy", "f:schedulerName", "f:terminationGracePeriodSeconds", "f:volumes", "f:affinity", "f:tolerations"}

func (g *gen) managedMeta(w *writer, i int) {
	team := g.pick(teams)
	app := g.pick(apps)
	created := g.head(w, fmt.Sprintf("%s-%s-%05d", team, app, i), team)
	w.raw(`,"generation":`)
	w.raw(strconv.Itoa(1 + g.r.IntN(50)))
	w.raw(`,"labels":`)
	w.strMap("app.kubernetes.io/name", app, "app.kubernetes.io/part-of", team, "app.kubernetes.io/managed-by", "argocd", "tier", g.pick(tiers), "team", team)
	w.raw(`,"annotations":`)
	w.strMap("deployment.kubernetes.io/revision", strconv.Itoa(1+g.r.IntN(30)), "argocd.argoproj.io/tracking-id", team+":apps/Deployment:"+team+"/"+app)
	w.raw(`,"managedFields":[`)
	managers := []struct{ name, op, sub string }{
		{"argocd-controller", "Apply", ""},
		{"kubectl-client-side-apply", "Update", ""},
		{"kube-controller-manager", "Update", "status"},
		{"kubectl", "Update", "scale"},
		{"helm", "Update", ""},
		{"vpa-recommender", "Update", ""},
	}
	for m, mg := range managers {
		if m > 0 {
			w.raw(",")
		}
		at := created
		if m > 0 {
			at = g.time()
		}
		w.entry(mg.name, mg.op, at, mg.sub, func() {
			w.raw(`{"f:metadata":{"f:annotations":{".":{},"f:deployment.kubernetes.io/revision":{}},"f:labels":`)
			w.fields(true, "app.kubernetes.io/name", "app.kubernetes.io/part-of", "tier", "team")
			w.raw(`},"f:spec":{`)
			for k, f := range deploymentFields[2*m : 2*m+12] {
				if k > 0 {
					w.raw(",")
				}
				w.key(f)
				if k%4 == 0 {
					w.raw(`{".":{},"k:{\"name\":\"`)
					w.raw(app)
					w.raw(`\"}":{".":{},"f:name":{},"f:value":{}}}`)
				} else {
					w.raw("{}")
				}
			}
			w.raw("}}")
		})
	}
	w.raw("]}")
}
