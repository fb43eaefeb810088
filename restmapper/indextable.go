package restmapper

import (
	"hash/maphash"
	"math/bits"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// This file holds the index's two hash tables, from names and from
// group-kinds to their runs in the index's arrays. They are not Go maps: a
// map keyed by strings keeps each key's sixteen-byte header and rounds its
// room up to a power of two, so that on a server of many small groups the
// two maps were a third of the heap a loaded mapper keeps. These keep four
// bytes per key (a position in index.strs or index.gvs), in one slice with
// a fifth of spare room, searched by linear probing. They are filled while
// the index is built and only read after.

// tableSeed seeds the tables' hashes, once per process.
var tableSeed = maphash.MakeSeed()

// slotFor reduces a hash to a slot of a table of n slots.
func slotFor(h uint64, n int) int {
	hi, _ := bits.Mul64(h, uint64(n))
	return int(hi)
}

// roomFor is how many slots a table of n entries gets: a fifth more,
// at least one more.
func roomFor(n int) int {
	return n + n/4 + 1
}

// nameTable maps names to their nameSpans. A slot is empty when its id,
// the name's position in index.strs, is 0 (the empty string, which is
// never a key).
type nameTable struct {
	slots []nameSpans
	n     int
}

func newNameTable(n int) nameTable {
	return nameTable{slots: make([]nameSpans, roomFor(n))}
}

// find returns the spans of name, or false.
func (t *nameTable) find(strs []string, name string) (nameSpans, bool) {
	if p := t.at(strs, maphash.String(tableSeed, name), name); p != nil {
		return *p, true
	}
	return nameSpans{}, false
}

// findBytes is find for a name held in bytes, without making a string.
func (t *nameTable) findBytes(strs []string, name []byte) (nameSpans, bool) {
	if len(t.slots) == 0 {
		return nameSpans{}, false
	}
	for i := slotFor(maphash.Bytes(tableSeed, name), len(t.slots)); ; i = (i + 1) % len(t.slots) {
		s := &t.slots[i]
		if s.id == 0 {
			return nameSpans{}, false
		}
		if strs[s.id] == string(name) {
			return *s, true
		}
	}
}

// at returns the slot of name, whose hash is h, or nil.
func (t *nameTable) at(strs []string, h uint64, name string) *nameSpans {
	if len(t.slots) == 0 {
		return nil
	}
	for i := slotFor(h, len(t.slots)); ; i = (i + 1) % len(t.slots) {
		s := &t.slots[i]
		if s.id == 0 {
			return nil
		}
		if strs[s.id] == name {
			return s
		}
	}
}

// slot returns the slot of name, or nil; it stays valid until the next
// insertion.
func (t *nameTable) slot(strs []string, name string) *nameSpans {
	return t.at(strs, maphash.String(tableSeed, name), name)
}

// insert adds the name at position id in strs, which the table does not
// hold, and returns its slot, valid until the next insertion.
func (t *nameTable) insert(strs []string, id int32) *nameSpans {
	if t.n+1 > len(t.slots)*4/5 {
		t.grow(strs)
	}
	i := slotFor(maphash.String(tableSeed, strs[id]), len(t.slots))
	for t.slots[i].id != 0 {
		i = (i + 1) % len(t.slots)
	}
	t.n++
	t.slots[i] = nameSpans{id: id}
	return &t.slots[i]
}

// grow moves the entries to a table twice as large; the builder's estimate
// of the names was short.
func (t *nameTable) grow(strs []string) {
	old := t.slots
	t.slots = make([]nameSpans, roomFor(2*t.n+8))
	for _, s := range old {
		if s.id == 0 {
			continue
		}
		i := slotFor(maphash.String(tableSeed, strs[s.id]), len(t.slots))
		for t.slots[i].id != 0 {
			i = (i + 1) % len(t.slots)
		}
		t.slots[i] = s
	}
}

// kindSlot is one group-kind's run of kindEntries: the group as the
// position in index.gvs of one of its group-versions, the kind as its
// position in index.strs (0 when the slot is empty).
type kindSlot struct {
	gv, kind int32
	span
}

// kindTable maps group-kinds to their runs of kindEntries.
type kindTable struct {
	slots []kindSlot
	n     int
}

func newKindTable(n int) kindTable {
	return kindTable{slots: make([]kindSlot, roomFor(n))}
}

func hashKind(group, kind string) uint64 {
	return maphash.String(tableSeed, kind) ^ bits.RotateLeft64(maphash.String(tableSeed, group), 17)
}

// find returns the slot of group and kind, or nil.
func (t *kindTable) find(gvs []schema.GroupVersion, strs []string, group, kind string) *kindSlot {
	return t.at(gvs, strs, hashKind(group, kind), group, kind)
}

func (t *kindTable) at(gvs []schema.GroupVersion, strs []string, h uint64, group, kind string) *kindSlot {
	if len(t.slots) == 0 {
		return nil
	}
	for i := slotFor(h, len(t.slots)); ; i = (i + 1) % len(t.slots) {
		s := &t.slots[i]
		if s.kind == 0 {
			return nil
		}
		if strs[s.kind] == kind && gvs[s.gv].Group == group {
			return s
		}
	}
}

// get returns the slot of the kind at position kind in strs in the group
// of gvs[gv], adding it when it is missing. The slot is valid until the
// next addition.
func (t *kindTable) get(gvs []schema.GroupVersion, strs []string, gv, kind int32) *kindSlot {
	group, k := gvs[gv].Group, strs[kind]
	h := hashKind(group, k)
	if p := t.at(gvs, strs, h, group, k); p != nil {
		return p
	}
	if t.n+1 > len(t.slots)*4/5 {
		t.grow(gvs, strs)
	}
	i := slotFor(h, len(t.slots))
	for t.slots[i].kind != 0 {
		i = (i + 1) % len(t.slots)
	}
	t.n++
	t.slots[i] = kindSlot{gv: gv, kind: kind}
	return &t.slots[i]
}

// grow moves the entries to a table twice as large.
func (t *kindTable) grow(gvs []schema.GroupVersion, strs []string) {
	old := t.slots
	t.slots = make([]kindSlot, roomFor(2*t.n+8))
	for _, s := range old {
		if s.kind == 0 {
			continue
		}
		i := slotFor(hashKind(gvs[s.gv].Group, strs[s.kind]), len(t.slots))
		for t.slots[i].kind != 0 {
			i = (i + 1) % len(t.slots)
		}
		t.slots[i] = s
	}
}
