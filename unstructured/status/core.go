package status

import (
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// persistentVolumeClaim is Current once bound to a volume.
func persistentVolumeClaim(f *fields, _ *unstructured.Unstructured, _ time.Time) Result {
	if phase := f.str("status.phase", ""); phase != "Bound" {
		if phase == "" {
			phase = "unknown"
		}
		return inProgress("NotBound", "claim not bound, phase %s", phase)
	}
	return current("claim bound")
}

// service is InProgress only while a LoadBalancer Service has no cluster
// IP. Like kstatus it does not wait for status.loadBalancer.ingress: many
// clusters (kind, bare metal without a load-balancer controller) never fill
// it in, and a wait on them would never end.
func service(f *fields, _ *unstructured.Unstructured, _ time.Time) Result {
	if f.str("spec.type", "ClusterIP") == "LoadBalancer" && f.str("spec.clusterIP", "") == "" {
		return inProgress("NoIPAssigned", "load balancer service has no cluster IP yet")
	}
	return current("service ready")
}

// podDisruptionBudget is Current once the generic check has seen its
// observedGeneration catch up: the disruption controller then has computed
// the allowed disruptions, and it writes no condition that says more.
func podDisruptionBudget(_ *fields, _ *unstructured.Unstructured, _ time.Time) Result {
	return current("allowed disruptions computed")
}

// customResourceDefinition is Current once Established, so its resource is
// served; Failed when its names clash with another CRD's, or when it is not
// Established for any reason but still installing.
func customResourceDefinition(f *fields, _ *unstructured.Unstructured, _ time.Time) Result {
	conds := f.conditions()
	if c, ok := find(conds, "NamesAccepted"); ok && c.Status == "False" {
		return fromCondition(Failed, c)
	}
	if c, ok := find(conds, "Established"); ok {
		switch {
		case c.Status == "True":
			return current("established")
		case c.Status == "False" && c.Reason != "Installing":
			return fromCondition(Failed, c)
		}
	}
	return inProgress("Installing", "not yet established")
}
