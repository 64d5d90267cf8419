package sync

import "strings"

// NotesMarker is the line confcal puts at the end of every description it
// writes. Text above it is confcal's and is replaced when the session
// changes; text the user writes below it is theirs and is kept.
const NotesMarker = "--- your notes below this line are kept by confcal ---"

// JoinNotes returns the description to write: confcal's text, the marker
// line, and the user's notes.
func JoinNotes(managed, notes string) string {
	var b strings.Builder
	if managed != "" {
		b.WriteString(managed)
		b.WriteString("\n\n")
	}
	b.WriteString(NotesMarker)
	if notes != "" {
		b.WriteString("\n")
		b.WriteString(notes)
	}
	return b.String()
}

// SplitNotes splits a description read from a calendar into confcal's text
// and the user's notes. A description without the marker line is all
// confcal's: its notes are empty. Calendar web interfaces may turn line
// breaks into HTML; a leading <br> before the notes is dropped.
func SplitNotes(desc string) (managed, notes string) {
	i := strings.LastIndex(desc, NotesMarker)
	if i < 0 {
		return desc, ""
	}
	managed = strings.TrimRight(desc[:i], "\r\n")
	managed = strings.TrimSuffix(strings.TrimSuffix(managed, "<br>"), "<br>")
	notes = strings.TrimLeft(desc[i+len(NotesMarker):], "\r\n")
	notes = strings.TrimPrefix(notes, "<br>")
	return managed, notes
}
