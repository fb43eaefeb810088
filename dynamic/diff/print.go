package diff

import (
	"encoding/json"
	"fmt"
	"io"
)

// Fprint writes results as a short report, one line per object ("create",
// "change" or "unchanged" and the object), each changed field indented
// under its object as "path: old -> new" in JSON ("(none)" for an absent
// side). It returns the first write error.
func Fprint(w io.Writer, results []Result) error {
	for _, r := range results {
		if _, err := fmt.Fprintf(w, "%s %s\n", r.Action, r.Object); err != nil {
			return err
		}
		for _, f := range r.Fields {
			if _, err := fmt.Fprintf(w, "  %s: %s -> %s\n", f.Path, show(f.Old), show(f.New)); err != nil {
				return err
			}
		}
	}
	return nil
}

// show renders a value as compact JSON.
func show(v any) string {
	if v == nil {
		return "(none)"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	return string(b)
}
