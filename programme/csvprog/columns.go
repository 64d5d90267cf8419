package csvprog

import (
	"strings"
	"unicode"
)

// Field is what a column holds.
type Field string

// The fields a column can hold.
const (
	FieldID          Field = "id"
	FieldTitle       Field = "title"
	FieldSubtitle    Field = "subtitle"
	FieldDescription Field = "description"
	FieldDate        Field = "date"
	FieldEndDate     Field = "end_date"
	FieldStart       Field = "start"
	FieldEnd         Field = "end"
	FieldDuration    Field = "duration"
	FieldVenue       Field = "venue"
	FieldRoom        Field = "room"
	FieldTrack       Field = "track"
	FieldType        Field = "type"
	FieldSpeakers    Field = "speakers"
	FieldURL         Field = "url"
	FieldLivestream  Field = "livestream"
	FieldTags        Field = "tags"
	FieldLanguage    Field = "language"
	FieldStatus      Field = "status"
)

// Columns maps each field to the column names that hold it: its own name
// first, then the synonyms found in real spreadsheets.
var Columns = []struct {
	Field Field
	Names []string
}{
	{FieldID, []string{"id", "session id", "uid", "guid", "code", "key", "ref", "reference"}},
	{FieldTitle, []string{"title", "session", "session title", "name", "session name", "talk", "talk title", "subject", "summary"}},
	{FieldSubtitle, []string{"subtitle", "sub title"}},
	{FieldDescription, []string{"description", "abstract", "details", "desc", "notes", "synopsis"}},
	{FieldDate, []string{"date", "day", "start date", "session date"}},
	{FieldEndDate, []string{"end date", "until date", "last day"}},
	{FieldStart, []string{"start", "start time", "starts", "from", "begin", "begins", "time", "start datetime", "starts at"}},
	{FieldEnd, []string{"end", "end time", "ends", "to", "until", "finish", "end datetime", "ends at"}},
	{FieldDuration, []string{"duration", "length", "minutes", "mins", "duration minutes"}},
	{FieldVenue, []string{"venue", "building", "site"}},
	{FieldRoom, []string{"room", "hall", "stage", "location", "place", "where"}},
	{FieldTrack, []string{"track", "tracks", "stream", "theme", "topic", "category", "categories"}},
	{FieldType, []string{"type", "format", "kind", "session type"}},
	{FieldSpeakers, []string{"speakers", "speaker", "presenters", "presenter", "persons", "people", "hosts", "host", "authors", "author", "moderators", "moderator", "panelists"}},
	{FieldURL, []string{"url", "link", "website", "web", "page"}},
	{FieldLivestream, []string{"livestream", "live stream", "stream url", "video", "video url"}},
	{FieldTags, []string{"tags", "keywords", "labels"}},
	{FieldLanguage, []string{"language", "lang"}},
	{FieldStatus, []string{"status", "state"}},
}

var byName = func() map[string]Field {
	m := map[string]Field{}
	for _, c := range Columns {
		for _, n := range c.Names {
			m[normalizeName(n)] = c.Field
		}
	}
	return m
}()

// normalizeName folds a column name: lowercase, letters and digits only.
func normalizeName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// FieldOf returns the field a column name stands for.
func FieldOf(name string) (Field, bool) {
	f, ok := byName[normalizeName(name)]
	return f, ok
}

// LooksLikeHeader reports whether a header row names at least a title
// column and a date or start column, which is how a CSV programme is told
// from other text.
func LooksLikeHeader(names []string) bool {
	var title, when bool
	for _, n := range names {
		switch f, _ := FieldOf(n); f {
		case FieldTitle:
			title = true
		case FieldDate, FieldStart:
			when = true
		}
	}
	return title && when
}
