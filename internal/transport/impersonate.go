package transport

import (
	"net/http"
	"sort"
	"strings"
)

// The headers the API server reads to impersonate a user.
const (
	headerImpersonateUser        = "Impersonate-User"
	headerImpersonateUID         = "Impersonate-Uid"
	headerImpersonateGroup       = "Impersonate-Group"
	headerImpersonateExtraPrefix = "Impersonate-Extra-"
)

// impersonationHeaders returns the headers for imp, or nil when UserName is
// empty (the server rejects groups or extras without a user).
func impersonationHeaders(imp *Impersonation) http.Header {
	if imp.UserName == "" {
		return nil
	}
	h := http.Header{}
	h.Set(headerImpersonateUser, imp.UserName)
	if imp.UID != "" {
		h.Set(headerImpersonateUID, imp.UID)
	}
	for _, g := range imp.Groups {
		h.Add(headerImpersonateGroup, g)
	}
	keys := make([]string, 0, len(imp.Extra))
	for k := range imp.Extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		name := headerImpersonateExtraPrefix + escapeExtraKey(k)
		for _, v := range imp.Extra[k] {
			h.Add(name, v)
		}
	}
	return h
}

// escapeExtraKey percent-encodes every byte of an extra key that may not
// appear in a header name, and '%' itself, because the server runs the part
// after the prefix through URL path unescaping: "example.com/scopes" travels
// as "example.com%2Fscopes".
func escapeExtraKey(key string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(key); i++ {
		c := key[i]
		if isTokenByte(c) && c != '%' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&0xf])
	}
	return b.String()
}

// isTokenByte reports whether c is a "tchar" of RFC 9110, the bytes allowed
// in a header name.
func isTokenByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}
