package status

import (
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// job is Current once its Complete condition is True and Failed once its
// Failed condition is; in between it is InProgress. kstatus calls a started
// Job Current, which would end a wait for a Job before it has done its work.
func job(f *fields, _ *unstructured.Unstructured, _ time.Time) Result {
	parallelism := f.integer("spec.parallelism", 1)
	completions := f.integer("spec.completions", parallelism)
	succeeded := f.integer("status.succeeded", 0)
	active := f.integer("status.active", 0)
	failedPods := f.integer("status.failed", 0)
	for _, c := range f.conditions() {
		if c.Status != "True" {
			continue
		}
		switch c.Type {
		case "Complete":
			return current("job complete, %d of %d succeeded", succeeded, completions)
		case "Failed":
			r := failed("JobFailed", "job failed, %d pods failed", failedPods)
			if c.Message != "" {
				r.Message += ": " + c.Message
			}
			return r
		}
	}
	if !f.has("status.startTime") {
		return inProgress("JobNotStarted", "job not started")
	}
	return inProgress("JobRunning", "job running: %d succeeded, %d active, %d failed", succeeded, active, failedPods)
}
