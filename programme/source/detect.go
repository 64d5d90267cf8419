package source

import (
	"bytes"
	"fmt"
	"path"
	"strings"
)

// Format names a programme format confcal reads.
type Format string

// The formats Load reads.
const (
	// Auto detects the format from the content, then the name.
	Auto Format = ""
	// Native is confcal's own YAML or JSON programme.
	Native Format = "native"
	// Frab is a frab, pentabarf or pretalx schedule.xml.
	Frab Format = "frab"
	// C3VOC is a c3voc or pretalx schedule.json, or the flat schedule2
	// draft.
	C3VOC Format = "c3voc"
	// CSV is a spreadsheet export with a header row.
	CSV Format = "csv"
	// ICal is an iCalendar (.ics) file.
	ICal Format = "ical"
)

// Formats lists the formats that can be asked for by name.
var Formats = []Format{Native, Frab, C3VOC, CSV, ICal}

// ParseFormat reads a format name as given to --format. Common other
// names are accepted: yaml and json for native, xml for frab,
// schedule.json for c3voc, ics and icalendar for ical.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "auto":
		return Auto, nil
	case "native", "yaml", "yml", "json":
		return Native, nil
	case "frab", "xml", "pentabarf", "schedule.xml":
		return Frab, nil
	case "c3voc", "pretalx", "schedule.json", "schedule2":
		return C3VOC, nil
	case "csv", "spreadsheet":
		return CSV, nil
	case "ical", "ics", "icalendar":
		return ICal, nil
	}
	return Auto, fmt.Errorf("unknown format %q: use one of native, frab, c3voc, csv or ical", s)
}

// Detect tells the format of data from its content, using name (a file
// name or a URL) only when the content leaves it open.
func Detect(data []byte, name string) Format {
	head := bytes.TrimLeft(bytes.TrimPrefix(data, bom), " \t\r\n")
	if len(head) > 64<<10 {
		head = head[:64<<10]
	}
	switch {
	case bytes.HasPrefix(head, []byte("<")):
		return Frab
	case hasPrefixFold(head, "BEGIN:VCALENDAR"):
		return ICal
	case bytes.HasPrefix(head, []byte("{")):
		if looksLikeC3VOC(bytes.TrimLeft(bytes.TrimPrefix(data, bom), " \t\r\n")) {
			return C3VOC
		}
		return Native
	case bytes.HasPrefix(head, []byte("[")):
		return Native
	}
	if looksLikeYAML(head) {
		return Native
	}
	if looksLikeCSV(head) {
		return CSV
	}
	switch strings.ToLower(path.Ext(strings.SplitN(name, "?", 2)[0])) {
	case ".csv", ".tsv", ".txt":
		return CSV
	case ".ics", ".ical", ".ifb":
		return ICal
	case ".xml":
		return Frab
	}
	return Native
}

var bom = []byte("\xef\xbb\xbf")

func hasPrefixFold(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && strings.EqualFold(string(b[:len(prefix)]), prefix)
}

// looksLikeC3VOC reports whether a JSON object's top-level keys are those
// of a c3voc schedule ("schedule", or "conference" without "sessions")
// rather than those of a native programme.
func looksLikeC3VOC(data []byte) bool {
	keys := topLevelKeys(data)
	return keys["schedule"] || keys["conference"] && !keys["sessions"]
}

// topLevelKeys returns the keys of the JSON object data starts with,
// without decoding it.
func topLevelKeys(data []byte) map[string]bool {
	keys := map[string]bool{}
	depth, expectKey := 0, false
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case '"':
			end := i + 1
			for end < len(data) && data[end] != '"' {
				if data[end] == '\\' {
					end++
				}
				end++
			}
			if depth == 1 && expectKey && end <= len(data) {
				keys[string(data[i+1:min(end, len(data))])] = true
			}
			expectKey = false
			i = end
		case '{', '[':
			depth++
			expectKey = depth == 1 && c == '{'
		case '}', ']':
			depth--
			if depth == 0 {
				return keys
			}
		case ',':
			expectKey = depth == 1
		}
	}
	return keys
}

// looksLikeYAML reports whether the first meaningful line is a YAML
// comment, document marker or mapping key.
func looksLikeYAML(head []byte) bool {
	for _, line := range strings.Split(string(head), "\n") {
		line = strings.TrimRight(line, "\r")
		t := strings.TrimSpace(line)
		switch {
		case t == "":
			continue
		case strings.HasPrefix(t, "#"), strings.HasPrefix(t, "---"), strings.HasPrefix(t, "%YAML"):
			return true
		}
		colon := strings.Index(line, ":")
		comma := strings.IndexAny(line, ",;\t")
		return colon > 0 && (colon+1 == len(line) || line[colon+1] == ' ') && (comma < 0 || colon < comma)
	}
	return false
}

// looksLikeCSV reports whether the first line is a header row of at least
// two fields separated by commas, semicolons or tabs.
func looksLikeCSV(head []byte) bool {
	line, _, _ := strings.Cut(string(head), "\n")
	return strings.Count(line, ",") >= 1 || strings.Count(line, ";") >= 1 || strings.Count(line, "\t") >= 1
}
