package dynamic

import (
	"context"
	"errors"
	"iter"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// DefaultPageSize is the page size the list helpers use when
// ListOptions.Limit is zero: large enough that most lists are one request,
// small enough that a huge one never makes the server build a response of
// hundreds of megabytes.
const DefaultPageSize int64 = 500

// Pages returns an iterator over the pages of the list opts selects, each
// of at most opts.Limit items (DefaultPageSize when zero), following the
// continue tokens. The server serves every page from the snapshot the first
// page was read at, so the pages together are a consistent list. A non-empty
// opts.Continue resumes an earlier walk.
//
// A failure is yielded once, with a nil page, and ends the iteration. When
// the snapshot has expired midway (the server answers 410 Gone, reason
// Expired, typically after etcd compaction), that error is yielded: items
// already seen cannot be taken back, so the caller decides whether to start
// over. ListAll does so by itself.
func Pages(ctx context.Context, client Lister, opts metav1.ListOptions) iter.Seq2[*unstructured.UnstructuredList, error] {
	return func(yield func(*unstructured.UnstructuredList, error) bool) {
		if opts.Limit <= 0 {
			opts.Limit = DefaultPageSize
		}
		for {
			page, err := client.List(ctx, opts)
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(page, nil) {
				return
			}
			token := page.GetContinue()
			if token == "" {
				return
			}
			// The server refuses a version alongside a continue token:
			// the token carries it.
			opts.Continue = token
			opts.ResourceVersion = ""
			opts.ResourceVersionMatch = ""
		}
	}
}

// Items returns an iterator over every object opts selects, fetched in
// pages as Pages does. A failure is yielded once, with a nil object, and
// ends the iteration. The objects belong to the caller.
func Items(ctx context.Context, client Lister, opts metav1.ListOptions) iter.Seq2[*unstructured.Unstructured, error] {
	return func(yield func(*unstructured.Unstructured, error) bool) {
		for page, err := range Pages(ctx, client, opts) {
			if err != nil {
				yield(nil, err)
				return
			}
			for i := range page.Items {
				if !yield(&page.Items[i], nil) {
					return
				}
			}
		}
	}
}

// ListAll returns every object opts selects as one list, read in pages of
// opts.Limit (DefaultPageSize when zero) so that no single response is
// huge. All items are from one resourceVersion, which the list carries, as
// is its kind; it has no continue token. If the snapshot expires before the
// last page, ListAll falls back to one unpaged list, which is consistent by
// construction.
//
// It returns the first error of a page otherwise.
func ListAll(ctx context.Context, client Lister, opts metav1.ListOptions) (*unstructured.UnstructuredList, error) {
	var all *unstructured.UnstructuredList
	for page, err := range Pages(ctx, client, opts) {
		if err != nil {
			if all != nil && apierrors.IsResourceExpired(err) {
				opts.Limit, opts.Continue = 0, ""
				return client.List(ctx, opts)
			}
			return nil, err
		}
		if all == nil {
			all = page
			continue
		}
		all.Items = append(all.Items, page.Items...)
	}
	if all == nil {
		return nil, &Error{Verb: "list", Err: errors.New("the list returned no page")}
	}
	all.SetContinue("")
	all.SetRemainingItemCount(nil)
	return all, nil
}
