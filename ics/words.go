package ics

import "strings"

// Words are the few words confcal writes into events itself, in one
// language.
type Words struct {
	Cancelled, Tentative                 string
	Speakers, Track, Tracks, Room, Venue string
	Livestream, More, Type, NoEnd        string
	Reminder                             string
	Moved                                string
}

var labelsByLang = map[string]Words{
	"en": {Cancelled: "Cancelled", Tentative: "Tentative", Speakers: "Speakers", Track: "Track", Tracks: "Tracks",
		Room: "Room", Venue: "Venue", Livestream: "Livestream", More: "More", Type: "Type",
		NoEnd: "End time not published", Reminder: "Reminder", Moved: "Moved; it was"},
	"fr": {Cancelled: "Annulé", Tentative: "À confirmer", Speakers: "Intervenants", Track: "Thème", Tracks: "Thèmes",
		Room: "Salle", Venue: "Lieu", Livestream: "Diffusion en direct", More: "En savoir plus", Type: "Type",
		NoEnd: "Heure de fin non publiée", Reminder: "Rappel", Moved: "Déplacé ; c'était"},
	"de": {Cancelled: "Abgesagt", Tentative: "Vorläufig", Speakers: "Vortragende", Track: "Track", Tracks: "Tracks",
		Room: "Raum", Venue: "Ort", Livestream: "Livestream", More: "Mehr", Type: "Art",
		NoEnd: "Endzeit nicht veröffentlicht", Reminder: "Erinnerung", Moved: "Verlegt; vorher"},
}

// WordsFor returns the words of lang (a BCP 47 tag; its first part
// counts), or English.
func WordsFor(lang string) Words {
	base, _, _ := strings.Cut(strings.ToLower(lang), "-")
	if l, ok := labelsByLang[base]; ok {
		return l
	}
	return labelsByLang["en"]
}
