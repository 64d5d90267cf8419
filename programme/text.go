package programme

import "sort"

// Text is a piece of human-readable text in one or more languages. A plain
// string in the source is stored under the empty language tag.
type Text map[string]string

// Plain returns a Text holding s with no language.
func Plain(s string) Text {
	if s == "" {
		return nil
	}
	return Text{"": s}
}

// In returns the text in lang. When lang is missing it falls back to the
// untagged text, then to each language in prefs, then to the first
// language in alphabetical order, so that output never depends on map order.
func (t Text) In(lang string, prefs ...string) string {
	if len(t) == 0 {
		return ""
	}
	if s, ok := t[lang]; ok && s != "" {
		return s
	}
	if s, ok := t[""]; ok && s != "" {
		return s
	}
	for _, p := range prefs {
		if s, ok := t[p]; ok && s != "" {
			return s
		}
	}
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if t[k] != "" {
			return t[k]
		}
	}
	return ""
}

// IsZero reports whether t holds no non-empty text.
func (t Text) IsZero() bool {
	for _, s := range t {
		if s != "" {
			return false
		}
	}
	return true
}

// Languages returns the language tags t holds, sorted, without the empty tag.
func (t Text) Languages() []string {
	var out []string
	for k := range t {
		if k != "" {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
