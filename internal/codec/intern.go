package codec

import "encoding/binary"

// Interning: Kubernetes objects repeat the same few hundred keys ("metadata",
// "f:labels", "fieldsType") and many short values ("v1", "Update") in every
// item of a list. Looking them up in a small direct-mapped cache costs a hash
// and a compare, and saves the string allocation; for values it also saves
// boxing the string into an interface, because the cache keeps the boxed
// value. A collision simply replaces the slot, so the caches never grow and
// never need locking (each belongs to one pooled decodeState).

const (
	// maxInternLen bounds what is interned: longer strings (long
	// annotations, messages) rarely repeat, and hashing them would cost
	// more than it saves.
	maxInternLen = 64

	// The caches are two-way set associative with one LRU bit per set: a
	// string seen once (a uid, a timestamp) evicts the colder of two
	// entries, so the hot keys and values survive a stream of unique ones.
	keySets   = 2048
	valueSets = 2048
)

type keyCache struct {
	sets [keySets][2]string
	lru  [keySets]uint8 // which way to evict next
}

// get returns b as a string, shared with earlier calls for the same bytes
// while the cache still holds them.
func (c *keyCache) get(b []byte) string {
	if len(b) > maxInternLen {
		return string(b)
	}
	i := hashBytes(b) & (keySets - 1)
	set := &c.sets[i]
	if set[0] == string(b) {
		c.lru[i] = 1
		return set[0]
	}
	if set[1] == string(b) {
		c.lru[i] = 0
		return set[1]
	}
	str := string(b)
	w := c.lru[i]
	set[w] = str
	c.lru[i] = 1 - w
	return str
}

type valueEntry struct {
	s string
	v any // s boxed once, handed out many times
}

type valueCache struct {
	sets [valueSets][2]valueEntry
	lru  [valueSets]uint8
}

// get returns b as a boxed string.
func (c *valueCache) get(b []byte) any {
	if len(b) > maxInternLen {
		return string(b)
	}
	i := hashBytes(b) & (valueSets - 1)
	set := &c.sets[i]
	if set[0].v != nil && set[0].s == string(b) {
		c.lru[i] = 1
		return set[0].v
	}
	if set[1].v != nil && set[1].s == string(b) {
		c.lru[i] = 0
		return set[1].v
	}
	str := string(b)
	w := c.lru[i]
	set[w] = valueEntry{s: str, v: str}
	c.lru[i] = 1 - w
	return set[w].v
}

// hashBytes is a quick multiplicative hash for strings of at most
// maxInternLen bytes; quality only matters enough to spread the slots.
func hashBytes(b []byte) uint64 {
	n := len(b)
	h := uint64(n) * 0x9e3779b97f4a7c15
	if n >= 8 {
		for i := 0; i+8 < n; i += 8 {
			h = (h ^ binary.LittleEndian.Uint64(b[i:])) * 0xbf58476d1ce4e5b9
		}
		// The last eight bytes, overlapping what was already mixed when
		// the length is not a multiple of eight.
		h = (h ^ binary.LittleEndian.Uint64(b[n-8:])) * 0x94d049bb133111eb
	} else {
		var t uint64
		if n >= 4 {
			t = uint64(binary.LittleEndian.Uint32(b)) | uint64(binary.LittleEndian.Uint32(b[n-4:]))<<32
		} else {
			for i, c := range b {
				t |= uint64(c) << (8 * i)
			}
		}
		h = (h ^ t) * 0x94d049bb133111eb
	}
	return h ^ h>>29
}

const intSlots = 512

type intEntry struct {
	n int64
	v any
}

// intCache shares boxed integers: ports, modes and sizes repeat across
// items, and boxing each one would be an allocation. The runtime already
// shares boxes for 0..255.
type intCache struct {
	slots [intSlots]intEntry
}

func (c *intCache) get(n int64) any {
	if uint64(n) < 256 {
		return n
	}
	e := &c.slots[(uint64(n)*0x9e3779b97f4a7c15)>>55]
	if e.v != nil && e.n == n {
		return e.v
	}
	e.n = n
	e.v = n
	return e.v
}
