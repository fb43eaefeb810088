package codectest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"testing"
)

func TestListsAreValidAndDeterministic(t *testing.T) {
	for name, gen := range map[string]func(int) []byte{"configmaps": ConfigMapList, "deployments": DeploymentList} {
		a, b := gen(25), gen(25)
		if !bytes.Equal(a, b) {
			t.Errorf("%s: two calls gave different bytes", name)
		}
		var list struct {
			Kind  string           `json:"kind"`
			Items []map[string]any `json:"items"`
		}
		if err := json.Unmarshal(a, &list); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(list.Items) != 25 {
			t.Errorf("%s: %d items, want 25", name, len(list.Items))
		}
		for i, it := range list.Items {
			if _, ok := it["kind"]; ok {
				t.Errorf("%s: item %d has a kind; typed lists leave it out", name, i)
			}
			md, _ := it["metadata"].(map[string]any)
			if _, ok := md["managedFields"]; !ok {
				t.Errorf("%s: item %d has no managedFields", name, i)
			}
		}
	}
}

func TestWatchEventsAreOneObjectPerLine(t *testing.T) {
	data := WatchEvents(250)
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	types := map[string]int{}
	n := 0
	for sc.Scan() {
		var ev struct {
			Type   string         `json:"type"`
			Object map[string]any `json:"object"`
		}
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("line %d: %v", n, err)
		}
		if ev.Object["kind"] == nil {
			t.Errorf("line %d: object without kind", n)
		}
		types[ev.Type]++
		n++
	}
	if n != 250 {
		t.Fatalf("%d events, want 250", n)
	}
	for _, typ := range []string{"ADDED", "MODIFIED", "DELETED", "BOOKMARK"} {
		if types[typ] == 0 {
			t.Errorf("no %s event", typ)
		}
	}
	if !json.Valid(Object()) {
		t.Error("Object is not valid JSON")
	}
}

func TestMetadataListsAreValidAndDeterministic(t *testing.T) {
	for _, shape := range MetadataShapes {
		a, b := MetadataList(25, shape), MetadataList(25, shape)
		if !bytes.Equal(a, b) {
			t.Errorf("%s: two calls gave different bytes", shape)
		}
		var list struct {
			Kind  string `json:"kind"`
			Items []struct {
				Kind     string         `json:"kind"`
				Metadata map[string]any `json:"metadata"`
			} `json:"items"`
		}
		if err := json.Unmarshal(a, &list); err != nil {
			t.Fatalf("%s: %v", shape, err)
		}
		if list.Kind != "PartialObjectMetadataList" || len(list.Items) != 25 {
			t.Fatalf("%s: kind %q, %d items, want PartialObjectMetadataList and 25", shape, list.Kind, len(list.Items))
		}
		for i, it := range list.Items {
			_, managed := it.Metadata["managedFields"]
			if it.Kind != "PartialObjectMetadata" || it.Metadata["name"] == nil || managed != (shape != MetadataNoManagedFields) {
				t.Errorf("%s: item %d: kind %q, name %v, managedFields %v", shape, i, it.Kind, it.Metadata["name"], managed)
			}
		}
		t.Logf("%s: %d bytes per item", shape, len(a)/25)
	}
}
