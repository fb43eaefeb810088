package dynamic

import (
	"context"
	"reflect"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/wait"
)

// DefaultRetry is the backoff for read-modify-write loops: five tries about
// ten milliseconds apart. Conflicts come from writers that just finished,
// so waiting longer rarely helps; more tries mean heavy contention worth
// reporting.
var DefaultRetry = wait.Backoff{
	Steps:    5,
	Duration: 10 * time.Millisecond,
	Factor:   1.0,
	Jitter:   0.1,
}

// RetryOnConflict calls fn until it returns nil or an error other than a
// Conflict (HTTP 409, apierrors.IsConflict), waiting as backoff says between
// tries. After backoff.Steps tries it returns fn's last error, still a
// Conflict. fn must read the object afresh on every call: retrying a write
// of the same stale copy can only conflict again.
func RetryOnConflict(backoff wait.Backoff, fn func() error) error {
	return retryOnConflict(context.Background(), backoff, fn)
}

func retryOnConflict(ctx context.Context, backoff wait.Backoff, fn func() error) error {
	for {
		err := fn()
		if err == nil || !apierrors.IsConflict(err) {
			return err
		}
		if backoff.Steps <= 1 {
			return err
		}
		d := backoff.Step()
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}

// UpdateWithRetry is the read-modify-write loop for one object: it gets the
// named object (with the given subresources), passes it to mutate, and
// writes the result with Update, starting over from a fresh Get when the
// Update hits a Conflict, as DefaultRetry allows. When mutate leaves the
// object unchanged, nothing is written and the object read is returned.
//
// It returns the updated object, or the first error that is not a
// Conflict: mutate's own error as is (nothing is written then), a Get or
// Update failure, or the last Conflict once the retries are spent. When ctx
// ends during a wait, the last Conflict is returned.
func UpdateWithRetry(ctx context.Context, client ResourceInterface, name string, mutate func(obj *unstructured.Unstructured) error, opts metav1.UpdateOptions, subresources ...string) (*unstructured.Unstructured, error) {
	var out *unstructured.Unstructured
	err := retryOnConflict(ctx, DefaultRetry, func() error {
		cur, err := client.Get(ctx, name, metav1.GetOptions{}, subresources...)
		if err != nil {
			return err
		}
		orig := cur.DeepCopy()
		if err := mutate(cur); err != nil {
			return err
		}
		if reflect.DeepEqual(orig.Object, cur.Object) {
			out = cur
			return nil
		}
		out, err = client.Update(ctx, cur, opts, subresources...)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
