package fake

import (
	"encoding/json"

	"github.com/anykube/anykube/internal/jsonpatch"
)

// toJSONValue turns v into the generic JSON form patches work on.
func toJSONValue(v any) (any, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return jsonpatch.Decode(data)
}
