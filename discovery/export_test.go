package discovery

// DecodeAggregated exposes the aggregated document decoder to the external
// tests, which need the generators that import this package.
var DecodeAggregated = decodeAggregated

// FastDecodeAggregated runs only the fast path; ok is false where it gives
// the document to the reflective decoder.
func FastDecodeAggregated(data []byte) (list APIGroupDiscoveryList, ok bool) {
	d := aggPool.Get().(*aggDecoder)
	ok = d.decode(data, &list)
	d.reset()
	aggPool.Put(d)
	return list, ok
}
