// Package disk keeps discovery answers on disk, shared between processes
// and with kubectl, for a TTL (DefaultTTL, six hours, like kubectl).
//
// Within the TTL a new process answers from the files without a request.
// Past it, or after Invalidate, the entity tags stored with the last answer
// are sent as If-None-Match: when the server's discovery did not change,
// that costs two small requests (sent in parallel) and the parsed answer is
// kept; otherwise the new answer is fetched and written. A cache directory
// kubectl filled is read too (kubectl keeps no tags, so it is only used
// within its TTL). The TTL holds inside a long-lived process too: once the
// view a client holds in memory is past it, the next call revalidates it
// the same way.
//
// Files are replaced atomically (written aside and renamed), so processes
// sharing the directory never see a torn file; a file that cannot be
// parsed is ignored and rewritten, never an error. An answer that lists no
// group at all is returned but never written, and such a file is ignored:
// one bad answer must not be every later process's answer for the TTL.
// Files are created 0600 and directories 0700.
package disk

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"time"

	openapi_v2 "github.com/google/gnostic-models/openapiv2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/version"
	"k8s.io/klog/v2"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/discovery"
	"github.com/anykube/anykube/discovery/cached/memory"
)

// DefaultTTL is how long cached discovery is used without asking the
// server, as in kubectl.
const DefaultTTL = 6 * time.Hour

// CachedDiscoveryClient is a discovery.CachedDiscoveryInterface backed by
// memory and a cache directory: the memory cache (the embedded
// MemCacheClient, whose methods it has) answers repeated calls, and fills
// from the directory or, when that is missing, expired or invalidated, from
// the server. It is safe for concurrent use.
type CachedDiscoveryClient struct {
	*memory.MemCacheClient
}

var _ discovery.CachedDiscoveryInterface = (*CachedDiscoveryClient)(nil)

// NewCachedDiscoveryClientForConfig returns a disk-cached discovery client
// for the server cfg names, keeping its files in discoveryCacheDir (empty
// means kubectl's directory for cfg.Host, DefaultDiscoveryCacheDir) for ttl
// (zero means DefaultTTL).
// httpCacheDir is accepted for client-go's signature and ignored: the entity
// tags an HTTP cache would keep are stored with the discovery files. It
// returns an error when the discovery client cannot be built.
func NewCachedDiscoveryClientForConfig(cfg *anykube.Config, discoveryCacheDir, httpCacheDir string, ttl time.Duration) (*CachedDiscoveryClient, error) {
	d, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, err
	}
	if discoveryCacheDir == "" {
		if discoveryCacheDir, err = DefaultDiscoveryCacheDir(cfg.Host); err != nil {
			return nil, err
		}
	}
	return NewCachedDiscoveryClient(d, discoveryCacheDir, ttl), nil
}

// NewCachedDiscoveryClient returns a disk cache in dir, valid for ttl (zero
// means DefaultTTL), in front of delegate. An empty dir keeps nothing on
// disk, leaving a memory cache. Revalidation with entity tags
// needs a delegate that implements discovery.Revalidator, as
// *discovery.DiscoveryClient does; with another delegate an expired cache is
// fetched again in full. Nothing is read or written until the first call.
func NewCachedDiscoveryClient(delegate discovery.DiscoveryInterface, dir string, ttl time.Duration) *CachedDiscoveryClient {
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	src := &source{sourceState: &sourceState{delegate: delegate, dir: dir, ttl: ttl, ours: make(map[string]bool), fresh: true}}
	return &CachedDiscoveryClient{MemCacheClient: memory.NewMemCacheClient(src)}
}

// source is the memory cache's delegate: it answers from the directory
// when it can and from the server otherwise, and writes what it fetched.
type source struct {
	*sourceState
	ctx context.Context
}

type sourceState struct {
	delegate discovery.DiscoveryInterface
	dir      string
	ttl      time.Duration

	// mu guards the fields below; it is never held during I/O.
	mu sync.Mutex
	// last is the last snapshot this process read or wrote, and lastMod
	// the file's modification time then: while the file keeps that time,
	// last is used without parsing the file again.
	last    *snapshotDoc
	lastMod time.Time
	// invalidated makes files not written by this process since
	// Invalidate count as expired; ours lists those written.
	invalidated bool
	ours        map[string]bool
	// fresh is false once an answer came from a file this process did not
	// write or revalidate since the last Invalidate.
	fresh bool
	// validUntil is when the last whole view returned leaves the TTL: the
	// memory cache in front asks again after it (memory.Expiring).
	validUntil time.Time
}

var (
	_ discovery.AggregatedDiscoveryInterface = (*source)(nil)
	_ discovery.CachedDiscoveryInterface     = (*source)(nil)
	_ memory.Expiring                        = (*source)(nil)
)

// Expires implements memory.Expiring: a long-lived process revalidates
// once the view it holds is past the TTL, as a new process would.
func (s *source) Expires() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.validUntil
}

// validFrom records that the view returned was good at t (the file's
// modification time, or now when the server just vouched for it).
func (s *source) validFrom(t time.Time) {
	s.mu.Lock()
	s.validUntil = t.Add(s.ttl)
	s.mu.Unlock()
}

func (s *source) context() context.Context {
	if s.ctx == nil {
		return context.Background()
	}
	return s.ctx
}

func (s *source) WithContext(ctx context.Context) discovery.DiscoveryInterface {
	return &source{sourceState: s.sourceState, ctx: ctx}
}

func (s *source) WithLegacy() discovery.DiscoveryInterface { return s }

// RESTClient returns the delegate's REST client; requests sent through it
// bypass the cache.
func (s *source) RESTClient() *anykube.RESTClient { return s.delegate.RESTClient() }

func (s *source) Fresh() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fresh
}

func (s *source) Invalidate() {
	s.mu.Lock()
	s.invalidated = true
	s.ours = make(map[string]bool)
	s.fresh = true
	s.mu.Unlock()
	if cd, ok := s.delegate.(discovery.CachedDiscoveryInterface); ok {
		cd.Invalidate()
	}
}

func (s *source) ServerGroups() (*metav1.APIGroupList, error) {
	groups, _, _, err := s.GroupsAndMaybeResources()
	return groups, err
}

// GroupsAndMaybeResources returns the whole view, from the snapshot file,
// from kubectl's files, by revalidating the last snapshot, or from the
// server, in that order of preference. Every group-version of the result
// has a list or a failure.
func (s *source) GroupsAndMaybeResources() (*metav1.APIGroupList, map[schema.GroupVersion]*metav1.APIResourceList, map[schema.GroupVersion]error, error) {
	ctx := s.context()
	doc, expired := s.readSnapshot()
	if doc != nil && !expired {
		s.mu.Lock()
		mtime := s.lastMod
		s.mu.Unlock()
		s.validFrom(mtime)
		s.servedFromDisk(snapshotFile)
		return s.complete(ctx, doc)
	}
	if doc == nil {
		if doc = s.readKubectlLayout(); doc != nil {
			s.validFrom(s.modTime(groupsFile))
			s.servedFromDisk(groupsFile)
			return s.complete(ctx, doc)
		}
	}
	// doc is nil or expired: ask the server, conditionally when possible.
	view := s.delegate.WithContext(ctx)
	if rv, ok := view.(discovery.Revalidator); ok {
		var etags discovery.ETags
		if doc != nil {
			etags = doc.ETags
		}
		snap, notModified, err := rv.FetchSnapshot(etags)
		if err != nil {
			return nil, nil, nil, err
		}
		if notModified && doc != nil {
			s.touch(snapshotFile)
			s.validFrom(time.Now())
			return s.complete(ctx, doc)
		}
		if snap != nil {
			return s.store(ctx, snap.Groups, snap.Resources, snap.Failed, snap.ETags)
		}
	}
	var groups *metav1.APIGroupList
	var resources map[schema.GroupVersion]*metav1.APIResourceList
	var failed map[schema.GroupVersion]error
	var err error
	if ad, ok := view.(discovery.AggregatedDiscoveryInterface); ok {
		groups, resources, failed, err = ad.GroupsAndMaybeResources()
	} else {
		groups, err = view.ServerGroups()
	}
	if err != nil {
		return nil, nil, nil, err
	}
	return s.store(ctx, groups, resources, failed, discovery.ETags{})
}

// store fetches what the server's first answer left out (each
// group-version's list on legacy servers), writes everything, and returns
// it.
func (s *source) store(ctx context.Context, groups *metav1.APIGroupList, resources map[schema.GroupVersion]*metav1.APIResourceList, failed map[schema.GroupVersion]error, etags discovery.ETags) (*metav1.APIGroupList, map[schema.GroupVersion]*metav1.APIResourceList, map[schema.GroupVersion]error, error) {
	out := make(map[schema.GroupVersion]error, len(failed))
	for gv, err := range failed {
		out[gv] = err
	}
	if resources == nil {
		var fetchFailed map[schema.GroupVersion]error
		resources, fetchFailed = discovery.FetchResources(ctx, s.delegate, groupVersions(groups))
		if err := ctx.Err(); err != nil {
			return nil, nil, nil, err
		}
		for gv, err := range fetchFailed {
			out[gv] = err
		}
	}
	doc := &snapshotDoc{Kind: snapshotKind, ETags: etags, Groups: groups}
	for _, gv := range groupVersions(groups) {
		// A list that came with an error is returned but not written: a
		// file would vouch for it.
		if _, bad := out[gv]; bad {
			continue
		}
		if list, ok := resources[gv]; ok {
			doc.Resources = append(doc.Resources, list)
		}
	}
	for gv, err := range failed {
		var stale discovery.StaleGroupVersionError
		if errors.As(err, &stale) {
			doc.Stale = append(doc.Stale, gv.String())
		}
	}
	s.validFrom(time.Now())
	if usable(doc) {
		s.writeAll(doc)
	} else {
		klog.V(2).InfoS("Not caching a discovery answer that lists no group", "dir", s.dir)
	}
	return groups, resources, out, nil
}

// usable reports whether a view may be written or trusted from disk. A
// view without a single group (not even the core group, which every API
// server serves) comes from a server starting up or a broken proxy: kept,
// it would answer every process for the whole TTL with nothing, without an
// error or a request. client-go refuses to cache it too.
func usable(doc *snapshotDoc) bool {
	return doc.Groups != nil && len(doc.Groups.Groups) > 0
}

// complete turns a document read from disk into a result, asking for the
// lists it lacks (a group-version that failed when it was written, or a
// kubectl cache that skipped it).
func (s *source) complete(ctx context.Context, doc *snapshotDoc) (*metav1.APIGroupList, map[schema.GroupVersion]*metav1.APIResourceList, map[schema.GroupVersion]error, error) {
	resources := make(map[schema.GroupVersion]*metav1.APIResourceList, len(doc.Resources))
	for _, list := range doc.Resources {
		gv, err := schema.ParseGroupVersion(list.GroupVersion)
		if err != nil {
			continue
		}
		resources[gv] = list
	}
	failed := make(map[schema.GroupVersion]error)
	for _, v := range doc.Stale {
		if gv, err := schema.ParseGroupVersion(v); err == nil {
			failed[gv] = discovery.StaleGroupVersionError{GroupVersion: gv}
		}
	}
	var missing []schema.GroupVersion
	for _, gv := range groupVersions(doc.Groups) {
		if _, ok := resources[gv]; !ok {
			missing = append(missing, gv)
		}
	}
	if len(missing) > 0 {
		lists, fetchFailed := discovery.FetchResources(ctx, s, missing)
		if err := ctx.Err(); err != nil {
			return nil, nil, nil, err
		}
		for gv, list := range lists {
			resources[gv] = list
		}
		for gv, err := range fetchFailed {
			failed[gv] = err
		}
	}
	return doc.Groups, resources, failed, nil
}

// ServerResourcesForGroupVersion answers from the group-version's file
// when it is within the TTL, and from the server otherwise, writing the
// answer.
func (s *source) ServerResourcesForGroupVersion(groupVersion string) (*metav1.APIResourceList, error) {
	gv, err := schema.ParseGroupVersion(groupVersion)
	if err != nil {
		return nil, err
	}
	if path, ok := resourcesPath(s.dir, gv); ok {
		if data, ok := s.readFresh(path); ok {
			list := &metav1.APIResourceList{}
			if err := json.Unmarshal(data, list); err == nil && list.GroupVersion == gv.String() {
				s.servedFromDisk(path)
				return discovery.CompleteResourceList(list), nil
			}
		}
	}
	list, err := s.delegate.WithContext(s.context()).ServerResourcesForGroupVersion(groupVersion)
	if err != nil {
		return nil, err
	}
	s.writeList(list)
	return list, nil
}

func (s *source) ServerGroupsAndResources() ([]*metav1.APIGroup, []*metav1.APIResourceList, error) {
	return discovery.ServerGroupsAndResources(s.context(), s)
}

func (s *source) ServerPreferredResources() ([]*metav1.APIResourceList, error) {
	return discovery.ServerPreferredResources(s.context(), s)
}

func (s *source) ServerPreferredNamespacedResources() ([]*metav1.APIResourceList, error) {
	return discovery.ServerPreferredNamespacedResources(s.context(), s)
}

func (s *source) ServerVersion() (*version.Info, error) {
	return s.delegate.WithContext(s.context()).ServerVersion()
}

func (s *source) OpenAPISchema() (*openapi_v2.Document, error) {
	return s.delegate.WithContext(s.context()).OpenAPISchema()
}

func (s *source) OpenAPIV3() discovery.OpenAPIV3Client {
	return s.delegate.WithContext(s.context()).OpenAPIV3()
}

// readSnapshot returns the snapshot (the one in memory when this process
// has one, else the file's) and whether it is past the TTL or invalidated.
// An unreadable or corrupt file gives nil.
func (s *source) readSnapshot() (doc *snapshotDoc, expired bool) {
	if s.dir == "" {
		// Asked again without files: the memory cache in front expired or
		// was invalidated, so what this process last saw is revalidated.
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.last, s.last != nil
	}
	path := s.path(snapshotFile)
	s.mu.Lock()
	last, lastMod, invalidated, ours := s.last, s.lastMod, s.invalidated, s.ours[path]
	s.mu.Unlock()
	info, err := os.Stat(path)
	if err != nil {
		if last != nil {
			return last, true
		}
		return nil, false
	}
	// A view with stale versions is revalidated on every fill, as the
	// memory cache does: the server says when its backends are back.
	expired = time.Since(info.ModTime()) > s.ttl || invalidated && !ours
	if last != nil && info.ModTime().Equal(lastMod) {
		return last, expired || len(last.Stale) > 0
	}
	data, mtime, err := readFile(path)
	if err != nil {
		if last != nil {
			return last, true
		}
		return nil, false
	}
	doc = &snapshotDoc{}
	if err := decodeSnapshot(data, doc); err != nil || doc.Kind != snapshotKind || !usable(doc) {
		klog.V(3).InfoS("Ignoring a corrupt discovery cache file", "path", path, "err", err)
		if last != nil {
			return last, true
		}
		return nil, false
	}
	completeLists(doc.Resources)
	s.mu.Lock()
	s.last, s.lastMod = doc, mtime
	s.mu.Unlock()
	return doc, expired || len(doc.Stale) > 0
}

// modTime returns the modification time of the named file, now when it
// cannot be read.
func (s *source) modTime(name string) time.Time {
	info, err := os.Stat(s.path(name))
	if err != nil {
		return time.Now()
	}
	return info.ModTime()
}

// readKubectlLayout reads servergroups.json and the lists it names, all
// within the TTL; lists that are missing or expired are left for complete
// to fetch. It returns nil when the group file is missing, expired or
// corrupt.
func (s *source) readKubectlLayout() *snapshotDoc {
	data, ok := s.readFresh(s.path(groupsFile))
	if !ok {
		return nil
	}
	groups := &metav1.APIGroupList{}
	if err := json.Unmarshal(data, groups); err != nil || len(groups.Groups) == 0 {
		return nil
	}
	doc := &snapshotDoc{Kind: snapshotKind, Groups: groups}
	for _, gv := range groupVersions(groups) {
		path, ok := resourcesPath(s.dir, gv)
		if !ok {
			continue
		}
		data, ok := s.readFresh(path)
		if !ok {
			continue
		}
		list := &metav1.APIResourceList{}
		if err := json.Unmarshal(data, list); err == nil && list.GroupVersion == gv.String() {
			doc.Resources = append(doc.Resources, list)
		}
	}
	completeLists(doc.Resources)
	return doc
}

// readFresh returns a file's content when it exists, is within the TTL and
// is not invalidated.
func (s *source) readFresh(path string) ([]byte, bool) {
	if s.dir == "" {
		return nil, false
	}
	data, mtime, err := readFile(path)
	if err != nil || time.Since(mtime) > s.ttl {
		return nil, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.invalidated && !s.ours[path] {
		return nil, false
	}
	return data, true
}

func (s *source) path(name string) string { return filepath.Join(s.dir, name) }

// servedFromDisk records that an answer came from path, which makes the
// cache not fresh unless this process wrote or revalidated it.
func (s *source) servedFromDisk(path string) {
	if path == snapshotFile || path == groupsFile {
		path = s.path(path)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.ours[path] {
		s.fresh = false
	}
}

// touch marks a file as just validated by the server: its modification
// time restarts the TTL.
func (s *source) touch(name string) {
	if s.dir == "" {
		return
	}
	path := s.path(name)
	now := time.Now()
	if err := os.Chtimes(path, now, now); err != nil {
		klog.V(3).InfoS("Could not refresh a discovery cache file", "path", path, "err", err)
		return
	}
	s.mu.Lock()
	s.ours[path] = true
	s.mu.Unlock()
	s.noteModTime(path)
}

// writeAll writes the snapshot and kubectl's files. Write failures are
// logged, not returned: the cache is an optimisation, and the answer is
// good.
func (s *source) writeAll(doc *snapshotDoc) {
	s.mu.Lock()
	s.last = doc
	s.mu.Unlock()
	data, err := json.Marshal(doc)
	if err == nil {
		s.write(s.path(snapshotFile), data)
		s.noteModTime(s.path(snapshotFile))
	}
	groups := *doc.Groups
	groups.TypeMeta = metav1.TypeMeta{Kind: "APIGroupList", APIVersion: "v1"}
	if data, err := json.Marshal(&groups); err == nil {
		s.write(s.path(groupsFile), data)
	}
	for _, list := range doc.Resources {
		s.writeList(list)
	}
}

// noteModTime records the snapshot file's modification time after this
// process wrote or touched it, so that last is known to match it.
func (s *source) noteModTime(path string) {
	if s.dir == "" {
		return
	}
	info, err := os.Stat(path)
	if err != nil {
		return
	}
	s.mu.Lock()
	s.lastMod = info.ModTime()
	s.mu.Unlock()
}

func (s *source) writeList(list *metav1.APIResourceList) {
	gv, err := schema.ParseGroupVersion(list.GroupVersion)
	if err != nil {
		return
	}
	typed := *list
	typed.TypeMeta = metav1.TypeMeta{Kind: "APIResourceList", APIVersion: "v1"}
	path, ok := resourcesPath(s.dir, gv)
	if !ok {
		return
	}
	data, err := json.Marshal(&typed)
	if err != nil {
		return
	}
	s.write(path, data)
}

func (s *source) write(path string, data []byte) {
	if s.dir == "" {
		return
	}
	if err := writeFile(path, data); err != nil {
		klog.V(2).InfoS("Could not write a discovery cache file", "path", path, "err", err)
		return
	}
	s.mu.Lock()
	s.ours[path] = true
	s.mu.Unlock()
}

// completeLists gives lists read from files the shape discovery answers
// with on every path (see discovery.CompleteResourceList): kubectl's files
// and those of older anykube versions hold the legacy documents' shape.
// Files this version wrote are complete already and are not copied.
func completeLists(lists []*metav1.APIResourceList) {
	for i, l := range lists {
		lists[i] = discovery.CompleteResourceList(l)
	}
}

func groupVersions(groups *metav1.APIGroupList) []schema.GroupVersion {
	var out []schema.GroupVersion
	for _, g := range groups.Groups {
		for _, v := range g.Versions {
			out = append(out, schema.GroupVersion{Group: g.Name, Version: v.Version})
		}
	}
	return out
}
