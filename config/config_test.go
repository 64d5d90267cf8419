package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/confcal/confcal/attend"
	"github.com/confcal/confcal/programme"
	calsync "github.com/confcal/confcal/sync"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestPrecedence(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "confcal.yaml"), []byte("lang: fr\nalarm: 5m\nserve:\n  addr: 0.0.0.0:9000\nbase_url: https://file\n"), 0o644)
	flags := pflag.NewFlagSet("x", pflag.ContinueOnError)
	Flag(flags, "base_url", "")
	Flag(flags, "serve.addr", "")
	flags.String("lang", "", "not declared by Flag: sets no key")
	flags.Parse([]string{"--base-url", "https://flag", "--lang", "de"})
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
	if _, err := Load(Options{File: bad, Env: env(nil)}); err == nil || !strings.Contains(err.Error(), "unknown keys lnag (line 1), serve.adr (line 3)") {
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

// TestErrorsNameTheSource checks that a bad value says where it came from:
// the variable, the file and line, or the flag.
func TestErrorsNameTheSource(t *testing.T) {
	dir := t.TempDir()
	_, err := Load(Options{WorkDir: dir, Env: env(map[string]string{"CONFCAL_ALARM": "10"})})
	if err == nil || !strings.HasPrefix(err.Error(), `CONFCAL_ALARM="10": alarm: not a duration such as 10m, 90s or 1h30m: time: missing unit in duration "10"`) {
		t.Errorf("env: %v", err)
	}
	file := filepath.Join(dir, "confcal.yaml")
	os.WriteFile(file, []byte("lang: fr\nsync:\n  workers: four\n"), 0o644)
	_, err = Load(Options{File: file, Env: env(nil)})
	if err == nil || err.Error() != "config "+file+`:3: sync.workers: "four" is not a whole number` {
		t.Errorf("file: %v", err)
	}
	os.WriteFile(file, []byte("alarm: 10\n"), 0o644)
	if _, err = Load(Options{File: file, Env: env(nil)}); err == nil || !strings.Contains(err.Error(), file+":1: alarm: not a duration") {
		t.Errorf("a number for a duration: %v", err)
	}
	os.WriteFile(file, []byte("serve: [addr]\n"), 0o644)
	if _, err = Load(Options{File: file, Env: env(nil)}); err == nil || !strings.Contains(err.Error(), file+":1: serve: want keys and values, not a list") {
		t.Errorf("a list for a section: %v", err)
	}
	os.WriteFile(file, []byte("lang: [fr, en]\n"), 0o644)
	if _, err = Load(Options{File: file, Env: env(nil)}); err == nil || !strings.Contains(err.Error(), file+":1: lang: want a single value, not a list") {
		t.Errorf("a list for a value: %v", err)
	}
	if _, err = Load(Options{WorkDir: t.TempDir(), Env: env(map[string]string{"CONFCAL_CALDAV_INSECURE": "maybe"})}); err == nil ||
		!strings.Contains(err.Error(), `CONFCAL_CALDAV_INSECURE="maybe": caldav.insecure: "maybe" is neither true nor false`) {
		t.Errorf("bool: %v", err)
	}
}

// TestFileLines records the line of each key the file sets.
func TestFileLines(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "confcal.yaml")
	os.WriteFile(file, []byte("# comment\nLang: fr\nserve:\n  addr: :9\nagenda:\n  travel_speed: 5\n"), 0o644)
	l, err := Load(Options{File: file, Env: env(nil)})
	if err != nil {
		t.Fatal(err)
	}
	if l.Lines["lang"] != 2 || l.Lines["serve.addr"] != 4 || l.Config.Lang != "fr" || l.Config.Agenda.TravelSpeed != 5 {
		t.Errorf("lines %v, config %+v", l.Lines, l.Config)
	}
	empty := filepath.Join(dir, "empty.yaml")
	os.WriteFile(empty, []byte("# nothing yet\n"), 0o644)
	if l, err := Load(Options{File: empty, Env: env(nil)}); err != nil || l.Config != Defaults() {
		t.Errorf("empty file: %v %+v", err, l)
	}
}

// TestFlagsFromKeys declares flags from the keys: their default is the
// key's, so that the default is written once; a flag given sets the key.
func TestFlagsFromKeys(t *testing.T) {
	fs := pflag.NewFlagSet("x", pflag.ContinueOnError)
	FlagP(fs, "out", "o", "output `DIR`")
	Flag(fs, "serve.poll", "how often")
	Flag(fs, "agenda.travel_speed", "speed")
	Flag(fs, "sync.workers", "workers")
	Flag(fs, "stateless", "no state")
	want := map[string]string{"out": "public", "poll": "1m0s", "travel-speed": "15", "workers": "4", "stateless": "false"}
	for name, def := range want {
		if f := fs.Lookup(name); f == nil || f.DefValue != def {
			t.Errorf("--%s: %+v, want default %s", name, f, def)
		}
	}
	if f := fs.ShorthandLookup("o"); f == nil || f.Name != "out" {
		t.Errorf("-o: %+v", f)
	}
	if err := fs.Parse([]string{"-o", "site", "--travel-speed", "5", "--stateless"}); err != nil {
		t.Fatal(err)
	}
	l, err := Load(Options{WorkDir: t.TempDir(), Env: env(nil), Flags: fs, Programme: "p.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	c := l.Config
	if c.Out != "site" || c.Agenda.TravelSpeed != 5 || !c.Stateless || c.Serve.Poll != time.Minute || c.Programme != "p.yaml" {
		t.Errorf("config %+v", c)
	}
	if l.Sources["out"] != "flag --out" || l.Sources["programme"] != "argument" || !l.FromCommandLine("programme") || l.FromCommandLine("serve.poll") {
		t.Errorf("sources %v", l.Sources)
	}
	defer func() {
		if recover() == nil {
			t.Error("a flag for a key that has none was declared")
		}
	}()
	Flag(fs, "google.token", "")
}

// TestKeys checks the key list: each key has its variable, the flags map
// to the keys, and the defaults are those of the packages that use them.
func TestKeys(t *testing.T) {
	keys := Keys()
	if len(keys) != 41 || keys[0] != "agenda.min_gap" || !slices.IsSorted(keys) {
		t.Errorf("keys %v", keys)
	}
	if FlagName("serve.addr") != "addr" || FlagName("google.no_auth") != "" {
		t.Error("flag names")
	}
	d := Defaults()
	if d.Agenda.TravelSpeed != programme.DefaultTravelSpeed || d.Sync.Rate != calsync.DefaultRate || d.Sync.Workers != calsync.DefaultWorkers ||
		d.Attend.Rate != attend.DefaultRate || d.Attend.UserRate != attend.DefaultUserRate || d.Attend.Workers != attend.DefaultWorkers {
		t.Errorf("defaults %+v", d)
	}
}

func TestEmptyVariable(t *testing.T) {
	l, err := Load(Options{WorkDir: t.TempDir(), Env: env(map[string]string{"CONFCAL_ALARM": "", "CONFCAL_OUT": ""})})
	if err != nil {
		t.Fatal(err)
	}
	if l.Sources["alarm"] != "default" || l.Config.Out != "" || l.Sources["out"] != "env CONFCAL_OUT" {
		t.Errorf("config %+v, sources %v", l.Config, l.Sources)
	}
}

// TestViperLayers: the layers viper merges keep their order when several
// set one key, nested keys included.
func TestViperLayers(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "confcal.yaml")
	if err := os.WriteFile(file, []byte("serve:\n  addr: 127.0.0.1:1\n  poll: 2m\nlang: fr\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := Load(Options{File: file, Env: env(map[string]string{"CONFCAL_SERVE_ADDR": "127.0.0.1:2"})})
	if err != nil {
		t.Fatal(err)
	}
	c := l.Config
	if c.Serve.Addr != "127.0.0.1:2" || c.Serve.Poll != 2*time.Minute || c.Lang != "fr" || c.Out != "public" {
		t.Errorf("config %+v", c)
	}
	if l.Sources["serve.addr"] != "env CONFCAL_SERVE_ADDR" || l.Sources["serve.poll"] != "file "+file {
		t.Errorf("sources %v", l.Sources)
	}
}
