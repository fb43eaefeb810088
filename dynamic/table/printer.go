package table

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/duration"
	"sigs.k8s.io/json"
)

// Printer renders tables the way kubectl get does: upper-case headers,
// columns of priority 0 only unless Wide, cells aligned with three spaces
// between columns, the last column unpadded. The zero value prints the
// default columns with headers.
type Printer struct {
	// Wide prints every column, as kubectl get -o wide.
	Wide bool
	// NoHeaders leaves the header line out, as --no-headers.
	NoHeaders bool
	// WithNamespace adds a NAMESPACE column first, as kubectl get -A,
	// read from each row's object; rows fetched with IncludeNone have
	// none, and the cell stays empty.
	WithNamespace bool
	// Kind, when set, prefixes the name column's cells with it and "/"
	// ("deployment.apps/web"), as kubectl does when one command prints
	// several resource types.
	Kind string
	// Now is the time ages are computed from; zero means time.Now.
	Now time.Time
}

// Print writes t to w. It fails only when w does; a row with more cells
// than columns has the extra ones dropped, one with fewer is padded.
func (p Printer) Print(w io.Writer, t *metav1.Table) error {
	now := p.Now
	if now.IsZero() {
		now = time.Now()
	}
	var cols []int
	nameCol := -1
	for i, c := range t.ColumnDefinitions {
		if c.Priority != 0 && !p.Wide {
			continue
		}
		if nameCol < 0 && c.Format == "name" {
			nameCol = i
		}
		cols = append(cols, i)
	}
	tw := tabwriter.NewWriter(w, 6, 4, 3, ' ', 0)
	var line []string
	if !p.NoHeaders {
		if p.WithNamespace {
			line = append(line, "NAMESPACE")
		}
		for _, i := range cols {
			line = append(line, strings.ToUpper(t.ColumnDefinitions[i].Name))
		}
		if _, err := io.WriteString(tw, strings.Join(line, "\t")+"\n"); err != nil {
			return err
		}
	}
	for _, row := range t.Rows {
		line = line[:0]
		if p.WithNamespace {
			line = append(line, rowNamespace(row))
		}
		for _, i := range cols {
			var cell any
			if i < len(row.Cells) {
				cell = row.Cells[i]
			}
			s := cellText(cell, t.ColumnDefinitions[i], now)
			if i == nameCol && p.Kind != "" {
				s = p.Kind + "/" + s
			}
			line = append(line, s)
		}
		if _, err := io.WriteString(tw, strings.Join(line, "\t")+"\n"); err != nil {
			return err
		}
	}
	return tw.Flush()
}

// cellText is what a cell shows. Servers send ages already formatted
// ("5m"); a date column whose cell is still a timestamp (an aggregated API
// that does not format it) gets the same short age. Nothing shows for
// null. Text stops at the first line break with "...", and control
// characters are escaped, so one cell can neither break the alignment nor
// send terminal escapes.
func cellText(cell any, col metav1.TableColumnDefinition, now time.Time) string {
	var s string
	switch v := cell.(type) {
	case nil:
		return ""
	case string:
		s = v
		if col.Type == "date" {
			if ts, err := time.Parse(time.RFC3339, v); err == nil {
				return duration.HumanDuration(now.Sub(ts))
			}
		}
	default:
		s = fmt.Sprint(v)
	}
	if i := strings.IndexAny(s, "\n\r\f"); i >= 0 {
		s = s[:i] + "..."
	}
	if strings.IndexFunc(s, isControl) >= 0 {
		q := fmt.Sprintf("%q", s)
		s = q[1 : len(q)-1]
	}
	return s
}

func isControl(r rune) bool { return r < ' ' || r == 0x7f }

// rowNamespace reads the namespace of a row's object (metadata or whole
// object); "" when the row has none.
func rowNamespace(row metav1.TableRow) string {
	raw := row.Object.Raw
	if len(raw) == 0 {
		return ""
	}
	var obj struct {
		Metadata struct {
			Namespace string `json:"namespace"`
		} `json:"metadata"`
	}
	if err := json.UnmarshalCaseSensitivePreserveInts(raw, &obj); err != nil {
		return ""
	}
	return obj.Metadata.Namespace
}
