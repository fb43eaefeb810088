package scale

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The REST layer reuses the buffer a response was read into, so a decoded
// Scale must not point into it: decode, overwrite the input, compare.
func TestDecodedScaleOutlivesItsInput(t *testing.T) {
	for name, body := range map[string]string{
		"autoscaling/v1": `{"apiVersion":"autoscaling/v1","kind":"Scale",` + metaJSON +
			`,"spec":{"replicas":3},"status":{"replicas":2,"selector":"app=demo,tier=web"}}`,
		"apps/v1beta2 map only": `{"apiVersion":"apps/v1beta2","kind":"Scale",` + metaJSON +
			`,"spec":{"replicas":3},"status":{"replicas":2,"selector":{"tier":"web","app":"demo"}}}`,
	} {
		t.Run(name, func(t *testing.T) {
			buf := []byte(body)
			got, err := decodeScale(buf)
			require.NoError(t, err)
			for i := range buf {
				buf[i] = 'X'
			}
			assert.Equal(t, wantScale(), got)
		})
	}
}
