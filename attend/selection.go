package attend

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"

	"github.com/confcal/confcal/feed"
	"github.com/confcal/confcal/programme"
	calsync "github.com/confcal/confcal/sync"
)

// Choice is a selection resolved against one edition of the programme.
type Choice struct {
	// Selection is the canonical form to store.
	Selection string
	// Title names the selection: the feed's title, or the agenda's.
	Title    string
	Sessions []*programme.Session
}

// Resolve reads a selection, as a query (feed=PATH, or the agenda query
// of /agenda.ics: session=a,b, track=x...), against set. A feed the set
// does not have, an unknown session or track, or an empty selection is an
// error that says which.
func Resolve(set *feed.Set, query url.Values) (*Choice, error) {
	if paths, ok := query["feed"]; ok {
		if len(query) != 1 || len(paths) != 1 {
			return nil, fmt.Errorf("feed: give one feed, and nothing else")
		}
		path := paths[0]
		f := set.Feed(strings.TrimSuffix(path, ".ics"))
		if f == nil || !strings.HasSuffix(path, ".ics") || f.Kind == feed.KindSession {
			return nil, fmt.Errorf("feed %q: the programme has no such feed", path)
		}
		c := &Choice{Selection: url.Values{"feed": {f.Slug + ".ics"}}.Encode(), Title: f.Title}
		for _, ev := range f.Events {
			if !ev.Ghost {
				c.Sessions = append(c.Sessions, ev.Session)
			}
		}
		return c, nil
	}
	sel, err := programme.ParseQuery(query)
	if err != nil {
		return nil, err
	}
	sessions, err := set.Programme.Select(sel)
	if err != nil {
		return nil, err
	}
	return &Choice{Selection: sel.Query().Encode(), Title: set.AgendaTitle(), Sessions: sessions}, nil
}

// ResolveStored resolves a stored selection.
func ResolveStored(set *feed.Set, selection string) (*Choice, error) {
	q, err := url.ParseQuery(selection)
	if err != nil {
		return nil, fmt.Errorf("selection %q: %w", selection, err)
	}
	return Resolve(set, q)
}

// Hash sums up the events c's calendar should hold, as cat (the
// catalogue of the edition c was resolved against) renders them: equal
// hashes, nothing to write.
func Hash(cat *calsync.Catalog, c *Choice) string {
	lines := make([]string, 0, len(c.Sessions))
	for _, s := range c.Sessions {
		if it, ok := cat.Item(s); ok {
			lines = append(lines, it.ID+" "+it.Marker.Hash+"\n")
		}
	}
	slices.Sort(lines)
	h := sha256.New()
	for _, l := range lines {
		io.WriteString(h, l)
	}
	return hex.EncodeToString(h.Sum(nil))
}
