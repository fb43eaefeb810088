package restmapper

import (
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// This file answers meta.RESTMapper's questions from an index, with the
// results client-go's discovery mapper (a meta.PriorityRESTMapper over a
// meta.MultiRESTMapper of one meta.DefaultRESTMapper per group-version)
// gives, except that lists come in priority order where client-go gives
// discovery order (the same order for any real server, which lists the core
// group first and each group's preferred version first).
//
// What the composition implies, and the code below relies on:
//   - A partial resource with a group matches every group that starts with
//     it ("deployments.app" matches apps and apps.example.com): each
//     per-version mapper prefers an exact group, but holds one group only.
//   - Among matches in several group-versions, the one with the best
//     priority wins; the result is ambiguous only when that group-version
//     itself holds several matches.
//   - A hit returns a value from the index, so it allocates nothing.

// partial is a coerced partial resource: its name lower-cased and the
// internal version treated as no version, as apimachinery does.
type partial struct {
	group, version, resource string
}

func coerce(in schema.GroupVersionResource) partial {
	p := partial{group: in.Group, version: in.Version, resource: in.Resource}
	if p.version == runtime.APIVersionInternal {
		p.version = ""
	}
	return p
}

// matchesGV reports whether a match in gv satisfies p.
func (p partial) matchesGV(gv schema.GroupVersion) bool {
	group, version := gv.Group, gv.Version
	switch {
	case p.group != "" && p.version != "":
		return group == p.group && version == p.version
	case p.group != "":
		return strings.HasPrefix(group, p.group)
	case p.version != "":
		return version == p.version
	}
	return true
}

// exact reports whether p names one group-version, in which client-go
// returns at most one resource.
func (p partial) exact() bool { return p.group != "" && p.version != "" }

// lookupName returns the entry for name lower-cased, or false.
func (ix *index) lookupName(name string) (nameEntry, bool) {
	s, ok := ix.lookupSpans(name)
	if !ok {
		return nameEntry{}, false
	}
	return ix.entryAt(s), true
}

// lookupSpans finds name lower-cased. Lower-casing a name that has capitals
// goes through a buffer on the stack, which the table looks up without
// making a string.
func (ix *index) lookupSpans(name string) (nameSpans, bool) {
	upper := false
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 0x80 {
			return ix.names.find(ix.strs, strings.ToLower(name))
		}
		if 'A' <= c && c <= 'Z' {
			upper = true
		}
	}
	if !upper {
		return ix.names.find(ix.strs, name)
	}
	var buf [64]byte
	if len(name) > len(buf) {
		return ix.names.find(ix.strs, strings.ToLower(name))
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return ix.names.findBytes(ix.strs, buf[:len(name)])
}

// errResourceRequired is what client-go answers when the partial resource
// has no resource name; it is not a no-match error.
func errResourceRequired(in schema.GroupVersionResource) error {
	p := coerce(in)
	return fmt.Errorf("a resource must be present, got: %v",
		schema.GroupVersionResource{Group: p.group, Version: p.version, Resource: strings.ToLower(p.resource)})
}

// kindFor returns the best kind for in, or a *meta.NoResourceMatchError.
// A name names at most one kind per group-version (the index keeps one per
// name, as client-go's per-version maps do), so unlike resourceFor it is
// never ambiguous: the best group-version decides.
func (ix *index) kindFor(in schema.GroupVersionResource) (schema.GroupVersionKind, error) {
	if in.Resource == "" && len(ix.gvs) > 0 {
		return schema.GroupVersionKind{}, errResourceRequired(in)
	}
	p := coerce(in)
	if e, ok := ix.lookupName(p.resource); ok {
		for i := range e.kinds {
			if k := &e.kinds[i]; p.matchesGV(ix.gvs[k.gv]) {
				return ix.gvk(k), nil
			}
		}
	}
	return schema.GroupVersionKind{}, &meta.NoResourceMatchError{PartialResource: in}
}

// kindsFor returns every kind in matches, in priority order, or a
// *meta.NoResourceMatchError.
func (ix *index) kindsFor(in schema.GroupVersionResource) ([]schema.GroupVersionKind, error) {
	if in.Resource == "" && len(ix.gvs) > 0 {
		return nil, errResourceRequired(in)
	}
	p := coerce(in)
	var out []schema.GroupVersionKind
	if e, ok := ix.lookupName(p.resource); ok {
		for i := range e.kinds {
			if k := &e.kinds[i]; p.matchesGV(ix.gvs[k.gv]) {
				out = append(out, ix.gvk(k))
			}
		}
	}
	if len(out) == 0 {
		return nil, &meta.NoResourceMatchError{PartialResource: in}
	}
	return out, nil
}

// resourceFor returns the best plural resource for in. It fails with a
// *meta.NoResourceMatchError when nothing matches, and with a
// *meta.AmbiguousResourceError when the best group-version holds several.
func (ix *index) resourceFor(in schema.GroupVersionResource) (schema.GroupVersionResource, error) {
	if in.Resource == "" && len(ix.gvs) > 0 {
		return schema.GroupVersionResource{}, errResourceRequired(in)
	}
	p := coerce(in)
	if e, ok := ix.lookupName(p.resource); ok {
		for i := range e.resources {
			r := &e.resources[i]
			if !p.matchesGV(ix.gvs[r.gv]) {
				continue
			}
			if p.exact() {
				return ix.exactResource(e, i, p), nil
			}
			// Another entry of the same group-version matches as well.
			if i+1 < len(e.resources) && e.resources[i+1].gv == r.gv {
				all, _ := ix.resourcesFor(in)
				return schema.GroupVersionResource{}, &meta.AmbiguousResourceError{PartialResource: in, MatchingResources: all}
			}
			return ix.gvr(r), nil
		}
	}
	return schema.GroupVersionResource{}, &meta.NoResourceMatchError{PartialResource: in}
}

// exactResource picks the one resource a fully qualified partial names,
// starting at e.resources[i], the first in its group-version. When the name
// is one resource's plural and another's singular, client-go picks either
// at random; the plural wins here.
func (ix *index) exactResource(e nameEntry, i int, p partial) schema.GroupVersionResource {
	gv := e.resources[i].gv
	for j := i; j < len(e.resources) && e.resources[j].gv == gv; j++ {
		if ix.strs[e.resources[j].plural] == p.resource {
			return ix.gvr(&e.resources[j])
		}
	}
	return ix.gvr(&e.resources[i])
}

// resourcesFor returns every plural resource in matches, in priority order
// and by name within a group-version, or a *meta.NoResourceMatchError.
func (ix *index) resourcesFor(in schema.GroupVersionResource) ([]schema.GroupVersionResource, error) {
	if in.Resource == "" && len(ix.gvs) > 0 {
		return nil, errResourceRequired(in)
	}
	p := coerce(in)
	var out []schema.GroupVersionResource
	if e, ok := ix.lookupName(p.resource); ok {
		for i := range e.resources {
			r := &e.resources[i]
			if !p.matchesGV(ix.gvs[r.gv]) {
				continue
			}
			if p.exact() {
				out = append(out, ix.exactResource(e, i, p))
				break
			}
			out = append(out, ix.gvr(r))
		}
	}
	if len(out) == 0 {
		return nil, &meta.NoResourceMatchError{PartialResource: in}
	}
	return out, nil
}

// hasVersion reports whether versions holds a version that restricts a
// kind lookup; empty and internal versions do not.
func hasVersion(versions []string) bool {
	for _, v := range versions {
		if v != "" && v != runtime.APIVersionInternal {
			return true
		}
	}
	return false
}

// restMapping returns the mapping of gk in the first of versions that serves
// it, or in its best group-version when versions is empty. It fails with a
// *meta.NoKindMatchError.
func (ix *index) restMapping(gk schema.GroupKind, versions []string) (*meta.RESTMapping, error) {
	list := ix.kindList(gk)
	if !hasVersion(versions) {
		if len(list) > 0 {
			return ix.mappingOf(gk.Kind, &list[0]), nil
		}
		return nil, noKindMatch(gk, versions)
	}
	for _, v := range versions {
		for i := range list {
			if ix.gvs[list[i].gv].Version == v {
				return ix.mappingOf(gk.Kind, &list[i]), nil
			}
		}
	}
	return nil, noKindMatch(gk, versions)
}

// restMappings returns the mappings of gk in every group-version (in
// priority order), or in those of versions, or a *meta.NoKindMatchError.
func (ix *index) restMappings(gk schema.GroupKind, versions []string) ([]*meta.RESTMapping, error) {
	list := ix.kindList(gk)
	restrict := hasVersion(versions)
	var out []*meta.RESTMapping
	for i := range list {
		if !restrict || slices.Contains(versions, ix.gvs[list[i].gv].Version) {
			out = append(out, ix.mappingOf(gk.Kind, &list[i]))
		}
	}
	if len(out) == 0 {
		return nil, noKindMatch(gk, versions)
	}
	return out, nil
}

// noKindMatch copies versions so that they never escape to the heap on a
// hit: a caller's variadic arguments then stay on its stack.
func noKindMatch(gk schema.GroupKind, versions []string) error {
	return &meta.NoKindMatchError{GroupKind: gk, SearchedVersions: slices.Clone(versions)}
}

// resourceSingularizer returns the singular of resource in the first
// group-version, in priority order, where it names resources that agree on
// one singular. When none does it returns resource unchanged with the error
// the last group-version gave, as client-go does.
func (ix *index) resourceSingularizer(resource string) (string, error) {
	noMatch := func() error {
		return &meta.NoResourceMatchError{PartialResource: schema.GroupVersionResource{Resource: strings.ToLower(resource)}}
	}
	if len(ix.gvs) == 0 {
		return resource, noMatch()
	}
	if resource == "" {
		return resource, errResourceRequired(schema.GroupVersionResource{})
	}
	e, ok := ix.lookupName(resource)
	if !ok {
		return resource, noMatch()
	}
	var lastErr error
	lastGV := int32(-1)
	for i := 0; i < len(e.resources); {
		j := i
		for j < len(e.resources) && e.resources[j].gv == e.resources[i].gv {
			j++
		}
		singular, err := ix.singularOf(e.resources[i:j], resource)
		if err == nil {
			return singular, nil
		}
		lastErr, lastGV = err, e.resources[i].gv
		i = j
	}
	if int(lastGV) == len(ix.gvs)-1 {
		return resource, lastErr
	}
	return resource, noMatch()
}

// singularOf returns the one singular that the resources of one
// group-version have. The first non-empty singular sets it; any later one
// that differs, empty included, makes the name ambiguous, as in client-go.
func (ix *index) singularOf(rs []nameResource, resource string) (string, error) {
	singular := int32(0)
	for i := range rs {
		switch {
		case singular == 0:
			singular = rs[i].singular
		case rs[i].singular != singular:
			all := make([]schema.GroupVersionResource, len(rs))
			for k := range rs {
				all[k] = ix.gvr(&rs[k])
			}
			return "", fmt.Errorf("multiple possible singular resources (%v) found for %v", all, resource)
		}
	}
	if singular == 0 {
		return "", fmt.Errorf("no singular of resource %v has been defined", resource)
	}
	return ix.strs[singular], nil
}
