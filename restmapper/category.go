package restmapper

import (
	"context"
	"slices"
	"sync/atomic"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube/discovery"
)

// CategoryExpander maps a category ("all", or one a CRD declares) to the
// resources in it.
type CategoryExpander interface {
	// Expand returns the resources in category and whether the category
	// is known.
	Expand(category string) ([]schema.GroupResource, bool)
}

// SimpleCategoryExpander expands categories from a fixed table.
type SimpleCategoryExpander struct {
	// Expansions maps a category to its resources; nil knows no category.
	Expansions map[string][]schema.GroupResource
}

// Expand returns the table's entry for category.
func (e SimpleCategoryExpander) Expand(category string) ([]schema.GroupResource, bool) {
	r, ok := e.Expansions[category]
	return r, ok
}

// UnionCategoryExpander expands a category with each of its expanders and
// merges the results, in order and without repeats. A category is known
// when any expander knows it.
type UnionCategoryExpander []CategoryExpander

// Expand returns the union of the expansions of category.
func (u UnionCategoryExpander) Expand(category string) ([]schema.GroupResource, bool) {
	var out []schema.GroupResource
	known := false
	for _, e := range u {
		if e == nil {
			continue
		}
		rs, ok := e.Expand(category)
		known = known || ok
		for _, r := range rs {
			if !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
	}
	return out, known
}

// DiscoveryCategoryExpander expands categories from the categories
// resources declare in discovery. Build one with
// NewDiscoveryCategoryExpander.
type DiscoveryCategoryExpander struct {
	client discovery.DiscoveryInterface
	table  atomic.Pointer[categoryTable]
}

type categoryTable struct {
	lists      []*metav1.APIResourceList
	categories map[string][]schema.GroupResource
}

// NewDiscoveryCategoryExpander returns an expander reading categories from
// client on every call; give it a cached client (discovery/cached/memory).
// Its table is rebuilt only when the client's answer changes.
func NewDiscoveryCategoryExpander(client discovery.DiscoveryInterface) *DiscoveryCategoryExpander {
	return &DiscoveryCategoryExpander{client: client}
}

// Expand returns the resources declaring category, in discovery order (the
// core group first), each group and resource once however many versions
// serve it. It returns false when no resource declares the category, and
// when discovery returns nothing (a nil client, a failed request); a
// partial answer is used.
func (e *DiscoveryCategoryExpander) Expand(category string) ([]schema.GroupResource, bool) {
	return e.ExpandWithContext(context.Background(), category)
}

// ExpandWithContext is Expand asking discovery under ctx.
func (e *DiscoveryCategoryExpander) ExpandWithContext(ctx context.Context, category string) ([]schema.GroupResource, bool) {
	if e.client == nil {
		return nil, false
	}
	_, lists, _ := e.client.WithContext(ctx).ServerGroupsAndResources()
	t := e.table.Load()
	if t == nil || !slices.Equal(t.lists, lists) {
		t = newCategoryTable(lists)
		e.table.Store(t)
	}
	rs, ok := t.categories[category]
	return slices.Clone(rs), ok
}

func newCategoryTable(lists []*metav1.APIResourceList) *categoryTable {
	t := &categoryTable{lists: lists, categories: map[string][]schema.GroupResource{}}
	type entry struct {
		category string
		gr       schema.GroupResource
	}
	seen := map[entry]bool{}
	for _, l := range lists {
		if l == nil {
			continue
		}
		gv, err := schema.ParseGroupVersion(l.GroupVersion)
		if err != nil {
			continue
		}
		for _, r := range l.APIResources {
			gr := schema.GroupResource{Group: gv.Group, Resource: r.Name}
			for _, c := range r.Categories {
				if !seen[entry{c, gr}] {
					seen[entry{c, gr}] = true
					t.categories[c] = append(t.categories[c], gr)
				}
			}
		}
	}
	return t
}
