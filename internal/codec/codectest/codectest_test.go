package codectest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"testing"
)

func TestListsAreValidAndDeterministic(t *testing.T) {
	gens := map[string]func(int) []byte{"configmaps": ConfigMapList, "deployments": DeploymentList}
	for _, s := range []struct {
		name  string
		shape Shape
	}{{"large-values", Shape{LargeValues: true}}, {"wide", Shape{Wide: true}}} {
		gens["configmaps/"+s.name] = func(n int) []byte { return ConfigMapListShaped(n, s.shape) }
		gens["deployments/"+s.name] = func(n int) []byte { return DeploymentListShaped(n, s.shape) }
	}
	for name, gen := range gens {
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

func TestShapes(t *testing.T) {
	if !bytes.Equal(ConfigMapList(50), ConfigMapListShaped(50, Shape{})) || !bytes.Equal(DeploymentList(50), DeploymentListShaped(50, Shape{})) || !bytes.Equal(WatchEvents(50), WatchEventsShaped(50, Shape{})) {
		t.Error("the zero Shape changes the default bodies")
	}
	var list struct {
		Items []struct {
			Metadata map[string]any    `json:"metadata"`
			Data     map[string]string `json:"data"`
		} `json:"items"`
	}
	if err := json.Unmarshal(ConfigMapListShaped(20, Shape{LargeValues: true, NoManagedFields: true}), &list); err != nil {
		t.Fatal(err)
	}
	for i, it := range list.Items {
		if _, ok := it.Metadata["managedFields"]; ok {
			t.Errorf("item %d has managedFields", i)
		}
		for k, v := range it.Data {
			if len(v) < 150 || len(v) > 2500 {
				t.Errorf("item %d: value %s is %d bytes, want hundreds to a few thousand", i, k, len(v))
			}
		}
	}
	small, pods := WatchEventsShaped(200, Shape{Small: true}), WatchEvents(200)
	if len(small)*3 > len(pods) {
		t.Errorf("small events: %d bytes, pods: %d; want small under a third", len(small), len(pods))
	}
	if large := WatchEventsShaped(200, Shape{Wide: true, LargeValues: true}); len(large) < 2*len(pods) {
		t.Errorf("large events: %d bytes, pods: %d; want large over twice", len(large), len(pods))
	}
}
