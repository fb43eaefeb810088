package restmapper

import (
	"errors"
	"maps"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube/discovery"
)

// This file holds what the mappers know of the discovery they could not
// complete, and how a no-match answer reports it: a mapper maps what
// discovery returned, and a miss that a failure may explain says so.

// gaps is what a round of discovery could not answer. The zero value
// means it answered everything.
type gaps struct {
	// versions holds the group-versions whose discovery failed, nil when
	// none did.
	versions map[schema.GroupVersion]error
	// other is an error the client returned together with its results
	// that names no group-version: a group list that may lack groups, a
	// wrapper's or a cache's own error. What it left out is unknown, so
	// it is reported with every miss. nil when there was none.
	other error
}

// gapsOf sorts the error a DiscoveryInterface returned together with its
// results into the group-versions it names and the rest.
func gapsOf(err error) gaps {
	if err == nil {
		return gaps{}
	}
	// Only the error itself, or the parts of a joined error, are looked at
	// (not what they wrap): an *ErrGroupDiscoveryFailed wrapped in another
	// error with a message of its own may say more than its versions.
	parts := []error{err}
	if _, only := err.(*discovery.ErrGroupDiscoveryFailed); !only {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			parts = j.Unwrap()
		}
	}
	var g gaps
	var rest []error
	for _, e := range parts {
		f, ok := e.(*discovery.ErrGroupDiscoveryFailed)
		if !ok {
			rest = append(rest, e)
			continue
		}
		if g.versions == nil {
			g.versions = make(map[schema.GroupVersion]error, len(f.Groups))
		}
		maps.Copy(g.versions, f.Groups)
	}
	if len(rest) == 1 {
		g.other = rest[0]
	} else {
		g.other = errors.Join(rest...)
	}
	return g
}

// versionsFor returns the failed group-versions a question needing n
// depends on, or nil when there are none.
func (g gaps) versionsFor(n need) map[schema.GroupVersion]error {
	var out map[schema.GroupVersion]error
	for gv, err := range g.versions {
		if n.all || gv.Group == n.group {
			if out == nil {
				out = make(map[schema.GroupVersion]error)
			}
			out[gv] = err
		}
	}
	return out
}

// explain returns what may explain a question needing n finding no match:
// an *discovery.ErrGroupDiscoveryFailed naming the failed group-versions
// it depends on, the error naming none, both joined, or nil.
func (g gaps) explain(n need) error {
	var errs []error
	if failed := g.versionsFor(n); failed != nil {
		errs = append(errs, &discovery.ErrGroupDiscoveryFailed{Groups: failed})
	}
	if g.other != nil {
		errs = append(errs, g.other)
	}
	return errors.Join(errs...)
}

// withFailures adds to a no-match error the discovery failures that may
// explain it (cause, from gaps.explain), if any, so that errors.As finds
// an *discovery.ErrGroupDiscoveryFailed and errors.Is the client's own
// error; meta.IsNoMatchError still holds.
func withFailures(err, cause error) error {
	if err == nil || cause == nil || !meta.IsNoMatchError(err) {
		return err
	}
	return errors.Join(err, cause)
}
