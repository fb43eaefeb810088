package table

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

func podTable() *metav1.Table {
	return &metav1.Table{
		ColumnDefinitions: []metav1.TableColumnDefinition{
			{Name: "Name", Type: "string", Format: "name"},
			{Name: "Ready", Type: "string"},
			{Name: "Restarts", Type: "integer"},
			{Name: "Age", Type: "string"},
			{Name: "IP", Type: "string", Priority: 1},
			{Name: "Created", Type: "date", Priority: 1},
		},
		Rows: []metav1.TableRow{
			{Cells: []any{"web-1", "1/1", int64(0), "5m", "10.0.0.1", "2026-01-01T00:00:00Z"}, Object: runtime.RawExtension{Raw: []byte(`{"metadata":{"namespace":"ns1"}}`)}},
			{Cells: []any{"a-much-longer-name", "0/1", int64(12), "3h", nil, "2025-12-30T00:00:00Z"}},
			{Cells: []any{"bad\nname", "\x1b[31m", int64(1)}},
		},
	}
}

func TestPrinter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 10, 0, 0, time.UTC)
	var b strings.Builder
	require.NoError(t, Printer{Now: now}.Print(&b, podTable()))
	assert.Equal(t, ""+
		"NAME                 READY      RESTARTS   AGE\n"+
		"web-1                1/1        0          5m\n"+
		"a-much-longer-name   0/1        12         3h\n"+
		"bad...               \\x1b[31m   1          \n", b.String())

	b.Reset()
	require.NoError(t, Printer{Now: now, Wide: true, NoHeaders: true, WithNamespace: true, Kind: "pod"}.Print(&b, podTable()))
	assert.Equal(t, ""+
		"ns1   pod/web-1                1/1        0     5m    10.0.0.1   10m\n"+
		"      pod/a-much-longer-name   0/1        12    3h               2d\n"+
		"      pod/bad...               \\x1b[31m   1                      \n", b.String())
}
