package c3voc

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/confcal/confcal/programme/internal/lenient"
)

// flexString is a JSON value read as text: a string, a number or a
// boolean. null is empty; an object or a list is kept in Bad so that it
// can be reported.
type flexString struct {
	S   string
	Bad json.RawMessage
}

func (f *flexString) UnmarshalJSON(b []byte) error {
	switch {
	case len(b) == 0:
	case b[0] == '"':
		if bytes.IndexByte(b, '\\') < 0 && utf8.Valid(b) {
			f.S = string(b[1 : len(b)-1])
			return nil
		}
		return json.Unmarshal(b, &f.S)
	case b[0] == 'n':
		f.S = ""
	case b[0] == '{' || b[0] == '[':
		f.Bad = append(json.RawMessage(nil), b...)
	default:
		f.S = string(b)
	}
	return nil
}

// flexText is a string or a map from language to string (schedule2's
// LocalizableString); a map is read in the preferred language.
type flexText struct {
	flexString
	Langs map[string]string
}

func (f *flexText) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '{' {
		var m map[string]flexString
		if err := json.Unmarshal(b, &m); err == nil && languageKeys(m) {
			f.Langs = map[string]string{}
			for k, v := range m {
				if v.S != "" {
					f.Langs[k] = v.S
				}
			}
			return nil
		}
	}
	return f.flexString.UnmarshalJSON(b)
}

// languageKeys reports whether every key of m is a language tag such as
// en or pt-BR, so that m is a map of translations.
func languageKeys(m map[string]flexString) bool {
	for k, v := range m {
		if lenient.Language(k) != k && lenient.Language(k) != strings.ToLower(k) || v.Bad != nil {
			return false
		}
	}
	return true
}

// in returns the text in lang, else English, else the first language.
func (f *flexText) in(lang string) string {
	if f.Langs == nil {
		return f.S
	}
	for _, l := range []string{lang, "en"} {
		if s, ok := f.Langs[l]; ok {
			return s
		}
	}
	keys := make([]string, 0, len(f.Langs))
	for k := range f.Langs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) > 0 {
		return f.Langs[keys[0]]
	}
	return ""
}
