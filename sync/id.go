package sync

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

var idEncoding = base32.HexEncoding.WithPadding(base32.NoPadding)

// EventID returns the event id of the session with uid for owner: "cc" and
// the base32hex SHA-256 of the tool, source, uid and generation, in lower
// case: 54 characters of [0-9a-v], as Google Calendar requires and any
// CalDAV server accepts in a resource name. The id depends on nothing that
// can change about a session, so a changed session keeps its event.
func EventID(owner Owner, uid string) string {
	h := sha256.New()
	for _, part := range []string{Tool, owner.Source, uid, strconv.Itoa(owner.Generation)} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return "cc" + strings.ToLower(idEncoding.EncodeToString(h.Sum(nil)))
}

// ValidID reports whether id has the shape of an EventID.
func ValidID(id string) bool {
	if len(id) != 54 || !strings.HasPrefix(id, "cc") {
		return false
	}
	for _, c := range id[2:] {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'v') {
			return false
		}
	}
	return true
}

// canonical is the form of Fields that Hash digests: every field, times
// as UTC instants, in a fixed order.
type canonical struct {
	V           string `json:"v"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Location    string `json:"location"`
	URL         string `json:"url"`
	Start       string `json:"start,omitempty"`
	End         string `json:"end,omitempty"`
	TimeZone    string `json:"tz,omitempty"`
	AllDay      bool   `json:"allDay,omitempty"`
	StartDate   string `json:"startDate,omitempty"`
	EndDate     string `json:"endDate,omitempty"`
	Status      string `json:"status"`
	Free        bool   `json:"free,omitempty"`
}

// Hash returns the hex SHA-256 of the canonical form of f. It changes
// exactly when a managed field changes.
func (f Fields) Hash() string {
	c := canonical{V: Schema, Title: f.Title, Description: f.Description, Location: f.Location, URL: f.URL,
		TimeZone: f.TimeZone, AllDay: f.AllDay, StartDate: f.StartDate, EndDate: f.EndDate, Status: f.Status, Free: f.Free}
	if !f.AllDay {
		c.Start = f.Start.UTC().Format(time.RFC3339)
		c.End = f.End.UTC().Format(time.RFC3339)
	}
	b, _ := json.Marshal(c) // cannot fail: strings and bools only
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
