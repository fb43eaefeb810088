package rest

import (
	"context"
	"errors"
	"io"
	"runtime"
	"slices"
	"sync"
)

// maxPooledBody is the largest buffer kept for reuse: one giant list should
// not pin its size in memory for the rest of the process.
const maxPooledBody = 64 << 20

// bodies holds the buffers of DoDecode between requests. It is not a
// sync.Pool: a pooled item waits in its processor's private slot, which
// other processors cannot take from, and the goroutine that sends the next
// request has often moved to another one by then; nor does it hold weak
// pointers, which a collection already under way when the buffer is
// returned may clear. Either way about one request in five missed in
// BenchmarkReadLargeBody on 2 cores. Like a sync.Pool, it lets a buffer go
// once it has stayed free through a whole garbage collection cycle, so
// back-to-back requests (pages of a list, a loop of Lists) share buffers
// and an idle client soon keeps none.
var bodies struct {
	mu       sync.Mutex
	free     []freeBody // most recently returned last
	watching bool       // a gcTick is waiting for the next collection
}

// freeBody is a buffer waiting for the next request.
type freeBody struct {
	p   *[]byte
	old bool // a collection has started since it was returned
}

// maxFreeBodies bounds how many buffers wait at once: about how many large
// requests a process has in flight.
const maxFreeBodies = 8

// gcTick is allocated and dropped to learn, from its cleanup, that a
// garbage collection has run. It holds a pointer so that it is never
// tiny-allocated, which would delay the cleanup.
type gcTick struct{ _ *byte }

// watchGC arranges for ageBodies to run after the next collection. Called
// with bodies.mu held.
func watchGC() {
	bodies.watching = true
	runtime.AddCleanup(&gcTick{}, func(struct{}) { ageBodies() }, struct{}{})
}

// ageBodies runs after each collection while buffers are free: it drops
// the buffers that were already free at the previous one.
func ageBodies() {
	bodies.mu.Lock()
	defer bodies.mu.Unlock()
	kept := bodies.free[:0]
	for _, b := range bodies.free {
		if !b.old {
			kept = append(kept, freeBody{p: b.p, old: true})
		}
	}
	clear(bodies.free[len(kept):])
	bodies.free = kept
	bodies.watching = false
	if len(kept) > 0 {
		watchGC()
	}
}

// getBody returns an empty buffer, reused when one is free, with room for
// sizeHint bytes and the EOF read when the hint is known and small enough
// to pool. With a hint, it takes the smallest free buffer with that room,
// or else the largest, which it replaces; without one, the largest: two
// requests in flight at once, a small and a large answer, then each get
// the buffer that fits them, rather than the small one taking the large
// answer's buffer and the large one growing or allocating another.
func getBody(sizeHint int64) *[]byte {
	var p *[]byte
	bodies.mu.Lock()
	if i := pickBody(sizeHint); i >= 0 {
		p = bodies.free[i].p
		bodies.free = slices.Delete(bodies.free, i, i+1)
	}
	bodies.mu.Unlock()
	if p == nil {
		p = new([]byte)
	}
	if sizeHint > 0 && sizeHint < maxPooledBody && int64(cap(*p)) < sizeHint+1 {
		*p = make([]byte, 0, sizeHint+1)
	}
	*p = (*p)[:0]
	return p
}

// pickBody returns the position of the free buffer getBody takes for
// sizeHint, -1 when none is free. Called with bodies.mu held.
func pickBody(sizeHint int64) int {
	fit, largest := -1, -1
	for i, b := range bodies.free {
		c := int64(cap(*b.p))
		if largest < 0 || c > int64(cap(*bodies.free[largest].p)) {
			largest = i
		}
		if sizeHint > 0 && c >= sizeHint+1 && (fit < 0 || c < int64(cap(*bodies.free[fit].p))) {
			fit = i
		}
	}
	if fit >= 0 {
		return fit
	}
	return largest
}

// putBody makes a buffer free for the next request unless it is too large
// to keep. When maxFreeBodies wait already, the oldest is dropped.
func putBody(p *[]byte) {
	if p == nil || cap(*p) > maxPooledBody {
		return
	}
	bodies.mu.Lock()
	defer bodies.mu.Unlock()
	if len(bodies.free) == maxFreeBodies {
		copy(bodies.free, bodies.free[1:])
		bodies.free[maxFreeBodies-1] = freeBody{}
		bodies.free = bodies.free[:maxFreeBodies-1]
	}
	bodies.free = append(bodies.free, freeBody{p: p})
	if !bodies.watching {
		watchGC()
	}
}

// errBodyTooLarge is readInto's report of a body past its limit; run turns
// it into an *ResponseTooLargeError naming the request.
var errBodyTooLarge = errors.New("response body larger than the limit")

// spillBlock is the size of the blocks readInto reads an unsized body into
// once it outgrows its buffer.
const spillBlock = 64 << 10

// spillBlocks keeps readInto's blocks between requests. A sync.Pool is
// enough here: a block is only scratch space, and a miss costs one block.
var spillBlocks = sync.Pool{New: func() any { return new([spillBlock]byte) }}

// readInto appends everything rd yields to buf. A buffer already large
// enough is filled in place, so a reused buffer does not grow again. A body
// that outgrows it (an unsized one: chunked, or gzipped) is read on into
// pooled blocks of spillBlock bytes and copied once, at the end, into a
// buffer of about its size: growing one buffer by doubling instead
// allocates two to four times the body (every size on the way, and up to
// twice the room), where a sized body costs its size. So is a body read
// without a buffer; a small buffer given still doubles up to spillBlock,
// which costs little. With a limit (0: none), no
// more than limit+1 bytes are read, and a body that reaches them fails with
// errBodyTooLarge: memory stays bounded however long the sender goes on.
func readInto(buf []byte, rd io.Reader, limit int64) ([]byte, error) {
	for {
		if len(buf) == readEnd(buf, limit) {
			if limit > 0 && int64(len(buf)) > limit {
				return buf, errBodyTooLarge
			}
			if cap(buf) == 0 || cap(buf) >= spillBlock {
				return spill(buf, rd, limit)
			}
			grow := max(512, cap(buf))
			if limit > 0 {
				grow = int(min(int64(grow), limit+1-int64(len(buf))))
			}
			buf = slices.Grow(buf, grow)
		}
		n, err := rd.Read(buf[len(buf):readEnd(buf, limit)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			if limit > 0 && int64(len(buf)) > limit {
				return buf, errBodyTooLarge
			}
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// spill reads the rest of rd, after the full buf, into pooled blocks, and
// returns buf's bytes and theirs in a new buffer of their size, with a
// sixty-fourth more room: reused for the next request, it is filled in
// place when the next answer is as large or a little larger (a list whose
// resource versions grew a digit), and it has the byte of room that lets
// the read see the end. A read error returns what was read with it; a body
// past the limit returns buf and errBodyTooLarge.
func spill(buf []byte, rd io.Reader, limit int64) ([]byte, error) {
	var blocks []*[spillBlock]byte
	defer func() {
		for _, b := range blocks {
			spillBlocks.Put(b)
		}
	}()
	total, fill := int64(len(buf)), spillBlock
	var err error
	for err == nil {
		if fill == spillBlock {
			blocks = append(blocks, spillBlocks.Get().(*[spillBlock]byte))
			fill = 0
		}
		room := spillBlock - fill
		if limit > 0 {
			room = int(min(int64(room), limit+1-total))
		}
		var n int
		n, err = rd.Read(blocks[len(blocks)-1][fill : fill+room])
		fill += n
		total += int64(n)
		if limit > 0 && total > limit {
			return buf, errBodyTooLarge
		}
	}
	out := make([]byte, 0, total+total>>6+1)
	out = append(out, buf...)
	for i, b := range blocks {
		if i == len(blocks)-1 {
			out = append(out, b[:fill]...)
		} else {
			out = append(out, b[:]...)
		}
	}
	if err == io.EOF {
		err = nil
	}
	return out, err
}

// readEnd is how far readInto may fill buf: its capacity, but no further
// than one byte past limit (0: none), even in a reused buffer larger than
// that.
func readEnd(buf []byte, limit int64) int {
	if limit > 0 && int64(cap(buf)) > limit+1 {
		return int(limit + 1)
	}
	return cap(buf)
}

// DoDecode sends the request like Do and, on a 2xx answer, calls decode
// with the body and the response's Content-Type. The body lives in a buffer
// reused by later requests once decode returns, which saves reading large
// lists into fresh memory every time: decode must not keep body or any
// slice of it (copy what it needs; internal/codec does). DoDecode returns
// the error Do's Result would hold (decode is not called then), else what
// decode returns, unchanged.
func (r *Request) DoDecode(ctx context.Context, decode func(body []byte, contentType string) error) error {
	res, _ := r.run(ctx, readPooled)
	if res.err != nil {
		return res.err
	}
	err := decode(res.body, res.ContentType())
	// Not deferred: after a panic in decode, the caller may still hold the
	// bytes, so the buffer is left to the garbage collector.
	putBody(res.pooled)
	return err
}

// DoDecodeResult is DoDecode for callers that also need the answer's status
// and headers (an ETag, a 304 to a conditional request): decode runs only on
// a 2xx answer, and the Result is returned either way, without its body.
// The error is the Result's own, else what decode returns.
func (r *Request) DoDecodeResult(ctx context.Context, decode func(body []byte, contentType string) error) (Result, error) {
	res, _ := r.run(ctx, readPooled)
	if res.err != nil {
		return res, res.err
	}
	err := decode(res.body, res.ContentType())
	putBody(res.pooled)
	res.body, res.pooled = nil, nil
	return res, err
}
