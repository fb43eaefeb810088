package restmappertest

import (
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/anykube/anykube/restmapper"
)

// builtinGroup describes one built-in API group of a Kubernetes 1.37 API
// server: its versions, preferred first, all serving the same resources.
type builtinGroup struct {
	name      string
	versions  []string
	resources []builtinResource
}

// builtinResource is a resource in the compact form the table below uses:
// "cluster" marks a cluster-scoped resource, subresources follow their
// parent's name after a slash, short names and categories are
// comma-separated.
type builtinResource struct {
	name, kind string
	cluster    bool
	short      string
	categories string
	subs       string
}

var builtinGroups = []builtinGroup{
	{"", []string{"v1"}, []builtinResource{
		{name: "bindings", kind: "Binding"},
		{name: "componentstatuses", kind: "ComponentStatus", cluster: true, short: "cs"},
		{name: "configmaps", kind: "ConfigMap", short: "cm"},
		{name: "endpoints", kind: "Endpoints", short: "ep"},
		{name: "events", kind: "Event", short: "ev"},
		{name: "limitranges", kind: "LimitRange", short: "limits"},
		{name: "namespaces", kind: "Namespace", cluster: true, short: "ns", subs: "finalize,status"},
		{name: "nodes", kind: "Node", cluster: true, short: "no", subs: "proxy,status"},
		{name: "persistentvolumeclaims", kind: "PersistentVolumeClaim", short: "pvc", subs: "status"},
		{name: "persistentvolumes", kind: "PersistentVolume", cluster: true, short: "pv", subs: "status"},
		{name: "pods", kind: "Pod", short: "po", categories: "all", subs: "attach,binding,ephemeralcontainers,eviction,exec,log,portforward,proxy,resize,status"},
		{name: "podtemplates", kind: "PodTemplate"},
		{name: "replicationcontrollers", kind: "ReplicationController", short: "rc", categories: "all", subs: "scale,status"},
		{name: "resourcequotas", kind: "ResourceQuota", short: "quota", subs: "status"},
		{name: "secrets", kind: "Secret"},
		{name: "serviceaccounts", kind: "ServiceAccount", short: "sa", subs: "token"},
		{name: "services", kind: "Service", short: "svc", categories: "all", subs: "proxy,status"},
	}},
	{"apiregistration.k8s.io", []string{"v1"}, []builtinResource{
		{name: "apiservices", kind: "APIService", cluster: true, categories: "api-extensions", subs: "status"},
	}},
	{"apps", []string{"v1"}, []builtinResource{
		{name: "controllerrevisions", kind: "ControllerRevision"},
		{name: "daemonsets", kind: "DaemonSet", short: "ds", categories: "all", subs: "status"},
		{name: "deployments", kind: "Deployment", short: "deploy", categories: "all", subs: "scale,status"},
		{name: "replicasets", kind: "ReplicaSet", short: "rs", categories: "all", subs: "scale,status"},
		{name: "statefulsets", kind: "StatefulSet", short: "sts", categories: "all", subs: "scale,status"},
	}},
	{"events.k8s.io", []string{"v1"}, []builtinResource{
		{name: "events", kind: "Event", short: "ev"},
	}},
	{"authentication.k8s.io", []string{"v1"}, []builtinResource{
		{name: "selfsubjectreviews", kind: "SelfSubjectReview", cluster: true},
		{name: "tokenreviews", kind: "TokenReview", cluster: true},
	}},
	{"authorization.k8s.io", []string{"v1"}, []builtinResource{
		{name: "localsubjectaccessreviews", kind: "LocalSubjectAccessReview"},
		{name: "selfsubjectaccessreviews", kind: "SelfSubjectAccessReview", cluster: true},
		{name: "selfsubjectrulesreviews", kind: "SelfSubjectRulesReview", cluster: true},
		{name: "subjectaccessreviews", kind: "SubjectAccessReview", cluster: true},
	}},
	{"autoscaling", []string{"v2", "v1"}, []builtinResource{
		{name: "horizontalpodautoscalers", kind: "HorizontalPodAutoscaler", short: "hpa", categories: "all", subs: "status"},
	}},
	{"batch", []string{"v1"}, []builtinResource{
		{name: "cronjobs", kind: "CronJob", short: "cj", categories: "all", subs: "status"},
		{name: "jobs", kind: "Job", categories: "all", subs: "status"},
	}},
	{"certificates.k8s.io", []string{"v1"}, []builtinResource{
		{name: "certificatesigningrequests", kind: "CertificateSigningRequest", cluster: true, short: "csr", subs: "approval,status"},
	}},
	{"networking.k8s.io", []string{"v1"}, []builtinResource{
		{name: "ingressclasses", kind: "IngressClass", cluster: true},
		{name: "ingresses", kind: "Ingress", short: "ing", subs: "status"},
		{name: "ipaddresses", kind: "IPAddress", cluster: true, short: "ip"},
		{name: "networkpolicies", kind: "NetworkPolicy", short: "netpol"},
		{name: "servicecidrs", kind: "ServiceCIDR", cluster: true, subs: "status"},
	}},
	{"policy", []string{"v1"}, []builtinResource{
		{name: "poddisruptionbudgets", kind: "PodDisruptionBudget", short: "pdb", subs: "status"},
	}},
	{"rbac.authorization.k8s.io", []string{"v1"}, []builtinResource{
		{name: "clusterrolebindings", kind: "ClusterRoleBinding", cluster: true},
		{name: "clusterroles", kind: "ClusterRole", cluster: true},
		{name: "rolebindings", kind: "RoleBinding"},
		{name: "roles", kind: "Role"},
	}},
	{"storage.k8s.io", []string{"v1"}, []builtinResource{
		{name: "csidrivers", kind: "CSIDriver", cluster: true},
		{name: "csinodes", kind: "CSINode", cluster: true},
		{name: "csistoragecapacities", kind: "CSIStorageCapacity"},
		{name: "storageclasses", kind: "StorageClass", cluster: true, short: "sc"},
		{name: "volumeattachments", kind: "VolumeAttachment", cluster: true, subs: "status"},
		{name: "volumeattributesclasses", kind: "VolumeAttributesClass", cluster: true, short: "vac"},
	}},
	{"admissionregistration.k8s.io", []string{"v1"}, []builtinResource{
		{name: "mutatingwebhookconfigurations", kind: "MutatingWebhookConfiguration", cluster: true, categories: "api-extensions"},
		{name: "validatingadmissionpolicies", kind: "ValidatingAdmissionPolicy", cluster: true, categories: "api-extensions", subs: "status"},
		{name: "validatingadmissionpolicybindings", kind: "ValidatingAdmissionPolicyBinding", cluster: true, categories: "api-extensions"},
		{name: "validatingwebhookconfigurations", kind: "ValidatingWebhookConfiguration", cluster: true, categories: "api-extensions"},
	}},
	{"apiextensions.k8s.io", []string{"v1"}, []builtinResource{
		{name: "customresourcedefinitions", kind: "CustomResourceDefinition", cluster: true, short: "crd,crds", categories: "api-extensions", subs: "status"},
	}},
	{"scheduling.k8s.io", []string{"v1"}, []builtinResource{
		{name: "priorityclasses", kind: "PriorityClass", cluster: true, short: "pc"},
	}},
	{"coordination.k8s.io", []string{"v1"}, []builtinResource{
		{name: "leases", kind: "Lease"},
	}},
	{"node.k8s.io", []string{"v1"}, []builtinResource{
		{name: "runtimeclasses", kind: "RuntimeClass", cluster: true},
	}},
	{"discovery.k8s.io", []string{"v1"}, []builtinResource{
		{name: "endpointslices", kind: "EndpointSlice"},
	}},
	{"flowcontrol.apiserver.k8s.io", []string{"v1"}, []builtinResource{
		{name: "flowschemas", kind: "FlowSchema", cluster: true, subs: "status"},
		{name: "prioritylevelconfigurations", kind: "PriorityLevelConfiguration", cluster: true, subs: "status"},
	}},
	{"resource.k8s.io", []string{"v1"}, []builtinResource{
		{name: "deviceclasses", kind: "DeviceClass", cluster: true},
		{name: "resourceclaims", kind: "ResourceClaim", subs: "status"},
		{name: "resourceclaimtemplates", kind: "ResourceClaimTemplate"},
		{name: "resourceslices", kind: "ResourceSlice", cluster: true},
	}},
}

// Builtin returns the built-in groups of a Kubernetes 1.37 API server with
// their resources, subresources, short names and categories, in the order
// the server lists them. Every call returns fresh values.
func Builtin() []*restmapper.APIGroupResources {
	out := make([]*restmapper.APIGroupResources, 0, len(builtinGroups))
	for _, g := range builtinGroups {
		var resources []metav1.APIResource
		for _, r := range g.resources {
			resources = append(resources, r.expand()...)
		}
		out = append(out, newGroup(g.name, g.versions, func(string) []metav1.APIResource {
			return cloneResources(resources)
		}))
	}
	return out
}

// BuiltinGroupVersions is the number of group-versions Builtin returns.
func BuiltinGroupVersions() int {
	n := 0
	for _, g := range builtinGroups {
		n += len(g.versions)
	}
	return n
}

func (r builtinResource) expand() []metav1.APIResource {
	verbs := metav1.Verbs{"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"}
	if strings.HasSuffix(r.kind, "Review") || r.kind == "Binding" {
		verbs = metav1.Verbs{"create"}
	}
	main := metav1.APIResource{
		Name:         r.name,
		SingularName: strings.ToLower(r.kind),
		Namespaced:   !r.cluster,
		Kind:         r.kind,
		Verbs:        verbs,
		ShortNames:   split(r.short),
		Categories:   split(r.categories),
	}
	out := []metav1.APIResource{main}
	for _, sub := range split(r.subs) {
		out = append(out, metav1.APIResource{
			Name:       r.name + "/" + sub,
			Namespaced: !r.cluster,
			Kind:       r.kind,
			Verbs:      metav1.Verbs{"get", "patch", "update"},
		})
	}
	return out
}

func split(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func newGroup(name string, versions []string, resources func(version string) []metav1.APIResource) *restmapper.APIGroupResources {
	g := &restmapper.APIGroupResources{
		Group:              metav1.APIGroup{Name: name},
		VersionedResources: make(map[string][]metav1.APIResource, len(versions)),
	}
	for _, v := range versions {
		gv := v
		if name != "" {
			gv = name + "/" + v
		}
		g.Group.Versions = append(g.Group.Versions, metav1.GroupVersionForDiscovery{GroupVersion: gv, Version: v})
		g.VersionedResources[v] = resources(v)
	}
	g.Group.PreferredVersion = g.Group.Versions[0]
	return g
}

func cloneResources(in []metav1.APIResource) []metav1.APIResource {
	out := make([]metav1.APIResource, len(in))
	copy(out, in)
	return out
}
