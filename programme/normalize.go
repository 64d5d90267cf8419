package programme

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Normalize completes a programme built by a decoder or an importer: it
// gives inline speakers ids (one speaker per name), gives every session a
// UID key that is unique even when a source repeats an id at several times,
// fills in the UID domain and sorts the sessions. It is idempotent.
func Normalize(p *Programme) {
	if p.Location == nil {
		if loc, err := LoadLocation(p.TimeZone); err == nil {
			p.Location = loc
		}
	}
	for _, v := range p.Venues {
		if v.Location == nil {
			v.Location = p.Location
		}
		for _, r := range v.Rooms {
			r.Venue = v
		}
	}
	if p.Domain == "" {
		p.Domain = defaultDomain(p)
	}
	internSpeakers(p)
	assignUIDKeys(p)
	p.SortSessions()
}

func defaultDomain(p *Programme) string {
	// A host that is not a domain name (a typo, an IPv6 literal) would
	// make UIDs that the programme's own domain field refuses.
	if u, err := url.Parse(p.URL); err == nil && domainPattern.MatchString(u.Hostname()) {
		return u.Hostname()
	}
	return "confcal.invalid"
}

func internSpeakers(p *Programme) {
	byName := map[string]*Speaker{}
	used := map[string]bool{}
	for _, s := range p.Speakers {
		used[s.ID] = true
		if !s.Inline {
			byName[strings.ToLower(s.Name)] = s
		}
	}
	for _, s := range p.Speakers {
		if s.Inline {
			byName[strings.ToLower(s.Name)] = s
		}
	}
	for _, sess := range p.Sessions {
		for i, sp := range sess.Speakers {
			if sp.ID != "" && !sp.Inline {
				continue
			}
			key := strings.ToLower(sp.Name)
			if known, ok := byName[key]; ok {
				sess.Speakers[i] = known
				continue
			}
			if sp.ID == "" {
				sp.ID = uniqueSlug(Slugify(sp.Name), used)
			}
			used[sp.ID] = true
			sp.Inline = true
			byName[key] = sp
			p.Speakers = append(p.Speakers, sp)
		}
	}
}

func uniqueSlug(base string, used map[string]bool) string {
	if base == "" {
		base = "speaker"
	}
	s := base
	for i := 2; used[s]; i++ {
		s = fmt.Sprintf("%s-%d", base, i)
	}
	return s
}

func assignUIDKeys(p *Programme) {
	byID := map[string][]*Session{}
	for _, s := range p.Sessions {
		if s.UIDKey != "" {
			continue
		}
		byID[s.ID] = append(byID[s.ID], s)
	}
	for id, group := range byID {
		for _, s := range group {
			s.keyBase = id
		}
		if len(group) == 1 {
			group[0].UIDKey = id
			continue
		}
		// Several occurrences of one id: the earliest keeps the id, the
		// others add their start time, which is stable across runs.
		sort.SliceStable(group, func(i, j int) bool {
			a, _ := group[i].Interval(p)
			b, _ := group[j].Interval(p)
			return a.Before(b)
		})
		seen := map[string]bool{}
		for i, s := range group {
			key := id
			if i > 0 {
				a, _ := s.Interval(p)
				key = RepeatKey(id, a)
			}
			for n := 2; seen[key]; n++ {
				key = fmt.Sprintf("%s-%d", key, n)
			}
			seen[key] = true
			s.UIDKey = key
		}
	}
}

// RepeatKey returns the UID key of an occurrence of the repeated id base
// that starts at start: the id and the start in UTC, 20060102T1504.
func RepeatKey(base string, start time.Time) string {
	return base + "-" + start.UTC().Format("20060102T1504")
}

// Slugify turns a name into a lowercase ASCII id: "Éric Lombard" becomes
// "eric-lombard".
func Slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFKD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(unicode.ToLower(r))
			dash = false
		case r == 'ß':
			b.WriteString("ss")
			dash = false
		case r == 'ø' || r == 'Ø':
			b.WriteString("o")
			dash = false
		case r == 'æ' || r == 'Æ':
			b.WriteString("ae")
			dash = false
		case r == 'œ' || r == 'Œ':
			b.WriteString("oe")
			dash = false
		default:
			if b.Len() > 0 && !dash {
				b.WriteByte('-')
				dash = true
			}
		}
	}
	return strings.TrimRight(b.String(), "-")
}
