package discovery

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// ErrGroupDiscoveryFailed reports the group-versions whose resources could
// not be discovered. Discovery returns it together with everything that did
// answer, so one broken aggregated API (metrics.k8s.io with its backend down,
// say) never hides the rest: callers that can work with a partial view use
// the results and log the error; callers that cannot treat it as fatal.
type ErrGroupDiscoveryFailed struct {
	// Groups maps each failing group-version to why it failed: an
	// *apierrors.StatusError for an HTTP failure, a StaleGroupVersionError
	// for a version the server marked Stale, a context or network error.
	Groups map[schema.GroupVersion]error
}

// Error lists each failing group-version and its cause, sorted by
// group-version so that the message is stable.
func (e *ErrGroupDiscoveryFailed) Error() string {
	gvs := e.sortedGroupVersions()
	parts := make([]string, 0, len(gvs))
	for _, gv := range gvs {
		parts = append(parts, fmt.Sprintf("%s: %v", gv, e.Groups[gv]))
	}
	return "unable to retrieve the complete list of server APIs: " + strings.Join(parts, ", ")
}

// Unwrap returns the per-group-version causes, sorted by group-version, so
// that errors.Is and errors.As see through this error: errors.Is(err,
// context.DeadlineExceeded) tells whether a fetch timed out, and errors.As
// finds an *apierrors.StatusError or a StaleGroupVersionError.
func (e *ErrGroupDiscoveryFailed) Unwrap() []error {
	gvs := e.sortedGroupVersions()
	errs := make([]error, 0, len(gvs))
	for _, gv := range gvs {
		errs = append(errs, e.Groups[gv])
	}
	return errs
}

// Is makes errors.Is(err, &ErrGroupDiscoveryFailed{}) true for any
// ErrGroupDiscoveryFailed, whatever groups it names.
func (e *ErrGroupDiscoveryFailed) Is(target error) bool {
	_, ok := target.(*ErrGroupDiscoveryFailed)
	return ok
}

// Stale returns, sorted, the group-versions that failed because the server
// marked them Stale in aggregated discovery.
func (e *ErrGroupDiscoveryFailed) Stale() []schema.GroupVersion {
	var out []schema.GroupVersion
	for _, gv := range e.sortedGroupVersions() {
		var stale StaleGroupVersionError
		if errors.As(e.Groups[gv], &stale) {
			out = append(out, gv)
		}
	}
	return out
}

func (e *ErrGroupDiscoveryFailed) sortedGroupVersions() []schema.GroupVersion {
	gvs := make([]schema.GroupVersion, 0, len(e.Groups))
	for gv := range e.Groups {
		gvs = append(gvs, gv)
	}
	sort.Slice(gvs, func(i, j int) bool {
		if gvs[i].Group != gvs[j].Group {
			return gvs[i].Group < gvs[j].Group
		}
		return gvs[i].Version < gvs[j].Version
	})
	return gvs
}

// IsGroupDiscoveryFailedError reports whether err is, or wraps, an
// *ErrGroupDiscoveryFailed.
func IsGroupDiscoveryFailedError(err error) bool {
	var target *ErrGroupDiscoveryFailed
	return errors.As(err, &target)
}

// GroupDiscoveryFailedErrorGroups returns the failing group-versions of the
// *ErrGroupDiscoveryFailed that err is or wraps, and false when err is no
// such error.
func GroupDiscoveryFailedErrorGroups(err error) (map[schema.GroupVersion]error, bool) {
	var target *ErrGroupDiscoveryFailed
	if errors.As(err, &target) {
		return target.Groups, true
	}
	return nil, false
}

// StaleGroupVersionError says that the server marked a group-version Stale
// in aggregated discovery: it could not refresh the version's document,
// usually because the aggregated API server behind it is unavailable. The
// version is left out of discovery results.
type StaleGroupVersionError struct {
	GroupVersion schema.GroupVersion
}

// Error names the stale group-version.
func (e StaleGroupVersionError) Error() string {
	return fmt.Sprintf("stale GroupVersion discovery: %s", e.GroupVersion)
}

// newGroupDiscoveryFailed returns nil for an empty map, so callers can
// return its result directly as an error.
func newGroupDiscoveryFailed(failed map[schema.GroupVersion]error) error {
	if len(failed) == 0 {
		return nil
	}
	return &ErrGroupDiscoveryFailed{Groups: failed}
}

// partialError reports what a round of discovery missed: nil when nothing,
// the *ErrGroupDiscoveryFailed alone when only group-versions failed, and
// otherwise an error wrapping listErr, the error the group list came with,
// joined with the group-version failures if any. The group list's error is
// not folded into ErrGroupDiscoveryFailed: unlike a failed version, which
// stays listed in its group, a group missing from the list leaves no trace
// in the results.
func partialError(listErr error, failed map[schema.GroupVersion]error) error {
	versions := newGroupDiscoveryFailed(failed)
	if listErr == nil {
		return versions
	}
	err := fmt.Errorf("discovery: the group list may be incomplete: %w", listErr)
	if versions == nil {
		return err
	}
	return errors.Join(err, versions)
}
