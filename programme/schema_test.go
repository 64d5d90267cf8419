package programme

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

// plain turns a YAML node into the values JSON would have, keeping dates
// and times as the strings they are written as.
func plain(n *yaml.Node) any {
	n = resolve(n)
	switch n.Kind {
	case yaml.DocumentNode:
		return plain(n.Content[0])
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = plain(n.Content[i+1])
		}
		return m
	case yaml.SequenceNode:
		out := []any{}
		for _, c := range n.Content {
			out = append(out, plain(c))
		}
		return out
	}
	switch n.Tag {
	case "!!int":
		v, _ := strconv.ParseInt(n.Value, 0, 64)
		return v
	case "!!float":
		v, _ := strconv.ParseFloat(n.Value, 64)
		return v
	case "!!bool":
		return n.Value == "true"
	case "!!null":
		return nil
	}
	return n.Value
}

func loadSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	f, err := os.Open("../docs/programme.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddResource("programme.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("programme.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSchemaAgreesWithDecoder checks the shipped JSON Schema accepts every
// example and fixture the decoder accepts, and rejects what it rejects for
// structure (unknown fields, wrong types).
func TestSchemaAgreesWithDecoder(t *testing.T) {
	schema := loadSchema(t)
	files, _ := filepath.Glob("../examples/*/programme.yaml")
	files = append(files, "../feed/testdata/dst.yaml")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := DecodeBytes(data, f); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		var n yaml.Node
		if err := yaml.Unmarshal(data, &n); err != nil {
			t.Fatal(err)
		}
		if err := schema.Validate(plain(&n)); err != nil {
			t.Errorf("%s: schema rejects a valid programme: %v", f, err)
		}
	}
	for _, good := range []string{
		header + "session_url: https://example.org/talks/{id}/\n",
		header + "session_url: http://example.org/{id}.html?from={id}\n",
	} {
		var n yaml.Node
		yaml.Unmarshal([]byte(good), &n)
		if err := schema.Validate(plain(&n)); err != nil {
			t.Errorf("schema rejects:\n%s%v", good, err)
		}
		if _, _, err := DecodeBytes([]byte(good), "good.yaml"); err != nil {
			t.Errorf("decoder rejects:\n%s%v", good, err)
		}
	}
	for _, bad := range []string{
		header + "sessions:\n  - {id: a, titel: A}\n",
		header + "venues: [{id: v, geo: {lat: 1}}]\n",
		header + "tracks: [{id: t, colour: blue}]\n",
		"name: no id\ntimezone: UTC\n",
		header + "session_url: https://example.org/talks/\n",
		header + "session_url: https://example.org/{id}/{slug}\n",
	} {
		var n yaml.Node
		yaml.Unmarshal([]byte(bad), &n)
		if err := schema.Validate(plain(&n)); err == nil {
			t.Errorf("schema accepts:\n%s", bad)
		}
		if _, _, err := DecodeBytes([]byte(bad), "bad.yaml"); err == nil {
			t.Errorf("decoder accepts:\n%s", bad)
		}
	}
}
