package metadata

import "reflect"

// slab hands out pieces of larger allocations: the decoders take the small
// parts of every object's metadata (FieldsV1 bytes, managedFields entries,
// timestamps) from it, so that a list of thousands of objects costs a few
// hundred allocations for them rather than several per object.
//
// Pieces are cut with their capacity equal to their length, so appending
// to one copies it rather than writing over its neighbour. The price is
// that any piece kept keeps its whole chunk, at most maxSlabBytes, alive.
// The zero value is ready; a slab is for one goroutine.
type slab[T any] struct {
	buf []T
}

// Chunks start at the first piece's size, so that decoding one object
// allocates about what it keeps, and double up to about maxSlabBytes.
const maxSlabBytes = 32 << 10

// take returns n zeroed elements of their own; for n == 0 an empty slice
// that is not nil, as decoding [] gives.
func (s *slab[T]) take(n int) []T {
	if n == 0 {
		return make([]T, 0) // allocates nothing
	}
	if cap(s.buf)-len(s.buf) < n {
		size := max(n, 2*cap(s.buf))
		if limit := maxSlabBytes / max(int(reflect.TypeFor[T]().Size()), 1); size > limit {
			size = limit
		}
		// A piece larger than a chunk gets an allocation of its own,
		// and the current chunk stays for the pieces after it.
		if n > size {
			return make([]T, n)
		}
		s.buf = make([]T, 0, size)
	}
	i := len(s.buf)
	s.buf = s.buf[:i+n]
	return s.buf[i : i+n : i+n]
}

// copy returns a copy of src of its own (empty, not nil, for an empty src).
func (s *slab[T]) copy(src []T) []T {
	dst := s.take(len(src))
	copy(dst, src)
	return dst
}
