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
	// The descriptions of feeds other than the whole programme's, as
	// templates: {what} is what the feed holds (a day, a track, a venue,
	// a room, a speaker, a session), {programme} the programme's name.
	DayFeed, TrackFeed, VenueFeed, RoomFeed string
	SpeakerFeed, SessionFeed, AgendaFeed    string
	// MyAgenda names a personal agenda after the programme's name.
	MyAgenda string
}

var labelsByLang = map[string]Words{
	"en": {Cancelled: "Cancelled", Tentative: "Tentative", Speakers: "Speakers", Track: "Track", Tracks: "Tracks",
		Room: "Room", Venue: "Venue", Livestream: "Livestream", More: "More", Type: "Type",
		NoEnd: "End time not published", Reminder: "Reminder", Moved: "Moved; it was",
		DayFeed: "Day feed: {what} of {programme}", TrackFeed: "Track feed: {what} of {programme}",
		VenueFeed: "Venue feed: {what} of {programme}", RoomFeed: "Room feed: {what} of {programme}",
		SpeakerFeed: "Speaker feed: {what} of {programme}", SessionFeed: "Session feed: {what} of {programme}",
		AgendaFeed: "Personal agenda of {programme}", MyAgenda: "My agenda"},
	"fr": {Cancelled: "Annulé", Tentative: "À confirmer", Speakers: "Intervenants", Track: "Thème", Tracks: "Thèmes",
		Room: "Salle", Venue: "Lieu", Livestream: "Diffusion en direct", More: "En savoir plus", Type: "Type",
		NoEnd: "Heure de fin non publiée", Reminder: "Rappel", Moved: "Déplacé ; c'était",
		DayFeed: "Flux par jour : {what} — {programme}", TrackFeed: "Flux par thème : {what} — {programme}",
		VenueFeed: "Flux par lieu : {what} — {programme}", RoomFeed: "Flux par salle : {what} — {programme}",
		SpeakerFeed: "Flux par intervenant : {what} — {programme}", SessionFeed: "Flux de la séance : {what} — {programme}",
		AgendaFeed: "Agenda personnel — {programme}", MyAgenda: "Mon agenda"},
	"de": {Cancelled: "Abgesagt", Tentative: "Vorläufig", Speakers: "Vortragende", Track: "Track", Tracks: "Tracks",
		Room: "Raum", Venue: "Ort", Livestream: "Livestream", More: "Mehr", Type: "Art",
		NoEnd: "Endzeit nicht veröffentlicht", Reminder: "Erinnerung", Moved: "Verlegt; vorher",
		DayFeed: "Kalender des Tages: {what} – {programme}", TrackFeed: "Kalender des Tracks: {what} – {programme}",
		VenueFeed: "Kalender des Orts: {what} – {programme}", RoomFeed: "Kalender des Raums: {what} – {programme}",
		SpeakerFeed: "Kalender von {what} – {programme}", SessionFeed: "Kalender des Termins: {what} – {programme}",
		AgendaFeed: "Persönliche Agenda – {programme}", MyAgenda: "Meine Agenda"},
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

// Fill returns template with {what} and {programme} replaced.
func Fill(template, what, programme string) string {
	return strings.NewReplacer("{what}", what, "{programme}", programme).Replace(template)
}
