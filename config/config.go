// Package config loads confcal's configuration once into a typed Config,
// from, in increasing order of precedence: built-in defaults, a config file
// (confcal.yaml in the working directory, or
// $XDG_CONFIG_HOME/confcal/config.yaml), CONFCAL_* environment variables,
// and command-line flags.
package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// Config is confcal's whole configuration.
type Config struct {
	Programme string        `mapstructure:"programme"` // file, URL, "-" or "" for the built-in example
	TimeZone  string        `mapstructure:"timezone"`  // zone for sources that lack one
	Lang      string        `mapstructure:"lang"`
	State     string        `mapstructure:"state"` // state file; "" for the default location
	Stateless bool          `mapstructure:"stateless"`
	Alarm     time.Duration `mapstructure:"alarm"`
	BaseURL   string        `mapstructure:"base_url"`
	Out       string        `mapstructure:"out"`

	Serve  Serve  `mapstructure:"serve"`
	Google Google `mapstructure:"google"`
	CalDAV CalDAV `mapstructure:"caldav"`
	Sync   Sync   `mapstructure:"sync"`
	Agenda Agenda `mapstructure:"agenda"`
}

// Serve configures the feed server.
type Serve struct {
	Addr      string        `mapstructure:"addr"`
	Source    string        `mapstructure:"source"`
	Poll      time.Duration `mapstructure:"poll"`
	LogFormat string        `mapstructure:"log_format"`
	TLSCert   string        `mapstructure:"tls_cert"`
	TLSKey    string        `mapstructure:"tls_key"`
}

// Google configures sync to Google Calendar.
type Google struct {
	ClientSecrets string `mapstructure:"client_secrets"`
	Credentials   string `mapstructure:"credentials"`
	Subject       string `mapstructure:"subject"`
	Calendar      string `mapstructure:"calendar"`
	Token         string `mapstructure:"token"`
	Endpoint      string `mapstructure:"endpoint"`
	NoAuth        bool   `mapstructure:"no_auth"`
}

// CalDAV configures sync to a CalDAV calendar.
type CalDAV struct {
	URL          string `mapstructure:"url"`
	Username     string `mapstructure:"username"`
	Password     string `mapstructure:"password"`
	PasswordFile string `mapstructure:"password_file"`
	Token        string `mapstructure:"token"`
	Insecure     bool   `mapstructure:"insecure"`
}

// Sync configures the push engine shared by all backends.
type Sync struct {
	Rate      float64 `mapstructure:"rate"`
	Workers   int     `mapstructure:"workers"`
	Cancelled string  `mapstructure:"cancelled"` // remove or mark
}

// Agenda configures personal agendas.
type Agenda struct {
	TravelSpeed float64       `mapstructure:"travel_speed"` // km/h
	MinGap      time.Duration `mapstructure:"min_gap"`
}

// defaults holds every key with its default. Every key must be here:
// viper only sees environment variables for keys it knows.
var defaults = map[string]any{
	"programme":             "",
	"timezone":              "",
	"lang":                  "",
	"state":                 "",
	"stateless":             false,
	"alarm":                 time.Duration(0),
	"base_url":              "",
	"out":                   "public",
	"serve.addr":            "127.0.0.1:8080",
	"serve.source":          "",
	"serve.poll":            time.Minute,
	"serve.log_format":      "text",
	"serve.tls_cert":        "",
	"serve.tls_key":         "",
	"google.client_secrets": "",
	"google.credentials":    "",
	"google.subject":        "",
	"google.calendar":       "",
	"google.token":          "",
	"google.endpoint":       "",
	"google.no_auth":        false,
	"caldav.url":            "",
	"caldav.username":       "",
	"caldav.password":       "",
	"caldav.password_file":  "",
	"caldav.token":          "",
	"caldav.insecure":       false,
	"sync.rate":             5.0,
	"sync.workers":          4,
	"sync.cancelled":        "remove",
	"agenda.travel_speed":   15.0,
	"agenda.min_gap":        5 * time.Minute,
}

// Keys returns every configuration key, sorted.
func Keys() []string {
	out := make([]string, 0, len(defaults))
	for k := range defaults {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// EnvName returns the environment variable for key: CONFCAL_ and the key in
// capitals with dots as underscores (serve.addr is CONFCAL_SERVE_ADDR).
func EnvName(key string) string {
	return "CONFCAL_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// FlagKey maps a flag name to its key: --base-url sets base_url, and a
// flag of a sub-command may name a nested key (--addr is serve.addr).
var flagKeys = map[string]string{
	"programme": "programme", "timezone": "timezone", "lang": "lang", "state": "state", "stateless": "stateless",
	"alarm": "alarm", "base-url": "base_url", "out": "out",
	"addr": "serve.addr", "source": "serve.source", "poll": "serve.poll", "log-format": "serve.log_format",
	"tls-cert": "serve.tls_cert", "tls-key": "serve.tls_key",
	"client-secrets": "google.client_secrets", "credentials": "google.credentials", "subject": "google.subject",
	"calendar": "google.calendar", "url": "caldav.url", "username": "caldav.username",
	"password-file": "caldav.password_file", "insecure": "caldav.insecure",
	"rate": "sync.rate", "workers": "sync.workers", "cancelled": "sync.cancelled",
	"travel-speed": "agenda.travel_speed", "min-gap": "agenda.min_gap",
}

// Options say where to look for configuration.
type Options struct {
	// File is an explicit config file; "" searches the default places.
	File string
	// WorkDir is where confcal.yaml is looked for.
	WorkDir string
	// Env looks up environment variables; nil means os.LookupEnv.
	Env func(string) (string, bool)
	// Flags are the flags of the command being run.
	Flags *pflag.FlagSet
}

// Loaded is a Config together with where each value came from.
type Loaded struct {
	Config  Config
	File    string            // the config file read, if any
	Sources map[string]string // key -> "default", "file PATH", "env NAME" or "flag --NAME"
	Values  map[string]any
}

// Load reads the configuration.
func Load(opts Options) (*Loaded, error) {
	v := viper.New()
	for k, d := range defaults {
		v.SetDefault(k, d)
	}
	lookup := opts.Env
	if lookup == nil {
		lookup = os.LookupEnv
	}
	file, err := findFile(opts, lookup)
	if err != nil {
		return nil, err
	}
	if file != "" {
		v.SetConfigFile(file)
		v.SetConfigType("yaml")
		if err := v.ReadInConfig(); err != nil {
			return nil, fmt.Errorf("read config %s: %w", file, err)
		}
		if err := checkKeys(v, file); err != nil {
			return nil, err
		}
	}
	sources := map[string]string{}
	for _, k := range Keys() {
		sources[k] = "default"
		if file != "" && v.InConfig(k) {
			sources[k] = "file " + file
		}
		if val, ok := lookup(EnvName(k)); ok {
			v.Set(k, val)
			sources[k] = "env " + EnvName(k)
		}
	}
	if opts.Flags != nil {
		opts.Flags.Visit(func(f *pflag.Flag) {
			if k, ok := flagKeys[f.Name]; ok {
				v.Set(k, flagValue(f))
				sources[k] = "flag --" + f.Name
			}
		})
	}
	var cfg Config
	if err := v.Unmarshal(&cfg); err != nil {
		return nil, fmt.Errorf("configuration: %w", err)
	}
	values := map[string]any{}
	for _, k := range Keys() {
		switch defaults[k].(type) {
		case time.Duration:
			values[k] = v.GetDuration(k).String()
		case bool:
			values[k] = v.GetBool(k)
		case float64:
			values[k] = v.GetFloat64(k)
		case int:
			values[k] = v.GetInt(k)
		default:
			values[k] = v.GetString(k)
		}
	}
	return &Loaded{Config: cfg, File: file, Sources: sources, Values: values}, nil
}

func flagValue(f *pflag.Flag) any {
	if sv, ok := f.Value.(pflag.SliceValue); ok {
		return sv.GetSlice()
	}
	return f.Value.String()
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

// checkKeys rejects keys the config file has that confcal does not know,
// so that a typo is not silently ignored.
func checkKeys(v *viper.Viper, file string) error {
	known := map[string]bool{}
	for k := range defaults {
		known[k] = true
		for i := strings.Index(k, "."); i >= 0; i = -1 {
			known[k[:i]] = true
		}
	}
	var bad []string
	for _, k := range v.AllKeys() {
		if !known[k] && v.InConfig(k) {
			bad = append(bad, k)
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return fmt.Errorf("config %s: unknown key%s %s (known keys: confcal config --keys)", file, plural(len(bad)), strings.Join(bad, ", "))
	}
	return nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
