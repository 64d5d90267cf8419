package examples_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/confcal/confcal/config"
	"github.com/confcal/confcal/feed"
	"github.com/confcal/confcal/feed/feedtest"
	"github.com/confcal/confcal/programme/source"
)

// TestProgrammes validates every example programme, strictly, builds its
// feed set and has independent parsers read it.
func TestProgrammes(t *testing.T) {
	files, _ := filepath.Glob("*/programme.yaml")
	if len(files) < 2 {
		t.Fatalf("found only %v", files)
	}
	for _, f := range files {
		t.Run(filepath.Dir(f), func(t *testing.T) {
			p, diags, err := source.Load(context.Background(), f, source.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(diags) > 0 {
				t.Errorf("warnings in an example:\n%v", diags)
			}
			feedtest.Build(t, p, feed.Options{})
		})
	}
}

// TestEmbeddedIsTheSummit checks that the built-in default is the file.
func TestEmbeddedIsTheSummit(t *testing.T) {
	p, _, err := source.Load(context.Background(), source.Builtin, source.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != "ai-action-summit-2025" || len(p.Sessions) == 0 {
		t.Errorf("built-in programme is %q with %d sessions", p.ID, len(p.Sessions))
	}
}

// TestConfig loads the annotated example configuration.
func TestConfig(t *testing.T) {
	l, err := config.Load(config.Options{File: "confcal.yaml", Env: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatal(err)
	}
	if l.Config.Alarm.Minutes() != 10 || l.Config.Serve.Addr != "127.0.0.1:8080" || l.Sources["lang"] != "file confcal.yaml" {
		t.Errorf("config: %+v, sources %v", l.Config, l.Sources)
	}
	if _, err := os.Stat(l.Config.Programme[len("examples/"):]); err != nil {
		t.Errorf("the example config names a programme that does not exist: %v", err)
	}
}
