package anykube

import (
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
)

const modulePath = "github.com/anykube/anykube"

// DefaultUserAgent returns the User-Agent sent when Config.UserAgent is
// empty: the program's name, the platform and anykube's version, as in
// "mytool (linux/amd64) anykube/v0.3.0". The program name comes first so
// that API server audit logs tell tools apart.
func DefaultUserAgent() string {
	return defaultUserAgent()
}

var defaultUserAgent = sync.OnceValue(func() string {
	return programName() + " (" + runtime.GOOS + "/" + runtime.GOARCH + ") anykube/" + moduleVersion()
})

// programName is os.Args[0]'s base name reduced to characters that are safe
// in a header product token.
func programName() string {
	if len(os.Args) == 0 {
		return "unknown"
	}
	name := strings.Map(func(r rune) rune {
		if r > ' ' && r < 0x7f && !strings.ContainsRune(`()<>@,;:\"/[]?={}`, r) {
			return r
		}
		return -1
	}, filepath.Base(os.Args[0]))
	if name == "" || name == "." {
		return "unknown"
	}
	return name
}

// moduleVersion is anykube's module version as recorded in the binary, or
// "devel" when built from a work tree.
func moduleVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	v := ""
	if bi.Main.Path == modulePath {
		v = bi.Main.Version
	}
	for _, d := range bi.Deps {
		if d.Path == modulePath {
			v = d.Version
			if d.Replace != nil && d.Replace.Version != "" {
				v = d.Replace.Version
			}
		}
	}
	if v == "" || v == "(devel)" {
		return "devel"
	}
	return v
}
