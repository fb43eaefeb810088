package jsonscan

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var skipCases = []string{
	`{}`, `[]`, `null`, `true`, `false`, `0`, `-0.5e+10`, `"a\"\\\/\b\f\n\r\t\u00e9"`,
	`{"a":[1,{"b":null}],"c":"d"}`, ` [ 1 , 2 ] `,
	``, `{`, `[1,]`, `{"a":1,}`, `01`, `1.`, `-`, `1e`, `tru`, `nul`, `"\q"`, `"\u12g4"`,
	"\"a\x01\"", `{"a" 1}`, `{1:2}`, `[1 2]`, `"abc`,
	strings.Repeat(`[`, 1001) + strings.Repeat(`]`, 1001),
}

// TestSkipAcceptsOnlyValid checks Skip never accepts what encoding/json
// rejects, and accepts the ordinary valid documents.
func TestSkipAcceptsOnlyValid(t *testing.T) {
	for _, c := range skipCases {
		var s Scanner
		s.Reset([]byte(c))
		ok := s.Skip() && s.End()
		if ok {
			assert.True(t, json.Valid([]byte(c)), "accepted invalid %q", c)
		} else if json.Valid([]byte(c)) && len(c) < 1000 {
			t.Errorf("rejected valid %q", c)
		}
	}
}

func FuzzSkip(f *testing.F) {
	for _, c := range skipCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var s Scanner
		s.Reset(data)
		if s.Skip() && s.End() && !json.Valid(data) {
			t.Fatalf("accepted invalid %q", data)
		}
	})
}

// TestFields decodes strings, booleans and string lists as encoding/json
// does, sharing equal lists and giving up on invalid UTF-8.
func TestFields(t *testing.T) {
	var s Scanner
	s.Reset([]byte(`{"a":"x","b":true,"c":["p","q"],"d":["p","q"],"e":null,"f":[],"g":[null]}`))
	var a string
	var b bool
	var c, d, e, f, g []string
	e = []string{"old"}
	require.True(t, s.Object(func(key []byte) bool {
		switch string(key) {
		case "a":
			return s.String(&a)
		case "b":
			return s.Bool(&b)
		case "c":
			return s.StringList(&c)
		case "d":
			return s.StringList(&d)
		case "e":
			return s.StringList(&e)
		case "f":
			return s.StringList(&f)
		case "g":
			return s.StringList(&g)
		}
		return s.Skip()
	}))
	require.True(t, s.End())
	assert.Equal(t, "x", a)
	assert.True(t, b)
	assert.Equal(t, []string{"p", "q"}, c)
	assert.Same(t, &c[0], &d[0])
	assert.Nil(t, e)
	assert.NotNil(t, f)
	assert.Empty(t, f)
	assert.Equal(t, []string{""}, g)
	s.Release()

	s.Reset([]byte("\"a\xffb\""))
	assert.False(t, s.String(&a), "invalid UTF-8 is left to encoding/json")
	s.Reset([]byte(`1`))
	assert.False(t, s.Bool(&b))
}

var stringCases = []string{
	`"plain"`, `"café \"q\" \\ \/ \b\f\n\r\t"`, `"\u00e9\u20AC"`, `"\ud83d\ude00"`,
	`"\ud83d"`, `"\ud83dx"`, `"\ud83d\u0041"`, `"\ude00\ud83d"`, `"\ud83d\ud83d\ude00"`,
	`"\u12"`, `"\u12g4"`, `"\x"`, `"\"`, `"a` + "\x01" + `"`, "\"\xe9\"", "\"\xc3\xa9\\n\"", "\"\\n\xff\"",
}

// TestStringLikeJSON checks String gives encoding/json's string, or gives
// up, on escapes, surrogates and invalid input.
func TestStringLikeJSON(t *testing.T) {
	for _, c := range stringCases {
		checkString(t, []byte(c))
	}
	// Escapes and surrogates are decoded, not left to encoding/json.
	for _, c := range stringCases[:9] {
		var s Scanner
		s.Reset([]byte(c))
		var got string
		require.True(t, s.String(&got), "gave up on %q", c)
	}
}

func checkString(t *testing.T, data []byte) {
	var want string
	wantErr := json.Unmarshal(data, &want)
	var s Scanner
	s.Reset(data)
	var got string
	if s.String(&got) && s.End() {
		require.NoError(t, wantErr, "accepted %q", data)
		require.Equal(t, want, got, "decoding %q", data)
	}
}

func FuzzString(f *testing.F) {
	for _, c := range stringCases {
		f.Add([]byte(c))
	}
	f.Fuzz(checkString)
}

// TestInt64 checks Int64 takes exactly the integers encoding/json decodes
// into an int64, with the same value, and gives up on the rest.
func TestInt64(t *testing.T) {
	for _, c := range []string{`0`, `-0`, `42`, `-42`, `123456789012345678`, `null`, `1.5`, `1e3`, `9223372036854775807`, `99999999999999999999`, `"1"`, `-`} {
		var s Scanner
		s.Reset([]byte(c))
		got := int64(7)
		ok := s.Int64(&got) && s.End()
		want := int64(7)
		err := json.Unmarshal([]byte(c), &want)
		if ok {
			require.NoError(t, err, c)
			assert.Equal(t, want, got, c)
		} else if err == nil {
			// Giving up on a valid integer is allowed only past 18 digits.
			assert.Greater(t, len(strings.TrimPrefix(c, "-")), 18, c)
		}
	}
}

// TestRaw checks Raw returns the value's bytes without surrounding space.
func TestRaw(t *testing.T) {
	var s Scanner
	s.Reset([]byte(`{"a": {"f:x" : {}} , "b":1}`))
	var raw []byte
	require.True(t, s.Object(func(key []byte) bool {
		if string(key) == "a" {
			var ok bool
			raw, ok = s.Raw()
			return ok
		}
		return s.Skip()
	}))
	assert.Equal(t, `{"f:x" : {}}`, string(raw))
}

// TestPlain8MatchesBytewise checks the eight-byte test against a look at
// each byte, for every byte value at every position among plain ones.
func TestPlain8MatchesBytewise(t *testing.T) {
	plain := func(c byte) bool { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\' }
	for pos := range 8 {
		for c := range 256 {
			w := []byte("abcdefgh")
			w[pos] = byte(c)
			want := true
			for _, b := range w {
				want = want && plain(b)
			}
			if got := plain8(binary.LittleEndian.Uint64(w)); got != want {
				t.Fatalf("byte %#x at %d: plain8 %v, want %v", c, pos, got, want)
			}
		}
	}
	// Neighbours that borrow: a special byte next to every other value.
	for c := range 256 {
		for _, sp := range []byte{'"', '\\', 0x1f, 0x00, 0x80} {
			w := []byte{byte(c), sp, 'a', 'a', 'a', 'a', 'a', byte(c)}
			if plain8(binary.LittleEndian.Uint64(w)) {
				t.Fatalf("%q: plain8 missed %#x", w, sp)
			}
		}
	}
}

// TestSkippable8MatchesBytewise is TestPlain8MatchesBytewise for the skip
// variant, which lets bytes of multi-byte characters through.
func TestSkippable8MatchesBytewise(t *testing.T) {
	plain := func(c byte) bool { return c >= 0x20 && c != '"' && c != '\\' }
	for pos := range 8 {
		for c := range 256 {
			for _, fill := range []byte{'a', 0xc3, 0xff} {
				w := bytes.Repeat([]byte{fill}, 8)
				w[pos] = byte(c)
				want := true
				for _, b := range w {
					want = want && plain(b)
				}
				if got := skippable8(binary.LittleEndian.Uint64(w)); got != want {
					t.Fatalf("%x: skippable8 %v, want %v", w, got, want)
				}
			}
		}
	}
}
