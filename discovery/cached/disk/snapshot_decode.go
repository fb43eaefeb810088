package disk

import (
	"encoding/json"
	"strings"
	"sync"
	"unicode/utf8"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/anykube/anykube/internal/codec/jsonscan"
)

// This file reads snapshotFile in one pass without reflection: on a warm
// start, decoding the snapshot with encoding/json was more than half the
// CPU, most of it growing slices and allocating the same verbs and kinds
// again for every resource.
//
// The fast path takes the files anykube writes. Anything it is not sure to
// decode exactly as encoding/json would (invalid UTF-8, a key given twice
// or in another case, a value of the wrong type, a syntax error) makes it
// give up, and the file is decoded with encoding/json, so results and
// errors are the same on every input. Equal strings and string lists are
// shared between resources; the results are read-only.

// decodeSnapshot decodes a snapshot file into doc as encoding/json's
// Unmarshal would, and returns its error when the file does not decode.
func decodeSnapshot(data []byte, doc *snapshotDoc) error {
	d := snapPool.Get().(*snapDecoder)
	ok := d.decode(data, doc)
	d.reset()
	snapPool.Put(d)
	if ok {
		return nil
	}
	*doc = snapshotDoc{}
	return json.Unmarshal(data, doc)
}

var snapPool = sync.Pool{New: func() any { return new(snapDecoder) }}

// snapDecoder holds one decode's scanner and scratch space for the arrays
// being decoded, reused between decodes. Every method returns false when
// the fast path gives up.
type snapDecoder struct {
	s jsonscan.Scanner

	groups    []metav1.APIGroup
	versions  []metav1.GroupVersionForDiscovery
	cidrs     []metav1.ServerAddressByClientCIDR
	lists     []*metav1.APIResourceList
	resources []metav1.APIResource
}

func (d *snapDecoder) reset() {
	d.s.Release()
	d.groups = jsonscan.ClearScratch(d.groups)
	d.versions = jsonscan.ClearScratch(d.versions)
	d.cidrs = jsonscan.ClearScratch(d.cidrs)
	d.lists = jsonscan.ClearScratch(d.lists)
	d.resources = jsonscan.ClearScratch(d.resources)
}

func (d *snapDecoder) decode(data []byte, doc *snapshotDoc) bool {
	d.s.Reset(data)
	if !d.s.Begin('{') {
		return false
	}
	return d.doc(doc) && d.s.End()
}

// fields tracks which keys of one object were seen: encoding/json merges a
// repeated key's value into the first, which the fast path does not
// reproduce.
type fields uint32

func (f *fields) see(i int) bool {
	if *f&(1<<i) != 0 {
		return false
	}
	*f |= 1 << i
	return true
}

// match returns the index of key in names, or -1 for a key encoding/json
// ignores too; it gives up (-2) on keys that encoding/json's
// case-insensitive matching could take for one of names.
func match(key []byte, names []string) int {
	for i, n := range names {
		if string(key) == n {
			return i
		}
	}
	for _, c := range key {
		if c >= utf8.RuneSelf {
			return -2 // encoding/json folds some non-ASCII letters to ASCII
		}
	}
	for _, n := range names {
		if strings.EqualFold(string(key), n) {
			return -2
		}
	}
	return -1
}

// object decodes an object whose known keys are names, calling field with
// the key's index for each of them and skipping the others.
func (d *snapDecoder) object(names []string, field func(i int) bool) bool {
	var seen fields
	return d.s.Object(func(key []byte) bool {
		switch i := match(key, names); i {
		case -1:
			return d.s.Skip()
		case -2:
			return false
		default:
			return seen.see(i) && field(i)
		}
	})
}

// decodeArray decodes an array of T into an exact-length slice through
// scratch; null makes dst nil and null elements are zero, as in
// encoding/json. elem decodes one non-null element.
func decodeArray[T any](s *jsonscan.Scanner, scratch *[]T, dst *[]T, elem func(*T) bool) bool {
	if s.Null() {
		*dst = nil
		return true
	}
	base := len(*scratch)
	ok := s.Array(func() bool {
		var v T
		if !s.Null() && !elem(&v) {
			return false
		}
		*scratch = append(*scratch, v)
		return true
	})
	if ok {
		*dst = append(make([]T, 0, len(*scratch)-base), (*scratch)[base:]...)
	}
	clear((*scratch)[base:])
	*scratch = (*scratch)[:base]
	return ok
}

var (
	docNames      = []string{"kind", "etags", "groups", "resources", "stale"}
	etagNames     = []string{"api", "apis"}
	groupListKeys = []string{"kind", "apiVersion", "groups"}
	groupNames    = []string{"kind", "apiVersion", "name", "versions", "preferredVersion", "serverAddressByClientCIDRs"}
	gvNames       = []string{"groupVersion", "version"}
	cidrNames     = []string{"clientCIDR", "serverAddress"}
	listNames     = []string{"kind", "apiVersion", "groupVersion", "resources"}
	resourceNames = []string{"name", "singularName", "namespaced", "group", "version", "kind", "verbs", "shortNames", "categories", "storageVersionHash"}
)

func (d *snapDecoder) doc(doc *snapshotDoc) bool {
	s := &d.s
	return d.object(docNames, func(i int) bool {
		switch i {
		case 0:
			return s.String(&doc.Kind)
		case 1:
			if s.Null() {
				return true
			}
			return d.object(etagNames, func(i int) bool {
				if i == 0 {
					return s.String(&doc.ETags.API)
				}
				return s.String(&doc.ETags.APIs)
			})
		case 2:
			if s.Null() {
				doc.Groups = nil
				return true
			}
			doc.Groups = new(metav1.APIGroupList)
			return d.groupList(doc.Groups)
		case 3:
			return decodeArray(s, &d.lists, &doc.Resources, func(l **metav1.APIResourceList) bool {
				*l = new(metav1.APIResourceList)
				return d.resourceList(*l)
			})
		default:
			return s.StringList(&doc.Stale)
		}
	})
}

func (d *snapDecoder) groupList(l *metav1.APIGroupList) bool {
	s := &d.s
	return d.object(groupListKeys, func(i int) bool {
		switch i {
		case 0:
			return s.String(&l.Kind)
		case 1:
			return s.String(&l.APIVersion)
		default:
			return decodeArray(s, &d.groups, &l.Groups, d.group)
		}
	})
}

func (d *snapDecoder) group(g *metav1.APIGroup) bool {
	s := &d.s
	return d.object(groupNames, func(i int) bool {
		switch i {
		case 0:
			return s.String(&g.Kind)
		case 1:
			return s.String(&g.APIVersion)
		case 2:
			return s.String(&g.Name)
		case 3:
			return decodeArray(s, &d.versions, &g.Versions, d.groupVersion)
		case 4:
			return s.Null() || d.groupVersion(&g.PreferredVersion)
		default:
			return decodeArray(s, &d.cidrs, &g.ServerAddressByClientCIDRs, func(c *metav1.ServerAddressByClientCIDR) bool {
				return d.object(cidrNames, func(i int) bool {
					if i == 0 {
						return s.String(&c.ClientCIDR)
					}
					return s.String(&c.ServerAddress)
				})
			})
		}
	})
}

func (d *snapDecoder) groupVersion(v *metav1.GroupVersionForDiscovery) bool {
	s := &d.s
	return d.object(gvNames, func(i int) bool {
		if i == 0 {
			return s.String(&v.GroupVersion)
		}
		return s.String(&v.Version)
	})
}

func (d *snapDecoder) resourceList(l *metav1.APIResourceList) bool {
	s := &d.s
	return d.object(listNames, func(i int) bool {
		switch i {
		case 0:
			return s.String(&l.Kind)
		case 1:
			return s.String(&l.APIVersion)
		case 2:
			return s.String(&l.GroupVersion)
		default:
			return decodeArray(s, &d.resources, &l.APIResources, d.resource)
		}
	})
}

func (d *snapDecoder) resource(r *metav1.APIResource) bool {
	s := &d.s
	return d.object(resourceNames, func(i int) bool {
		switch i {
		case 0:
			return s.String(&r.Name)
		case 1:
			return s.String(&r.SingularName)
		case 2:
			return s.Bool(&r.Namespaced)
		case 3:
			return s.String(&r.Group)
		case 4:
			return s.String(&r.Version)
		case 5:
			return s.String(&r.Kind)
		case 6:
			var verbs []string
			if !s.StringList(&verbs) {
				return false
			}
			r.Verbs = verbs
			return true
		case 7:
			return s.StringList(&r.ShortNames)
		case 8:
			return s.StringList(&r.Categories)
		default:
			return s.String(&r.StorageVersionHash)
		}
	})
}
