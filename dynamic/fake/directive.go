package fake

import "strings"

// findDirective returns the first key starting with "$" in a strategic
// merge patch: a directive ("$patch", "$retainKeys", "$setElementOrder/...")
// that a plain merge patch cannot honour.
func findDirective(v any) string {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			if strings.HasPrefix(k, "$") {
				return k
			}
			if d := findDirective(e); d != "" {
				return d
			}
		}
	case []any:
		for _, e := range t {
			if d := findDirective(e); d != "" {
				return d
			}
		}
	}
	return ""
}
