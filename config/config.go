// Package config loads confcal's configuration once into a typed Config,
// from, in increasing order of precedence: built-in defaults, a config file
// (confcal.yaml in the working directory, or
// $XDG_CONFIG_HOME/confcal/config.yaml), CONFCAL_* environment variables,
// and command-line flags, layered by github.com/spf13/viper (this package
// is its only importer).
//
// It is the one place that knows the keys: Config's fields name them (the
// key tag) and the flag that sets each (the flag tag), Defaults gives
// their defaults, and Flag declares a command's flag from them, so that a
// default is written once and every key has its environment variable.
package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"
	"gopkg.in/yaml.v3"

	"github.com/confcal/confcal/attend"
	"github.com/confcal/confcal/programme"
	calsync "github.com/confcal/confcal/sync"
)

// Config is confcal's whole configuration. Each field is one key, named
// by its key tag under its section's (serve.addr); the flag tag names the
// flag that sets it, where there is one.
type Config struct {
	Programme string `key:"programme" flag:"programme"` // file, URL, "-" or "" for the built-in example
	TimeZone  string `key:"timezone" flag:"timezone"`   // zone for sources that lack one
	Lang      string `key:"lang" flag:"lang"`
	State     string `key:"state" flag:"state"` // state file; "" for the default location
	// Database is the database of confcal serve: a postgres:// URL, or a
	// SQLite file; "" for a SQLite file in the state directory.
	Database  string        `key:"database" flag:"database"`
	Stateless bool          `key:"stateless" flag:"stateless"`
	Alarm     time.Duration `key:"alarm" flag:"alarm"`
	BaseURL   string        `key:"base_url" flag:"base-url"`
	Out       string        `key:"out" flag:"out"`
	// SecretKeyFile holds the key that encrypts attendees' tokens and
	// signs the server's cookies and forms.
	SecretKeyFile string `key:"secret_key_file" flag:"secret-key-file"`

	Serve  Serve  `key:"serve"`
	Google Google `key:"google"`
	CalDAV CalDAV `key:"caldav"`
	Sync   Sync   `key:"sync"`
	Agenda Agenda `key:"agenda"`
	Attend Attend `key:"attend"`
}

// Serve configures the feed server.
type Serve struct {
	Addr      string        `key:"addr" flag:"addr"`
	Source    string        `key:"source" flag:"source"`
	Poll      time.Duration `key:"poll" flag:"poll"`
	LogFormat string        `key:"log_format" flag:"log-format"`
	TLSCert   string        `key:"tls_cert" flag:"tls-cert"`
	TLSKey    string        `key:"tls_key" flag:"tls-key"`
	// NoAccessLog leaves out the line logged for each request, for a
	// server behind a proxy that logs them already.
	NoAccessLog bool `key:"no_access_log" flag:"no-access-log"`
}

// Google configures sync to Google Calendar.
type Google struct {
	ClientSecrets string `key:"client_secrets" flag:"client-secrets"`
	Credentials   string `key:"credentials" flag:"credentials"`
	Subject       string `key:"subject" flag:"subject"`
	Calendar      string `key:"calendar" flag:"calendar"`
	Token         string `key:"token"`
	Endpoint      string `key:"endpoint"`
	NoAuth        bool   `key:"no_auth"`
}

// CalDAV configures sync to a CalDAV calendar.
type CalDAV struct {
	URL          string `key:"url" flag:"url"`
	Username     string `key:"username" flag:"username"`
	Password     string `key:"password"`
	PasswordFile string `key:"password_file" flag:"password-file"`
	Token        string `key:"token"`
	Insecure     bool   `key:"insecure" flag:"insecure"`
}

// Sync configures the push engine shared by all backends.
type Sync struct {
	Rate      float64 `key:"rate" flag:"rate"`
	Workers   int     `key:"workers" flag:"workers"`
	Cancelled string  `key:"cancelled" flag:"cancelled"` // remove or mark
}

// Attend configures the attendee sync of confcal serve: attendees push
// their selection into a Google calendar of their own, kept current.
type Attend struct {
	// ClientSecrets is the organiser's "Web application" OAuth client;
	// without it the server offers no attendee sync.
	ClientSecrets string  `key:"client_secrets" flag:"google-client-secrets"`
	Rate          float64 `key:"rate" flag:"attendee-rate"`           // requests per second of all attendees' syncs
	UserRate      float64 `key:"user_rate" flag:"attendee-user-rate"` // requests per second into one attendee's calendar
	Workers       int     `key:"workers" flag:"attendee-workers"`     // attendees synced at once
	// Lease is how long a server holds a claimed sync: a server that dies
	// holding one gives it back when it ends.
	Lease time.Duration `key:"lease"`
	// SigninRate is the sign-ins one client address may start per second.
	SigninRate float64 `key:"signin_rate"`
}

// Agenda configures personal agendas.
type Agenda struct {
	TravelSpeed float64       `key:"travel_speed" flag:"travel-speed"` // km/h
	MinGap      time.Duration `key:"min_gap" flag:"min-gap"`
}

// Defaults returns the built-in configuration: every key not named here
// defaults to its zero value. Where a package has a default of its own,
// this is that default.
func Defaults() Config {
	return Config{
		Out:    "public",
		Serve:  Serve{Addr: "127.0.0.1:8080", Poll: time.Minute, LogFormat: "text"},
		Sync:   Sync{Rate: calsync.DefaultRate, Workers: calsync.DefaultWorkers, Cancelled: calsync.CancelledRemove},
		Agenda: Agenda{TravelSpeed: programme.DefaultTravelSpeed, MinGap: programme.DefaultMinGap},
		Attend: Attend{Rate: attend.DefaultRate, UserRate: attend.DefaultUserRate, Workers: attend.DefaultWorkers, Lease: attend.DefaultLease,
			SigninRate: attend.DefaultStartRate},
	}
}

// EnvName returns the environment variable for key: CONFCAL_ and the key in
// capitals with dots as underscores (serve.addr is CONFCAL_SERVE_ADDR).
func EnvName(key string) string {
	return "CONFCAL_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// Options say where to look for configuration.
type Options struct {
	// File is an explicit config file; "" searches the default places.
	File string
	// WorkDir is where confcal.yaml is looked for.
	WorkDir string
	// Env looks up environment variables; nil means os.LookupEnv.
	Env func(string) (string, bool)
	// Flags are the flags of the command being run; those declared by
	// Flag set their keys.
	Flags *pflag.FlagSet
	// Programme is a programme named by a command's argument rather than
	// by --programme; it counts as a flag.
	Programme string
}

// Loaded is a Config together with where each value came from.
type Loaded struct {
	Config Config
	File   string // the config file read, if any
	// Sources says where each key's value came from: "default",
	// "file PATH", "env NAME", "flag --NAME" or "argument".
	Sources map[string]string
	// Lines are the lines of File that set keys.
	Lines  map[string]int
	Values map[string]any
}

// FromCommandLine reports whether key was set by a flag or an argument,
// which beat settings of an agenda file; the config file and the
// environment do not.
func (l *Loaded) FromCommandLine(key string) bool {
	s := l.Sources[key]
	return strings.HasPrefix(s, "flag ") || s == "argument"
}

// Load reads the configuration. viper layers it: the defaults, the file,
// the environment (looked up through opts.Env, merged over the file), and
// the flags of the command being run. The file is also read as YAML nodes
// beforehand, so that an unknown key or a bad value is reported at its
// line; values of every layer are checked the same way, naming their
// source.
func Load(opts Options) (*Loaded, error) {
	lookup := opts.Env
	if lookup == nil {
		lookup = os.LookupEnv
	}
	file, err := findFile(opts, lookup)
	if err != nil {
		return nil, err
	}
	l := &Loaded{Config: Defaults(), File: file, Sources: map[string]string{}, Lines: map[string]int{}, Values: map[string]any{}}
	v := viper.New()
	defaults := Defaults()
	for _, k := range Keys() {
		l.Sources[k] = "default"
		v.SetDefault(k, get(&defaults, k))
	}
	if file != "" {
		if err := l.readFile(file); err != nil {
			return nil, err
		}
		v.SetConfigFile(file)
		v.SetConfigType("yaml")
		if err := v.ReadInConfig(); err != nil {
			return nil, fmt.Errorf("read config %s: %w", file, err)
		}
	}
	env := map[string]any{}
	for _, k := range Keys() {
		// An empty variable sets a text; for other keys it is as unset.
		if val, ok := lookup(EnvName(k)); ok && (val != "" || value(&l.Config, k).Kind() == reflect.String) {
			if err := set(&l.Config, k, val); err != nil {
				return nil, fmt.Errorf("%s=%q: %s: %w", EnvName(k), val, k, err)
			}
			l.Sources[k] = "env " + EnvName(k)
			nest(env, k, val)
		}
	}
	if err := v.MergeConfigMap(env); err != nil {
		return nil, fmt.Errorf("read the environment: %w", err)
	}
	if err := l.applyFlags(opts, v); err != nil {
		return nil, err
	}
	for _, k := range Keys() {
		if err := set(&l.Config, k, v.GetString(k)); err != nil {
			return nil, fmt.Errorf("%s: %s: %w", l.Sources[k], k, err)
		}
		l.Values[k] = get(&l.Config, k)
	}
	return l, nil
}

// nest sets key (a.b) of m to val, in the nested form viper merges.
func nest(m map[string]any, key, val string) {
	section, leaf, ok := strings.Cut(key, ".")
	if !ok {
		m[key] = val
		return
	}
	sub, _ := m[section].(map[string]any)
	if sub == nil {
		sub = map[string]any{}
		m[section] = sub
	}
	sub[leaf] = val
}

// applyFlags sets the keys of the flags given on the command line, and
// the programme of an argument.
func (l *Loaded) applyFlags(opts Options, v *viper.Viper) error {
	var err error
	if opts.Flags != nil {
		opts.Flags.Visit(func(f *pflag.Flag) {
			k := KeyOf(f)
			if k == "" || err != nil {
				return
			}
			if err = set(&l.Config, k, f.Value.String()); err != nil {
				err = fmt.Errorf("--%s %s: %w", f.Name, f.Value, err)
				return
			}
			l.Sources[k] = "flag --" + f.Name
			err = v.BindPFlag(k, f)
		})
	}
	if opts.Programme != "" {
		v.Set("programme", opts.Programme)
		l.Sources["programme"] = "argument"
	}
	return err
}

// readFile sets the keys the YAML config file sets, and refuses keys
// confcal does not know, so that a typo is not silently ignored.
func (l *Loaded) readFile(file string) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("read config: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return fmt.Errorf("read config %s: %w", file, err)
	}
	if len(doc.Content) == 0 {
		return nil // empty, or only comments
	}
	var unknown []string
	if err := l.readMapping(file, doc.Content[0], "", &unknown); err != nil {
		return err
	}
	if len(unknown) > 0 {
		return fmt.Errorf("config %s: unknown key%s %s (known keys: confcal config --keys)", file, plural(len(unknown)), strings.Join(unknown, ", "))
	}
	return nil
}

// readMapping reads the keys of one mapping of the file, under prefix
// ("serve." for the serve section).
func (l *Loaded) readMapping(file string, n *yaml.Node, prefix string, unknown *[]string) error {
	if n.Kind != yaml.MappingNode {
		if n.Tag == "!!null" {
			return nil
		}
		return fmt.Errorf("config %s:%d: %s: want keys and values, not %s", file, n.Line, sectionName(prefix), describeNode(n))
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn, vn := n.Content[i], n.Content[i+1]
		key := prefix + strings.ToLower(kn.Value)
		switch _, leaf := fieldsByKey[key]; {
		case leaf:
			if err := l.readValue(file, key, vn); err != nil {
				return err
			}
		case sections[key]:
			if err := l.readMapping(file, vn, key+".", unknown); err != nil {
				return err
			}
		default:
			*unknown = append(*unknown, fmt.Sprintf("%s (line %d)", key, kn.Line))
		}
	}
	return nil
}

func (l *Loaded) readValue(file, key string, vn *yaml.Node) error {
	l.Sources[key] = "file " + file
	l.Lines[key] = vn.Line
	if vn.Kind != yaml.ScalarNode {
		return fmt.Errorf("config %s:%d: %s: want a single value, not %s", file, vn.Line, key, describeNode(vn))
	}
	val := vn.Value
	if vn.Tag == "!!null" {
		val = ""
	}
	if err := set(&l.Config, key, val); err != nil {
		return fmt.Errorf("config %s:%d: %s: %w", file, vn.Line, key, err)
	}
	return nil
}

func sectionName(prefix string) string {
	if prefix == "" {
		return "the file"
	}
	return strings.TrimSuffix(prefix, ".")
}

func describeNode(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "keys and values"
	default:
		return fmt.Sprintf("%q", n.Value)
	}
}

func findFile(opts Options, lookup func(string) (string, bool)) (string, error) {
	if opts.File != "" {
		if _, err := os.Stat(opts.File); err != nil {
			return "", fmt.Errorf("read config: %w", err)
		}
		return opts.File, nil
	}
	if f, ok := lookup("CONFCAL_CONFIG"); ok && f != "" {
		if _, err := os.Stat(f); err != nil {
			return "", fmt.Errorf("read config (CONFCAL_CONFIG): %w", err)
		}
		return f, nil
	}
	candidates := []string{filepath.Join(opts.WorkDir, "confcal.yaml")}
	if dir, ok := lookup("XDG_CONFIG_HOME"); ok && dir != "" {
		candidates = append(candidates, filepath.Join(dir, "confcal", "config.yaml"))
	} else if home, ok := lookup("HOME"); ok && home != "" {
		candidates = append(candidates, filepath.Join(home, ".config", "confcal", "config.yaml"))
	}
	for _, c := range candidates {
		if _, err := os.Stat(c); err == nil {
			return c, nil
		} else if !errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("read config: %w", err)
		}
	}
	return "", nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
