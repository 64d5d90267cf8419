package config

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"time"

	"github.com/spf13/pflag"
)

// field is one key of Config: where it is in the struct and the flag that
// sets it.
type field struct {
	index []int
	flag  string
}

var (
	// fieldsByKey holds every key, read from Config's tags.
	fieldsByKey = map[string]field{}
	// sections are the keys that group others (serve, google...).
	sections = map[string]bool{}
	// flagKeys maps a flag name to the key it sets: --base-url sets
	// base_url, and a flag of a sub-command may set a nested key (--addr
	// is serve.addr). A flag name sets one key in every command.
	flagKeys = map[string]string{}
)

var durationType = reflect.TypeFor[time.Duration]()

func init() {
	collect(reflect.TypeFor[Config](), "", nil)
}

func collect(t reflect.Type, prefix string, index []int) {
	for i := range t.NumField() {
		f := t.Field(i)
		key := prefix + f.Tag.Get("key")
		idx := append(slices.Clone(index), i)
		if f.Type.Kind() == reflect.Struct && f.Type != durationType {
			sections[key] = true
			collect(f.Type, key+".", idx)
			continue
		}
		fl := f.Tag.Get("flag")
		fieldsByKey[key] = field{index: idx, flag: fl}
		if fl != "" {
			if other, dup := flagKeys[fl]; dup {
				panic(fmt.Sprintf("config: flag --%s sets both %s and %s", fl, other, key))
			}
			flagKeys[fl] = key
		}
	}
}

// Keys returns every configuration key, sorted.
func Keys() []string {
	return slices.Sorted(maps.Keys(fieldsByKey))
}

// FlagName returns the flag that sets key, or "" when none does.
func FlagName(key string) string {
	return fieldsByKey[key].flag
}

// FlagKey returns the key a flag of that name sets, or "" when it sets
// none.
func FlagKey(name string) string {
	return flagKeys[name]
}

// annotation marks a flag declared by Flag with the key it sets.
const annotation = "confcal-config-key"

// KeyOf returns the key f sets: f was declared by Flag. It is "" for
// other flags, which set no key.
func KeyOf(f *pflag.Flag) string {
	if ks := f.Annotations[annotation]; len(ks) == 1 {
		return ks[0]
	}
	return ""
}

// value returns the field of key in c.
func value(c *Config, key string) reflect.Value {
	f, ok := fieldsByKey[key]
	if !ok {
		panic("config: no key " + key)
	}
	return reflect.ValueOf(c).Elem().FieldByIndex(f.index)
}

// get returns the value of key in c as `confcal config` shows it:
// durations as text, other values as they are.
func get(c *Config, key string) any {
	v := value(c, key)
	if v.Type() == durationType {
		return time.Duration(v.Int()).String()
	}
	return v.Interface()
}

// set parses s as the value of key in c. The error says what the key
// takes; the caller names where s came from.
func set(c *Config, key, s string) error {
	v := value(c, key)
	switch {
	case v.Type() == durationType:
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("not a duration such as 10m, 90s or 1h30m: %w", err)
		}
		v.SetInt(int64(d))
	case v.Kind() == reflect.String:
		v.SetString(s)
	case v.Kind() == reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("%q is neither true nor false", s)
		}
		v.SetBool(b)
	case v.Kind() == reflect.Int:
		n, err := strconv.Atoi(s)
		if err != nil {
			return fmt.Errorf("%q is not a whole number", s)
		}
		v.SetInt(int64(n))
	case v.Kind() == reflect.Float64:
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("%q is not a number", s)
		}
		v.SetFloat(x)
	default:
		panic("config: no parser for " + v.Type().String())
	}
	return nil
}

// Flag declares on fs the flag that sets key: its name from Config's
// tags, its type and default from the key. usage is the help text; a word
// in backquotes names the value, as pflag takes it (`DURATION`).
func Flag(fs *pflag.FlagSet, key, usage string) {
	FlagP(fs, key, "", usage)
}

// FlagP is Flag with a one-letter shorthand.
func FlagP(fs *pflag.FlagSet, key, shorthand, usage string) {
	f, ok := fieldsByKey[key]
	if !ok || f.flag == "" {
		panic("config: no flag for key " + key)
	}
	d := Defaults()
	def := value(&d, key)
	switch {
	case def.Type() == durationType:
		fs.DurationP(f.flag, shorthand, time.Duration(def.Int()), usage)
	case def.Kind() == reflect.String:
		fs.StringP(f.flag, shorthand, def.String(), usage)
	case def.Kind() == reflect.Bool:
		fs.BoolP(f.flag, shorthand, def.Bool(), usage)
	case def.Kind() == reflect.Int:
		fs.IntP(f.flag, shorthand, int(def.Int()), usage)
	case def.Kind() == reflect.Float64:
		fs.Float64P(f.flag, shorthand, def.Float(), usage)
	default:
		panic("config: no flag type for " + def.Type().String())
	}
	if err := fs.SetAnnotation(f.flag, annotation, []string{key}); err != nil {
		panic(err) // the flag was just declared
	}
}
