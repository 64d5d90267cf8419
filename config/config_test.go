package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestPrecedence(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "confcal.yaml"), []byte("lang: fr\nalarm: 5m\nserve:\n  addr: 0.0.0.0:9000\nbase_url: https://file\n"), 0o644)
	flags := pflag.NewFlagSet("x", pflag.ContinueOnError)
	flags.String("base-url", "", "")
	flags.String("addr", "", "")
	flags.Parse([]string{"--base-url", "https://flag"})
	l, err := Load(Options{WorkDir: dir, Flags: flags, Env: env(map[string]string{"CONFCAL_ALARM": "15m", "CONFCAL_BASE_URL": "https://env"})})
	if err != nil {
		t.Fatal(err)
	}
	c := l.Config
	if c.Lang != "fr" || c.Alarm != 15*time.Minute || c.BaseURL != "https://flag" || c.Serve.Addr != "0.0.0.0:9000" || c.Out != "public" {
		t.Errorf("config = %+v", c)
	}
	want := map[string]string{"lang": "file " + filepath.Join(dir, "confcal.yaml"), "alarm": "env CONFCAL_ALARM",
		"base_url": "flag --base-url", "out": "default", "serve.addr": "file " + filepath.Join(dir, "confcal.yaml")}
	for k, v := range want {
		if l.Sources[k] != v {
			t.Errorf("source of %s = %q, want %q", k, l.Sources[k], v)
		}
	}
}

func TestEnvOnlyNestedKey(t *testing.T) {
	l, err := Load(Options{WorkDir: t.TempDir(), Env: env(map[string]string{"CONFCAL_SERVE_ADDR": ":1234", "CONFCAL_GOOGLE_NO_AUTH": "1"})})
	if err != nil {
		t.Fatal(err)
	}
	if l.Config.Serve.Addr != ":1234" || !l.Config.Google.NoAuth {
		t.Errorf("config = %+v", l.Config)
	}
}

func TestXDGConfigFile(t *testing.T) {
	home := t.TempDir()
	os.MkdirAll(filepath.Join(home, "confcal"), 0o755)
	os.WriteFile(filepath.Join(home, "confcal", "config.yaml"), []byte("lang: de\n"), 0o644)
	l, err := Load(Options{WorkDir: t.TempDir(), Env: env(map[string]string{"XDG_CONFIG_HOME": home})})
	if err != nil || l.Config.Lang != "de" {
		t.Fatalf("%v %+v", err, l)
	}
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("lnag: fr\nserve:\n  adr: x\n"), 0o644)
	if _, err := Load(Options{File: bad, Env: env(nil)}); err == nil || !strings.Contains(err.Error(), "unknown keys lnag, serve.adr") {
		t.Errorf("unknown keys: %v", err)
	}
	if _, err := Load(Options{File: filepath.Join(dir, "missing.yaml"), Env: env(nil)}); err == nil {
		t.Error("missing explicit file accepted")
	}
	broken := filepath.Join(dir, "broken.yaml")
	os.WriteFile(broken, []byte("lang: [\n"), 0o644)
	if _, err := Load(Options{File: broken, Env: env(nil)}); err == nil || !strings.Contains(err.Error(), broken) {
		t.Errorf("broken file: %v", err)
	}
	if _, err := Load(Options{WorkDir: dir, Env: env(map[string]string{"CONFCAL_ALARM": "soon"})}); err == nil {
		t.Error("bad duration accepted")
	}
}
