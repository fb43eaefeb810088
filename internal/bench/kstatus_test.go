package bench

import (
	"os"
	"testing"

	"sigs.k8s.io/cli-utils/pkg/kstatus/status"

	anystatus "github.com/anykube/anykube/unstructured/status"

	au "github.com/anykube/anykube/unstructured"
)

// TestStatusAgreesWithKstatus runs anykube's status.Compute and cli-utils'
// kstatus on every object of the status package's own test cases and
// requires the same status and reason, except where a case is annotated
// status.anykube.io/kstatus with the answer kstatus gives instead (a
// difference anykube makes on purpose, documented on Compute).
func TestStatusAgreesWithKstatus(t *testing.T) {
	f, err := os.Open("../../unstructured/status/testdata/cases.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	objs, err := au.ReadManifests(f, au.DecoderOptions{SourceName: "cases.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	agree, differ := 0, 0
	for _, u := range objs {
		t.Run(u.GetName(), func(t *testing.T) {
			ours, err := anystatus.Compute(u.DeepCopy())
			if err != nil {
				t.Fatalf("anykube: %v", err)
			}
			theirs, kerr := status.Compute(u.DeepCopy())
			if want, ok := u.GetAnnotations()["status.anykube.io/kstatus"]; ok {
				differ++
				switch {
				case want == "error" && kerr == nil:
					t.Errorf("kstatus gave %s, want an error (documented difference)", theirs.Status)
				case want != "error" && (kerr != nil || string(theirs.Status) != want):
					t.Errorf("kstatus gave %v (err %v), want %s (documented difference)", theirs, kerr, want)
				}
				t.Logf("deliberate difference: anykube %s, kstatus %s", ours.Status, want)
				return
			}
			if kerr != nil {
				t.Fatalf("kstatus: %v", kerr)
			}
			if string(ours.Status) != string(theirs.Status) {
				t.Errorf("status: anykube %s (%s), kstatus %s (%s)", ours.Status, ours.Message, theirs.Status, theirs.Message)
			}
			// kstatus carries its reason on the Reconciling or Stalled
			// condition it synthesises; Current and Terminating have none
			// there (anykube names the latter "Terminating").
			reason := ""
			if len(theirs.Conditions) > 0 {
				reason = theirs.Conditions[0].Reason
			}
			if ours.Reason != reason && ours.Status != anystatus.Terminating {
				t.Errorf("reason: anykube %q, kstatus %q", ours.Reason, reason)
			}
			if !t.Failed() {
				agree++
			}
		})
	}
	t.Logf("%d objects: %d agree with kstatus on status and reason, %d differ as documented", len(objs), agree, differ)
}
