package lenient

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/confcal/confcal/programme"
)

var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._~-]*$`)

// ValidID reports whether s is acceptable as an id in the native format.
func ValidID(s string) bool { return idPattern.MatchString(s) }

// ID returns s when it is a valid native id, or a slug made from it. The
// second result reports whether s had to be changed. A value with nothing
// to make a slug from gives "".
func ID(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if ValidID(s) {
		return s, false
	}
	return programme.Slugify(s), true
}

// Unique returns base, or base followed by -2, -3... when base is already
// in used, and records the result in used.
func Unique(base string, used map[string]bool) string {
	if base == "" {
		base = "x"
	}
	s := base
	for i := 2; used[s]; i++ {
		s = base + "-" + strconv.Itoa(i)
	}
	used[s] = true
	return s
}

// URL returns raw as an absolute http(s) URL acceptable to the native
// format: relative references are resolved against base, spaces and other
// characters that must be escaped are escaped. It returns "" when raw
// cannot be made into such a URL.
func URL(raw, base string) string {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		u, err = url.Parse(strings.ReplaceAll(raw, " ", "%20"))
		if err != nil {
			return ""
		}
	}
	if !u.IsAbs() {
		b, err := url.Parse(strings.TrimSpace(base))
		if err != nil || !b.IsAbs() {
			return ""
		}
		u = b.ResolveReference(u)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return ""
	}
	s := u.String()
	if host := u.Host; host != url.PathEscape(host) && utf8.ValidString(host) && !strings.ContainsAny(host, "%/?#@ ") {
		// An internationalised domain name stays readable: percent
		// escapes are not valid in a host.
		s = strings.Replace(s, "//"+escapeHost(host), "//"+host, 1)
	}
	if strings.ContainsAny(s, " \t\r\n\"<>") || !utf8.ValidString(s) {
		return ""
	}
	return s
}

// escapeHost escapes a host as url.URL.String does.
func escapeHost(host string) string {
	return (&url.URL{Host: host}).String()[2:]
}

var langPattern = regexp.MustCompile(`^[a-zA-Z]{2,3}(-[A-Za-z0-9]{2,8})*$`)

// Language returns the first language tag in s ("de, en" gives "de"), or
// "" when s holds none.
func Language(s string) string {
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '/' || r == ' ' }) {
		f = strings.ReplaceAll(f, "_", "-")
		if langPattern.MatchString(f) {
			return strings.ToLower(f[:2]) + f[2:]
		}
	}
	return ""
}

// Text cleans a piece of text from a source: invalid UTF-8 is replaced,
// line endings become \n, the Unicode line and paragraph separators become
// newlines, other control characters are dropped and surrounding space is
// trimmed.
func Text(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\r' || r == '\u2028' || r == '\u2029':
			return '\n'
		case r == '\n' || r == '\t':
			return r
		case r < 0x20 || r == 0x7f || r == 0xfeff:
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// Line is Text for one-line values such as titles and names: every run of
// white space, newlines included, becomes one space.
func Line(s string) string {
	s = Text(s)
	if strings.ContainsAny(s, "\n\t") || strings.Contains(s, "  ") {
		s = strings.Join(strings.Fields(s), " ")
	}
	return s
}

// Colour returns c as a lowercase #rrggbb colour, expanding #rgb, or ""
// when c is not such a colour.
func Colour(c string) string {
	c = strings.ToLower(strings.TrimSpace(c))
	if len(c) == 4 && c[0] == '#' {
		c = "#" + string([]byte{c[1], c[1], c[2], c[2], c[3], c[3]})
	}
	if len(c) != 7 || c[0] != '#' {
		return ""
	}
	for _, r := range c[1:] {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') {
			return ""
		}
	}
	return c
}

// Track returns the track of p called name, compared without case, through
// byName; a name not seen before becomes a new track of p with an id made
// from it.
func Track(p *programme.Programme, byName map[string]*programme.Track, name string) *programme.Track {
	key := strings.ToLower(name)
	if t := byName[key]; t != nil {
		return t
	}
	used := map[string]bool{}
	for _, t := range p.Tracks {
		used[t.ID] = true
	}
	t := &programme.Track{ID: Unique(programme.Slugify(name), used), Name: programme.Plain(name)}
	byName[key] = t
	p.Tracks = append(p.Tracks, t)
	return t
}
