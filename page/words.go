package page

import (
	"fmt"
	"strings"
	"time"

	"github.com/confcal/confcal/feed"
	"github.com/confcal/confcal/programme"
)

// words are what the page says itself, in one language. The page speaks
// the language of the feed set (feed.Set.Lang: --lang, or the programme's
// first language): English or French, and English for any other.
type words struct {
	Lang                                    string // the BCP 47 base of the words: en, fr
	TitleSuffix, TimesIn, Website           string
	Programme, Days, Tracks, AllTracks      string
	Now, Next                               string
	Subscribe, SubscribeIntro               string
	GoogleHint, FromURL, GoogleHintEnd      string
	Webcal, Google, Outlook, OutlookWork    string
	OutlookTitle, OutlookWorkTitle          string
	Download, Address, CopyAddress, Copied  string
	AddressPrompt                           string
	TickIntro, AgendaNone, AgendaLink       string
	AgendaFromURL, FromURLEnd, Clear, Copy  string
	DownloadAgenda, YourAgenda              string
	SyncGoogle, SyncGoogleTitle             string
	Cancelled, Tentative, AddToCalendar     string
	NoSessions, MadeWith, AllDay, Elsewhere string
	FromTime, DayFeed                       string
	NothingChosen, NothingChosenHint        string
	CannotMake, Back                        string
	Session, Event                          plural
	Groups                                  map[feed.Kind]string
	days, months                            []string // short names, Sunday and January first
	longMonths                              []string
}

// plural holds the two forms of a count, with %d for the number: the
// form for one ("1 session") and the form for other counts.
type plural struct{ One, Other string }

var wordsByLang = map[string]*words{
	"en": {
		Lang: "en", TitleSuffix: "programme and calendars", TimesIn: "times in", Website: "Programme website",
		Programme: "Programme", Days: "Days", Tracks: "Tracks", AllTracks: "All",
		Now: "Now", Next: "Next",
		Subscribe:      "Subscribe",
		SubscribeIntro: "Subscribe once and the calendar follows every change to the programme; Download gives a copy that does not.",
		GoogleHint:     "Google Calendar: if its button does not add the calendar, copy the calendar's address and paste it on Google's ",
		FromURL:        "From URL", GoogleHintEnd: " page.",
		Webcal: "Subscribe", Google: "Google Calendar", Outlook: "Outlook.com", OutlookWork: "Outlook 365",
		OutlookTitle: "Outlook on the web, personal account", OutlookWorkTitle: "Outlook on the web, work or school account",
		Download: "Download", Address: "Address", CopyAddress: "Copy address", Copied: "Copied",
		AddressPrompt: "The calendar's address:",
		TickIntro:     "Tick sessions to make your own calendar: one link you can subscribe to, which follows every change to those sessions.",
		AgendaNone:    "Your agenda: tick sessions above to build it.", AgendaLink: "Link to your agenda",
		AgendaFromURL: "to paste on Google's ", FromURLEnd: " page if its button fails",
		Clear: "Clear", Copy: "Copy", DownloadAgenda: "Download my agenda", YourAgenda: "Your agenda",
		SyncGoogle: "Sync to Google Calendar", SyncGoogleTitle: "Sign in with Google: these sessions go into a calendar of your own, kept up to date within minutes of every change",
		Cancelled: "Cancelled", Tentative: "To be confirmed", AddToCalendar: "Add to calendar",
		NoSessions: "The programme has no sessions yet.", MadeWith: "made with confcal",
		AllDay: "All day", Elsewhere: "Elsewhere", FromTime: "From", DayFeed: "Download the calendar of this day",
		NothingChosen:     "Nothing chosen",
		NothingChosenHint: "Tick at least one session in the programme, then download your agenda.",
		CannotMake:        "This agenda cannot be made", Back: "Back to the programme",
		Session: plural{"%d session", "%d sessions"}, Event: plural{"%d event", "%d events"},
		Groups: map[feed.Kind]string{feed.KindAll: "Whole programme", feed.KindDay: "By day", feed.KindTrack: "By track",
			feed.KindVenue: "By venue", feed.KindRoom: "By room", feed.KindSpeaker: "By speaker"},
		days:       []string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"},
		months:     []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"},
		longMonths: []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
	},
	"fr": {
		Lang: "fr", TitleSuffix: "programme et calendriers", TimesIn: "fuseau horaire", Website: "Site du programme",
		Programme: "Programme", Days: "Jours", Tracks: "Thèmes", AllTracks: "Tous",
		Now: "En ce moment", Next: "Ensuite",
		Subscribe:      "S'abonner",
		SubscribeIntro: "Abonnez-vous une fois et le calendrier suit chaque changement du programme ; Télécharger en donne une copie qui ne le suit pas.",
		GoogleHint:     "Google Agenda : si son bouton n'ajoute pas le calendrier, copiez l'adresse du calendrier et collez-la sur la page ",
		FromURL:        "À partir de l'URL", GoogleHintEnd: " de Google.",
		Webcal: "S'abonner", Google: "Google Agenda", Outlook: "Outlook.com", OutlookWork: "Outlook 365",
		OutlookTitle: "Outlook sur le web, compte personnel", OutlookWorkTitle: "Outlook sur le web, compte professionnel ou scolaire",
		Download: "Télécharger", Address: "Adresse", CopyAddress: "Copier l'adresse", Copied: "Copiée",
		AddressPrompt: "L'adresse du calendrier :",
		TickIntro:     "Cochez des séances pour composer votre propre calendrier : un lien auquel vous abonner, qui suit chaque changement de ces séances.",
		AgendaNone:    "Votre agenda : cochez des séances ci-dessus pour le composer.", AgendaLink: "Lien vers votre agenda",
		AgendaFromURL: "à coller sur la page ", FromURLEnd: " de Google si son bouton échoue",
		Clear: "Effacer", Copy: "Copier", DownloadAgenda: "Télécharger mon agenda", YourAgenda: "Votre agenda",
		SyncGoogle: "Synchroniser avec Google Agenda", SyncGoogleTitle: "Connectez-vous avec Google : ces sessions vont dans un agenda à vous, tenu à jour quelques minutes après chaque changement",
		Cancelled: "Annulé", Tentative: "À confirmer", AddToCalendar: "Ajouter à l'agenda",
		NoSessions: "Le programme n'a pas encore de séances.", MadeWith: "fait avec confcal",
		AllDay: "Toute la journée", Elsewhere: "Ailleurs", FromTime: "À partir de", DayFeed: "Télécharger le calendrier de ce jour",
		NothingChosen:     "Rien n'est choisi",
		NothingChosenHint: "Cochez au moins une séance du programme, puis téléchargez votre agenda.",
		CannotMake:        "Cet agenda ne peut pas être composé", Back: "Retour au programme",
		Session: plural{"%d séance", "%d séances"}, Event: plural{"%d événement", "%d événements"},
		Groups: map[feed.Kind]string{feed.KindAll: "Tout le programme", feed.KindDay: "Par jour", feed.KindTrack: "Par thème",
			feed.KindVenue: "Par lieu", feed.KindRoom: "Par salle", feed.KindSpeaker: "Par intervenant"},
		days:   []string{"dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."},
		months: []string{"janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."},
		longMonths: []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
			"novembre", "décembre"},
	},
}

// wordsFor returns the words of lang (a BCP 47 tag; its first part
// counts), or English.
func wordsFor(lang string) *words {
	base, _, _ := strings.Cut(strings.ToLower(lang), "-")
	if w, ok := wordsByLang[base]; ok {
		return w
	}
	return wordsByLang["en"]
}

// isOne reports whether n takes the singular in the words' language:
// in English only 1 does ("0 sessions"), in French 0 and 1 do ("0 séance",
// "1 séance", "2 séances"). The page's script applies the same rule.
func (w *words) isOne(n int) bool {
	if w.Lang == "fr" {
		return n == 0 || n == 1
	}
	return n == 1
}

// count says n with the right form of p: "1 session", "2 sessions".
func (w *words) count(p plural, n int) string {
	form := p.Other
	if w.isOne(n) {
		form = p.One
	}
	return strings.Replace(form, "%d", fmt.Sprint(n), 1)
}

// shortDay names d briefly: "Thu 6 Feb", "jeu. 6 févr.".
func (w *words) shortDay(d programme.Date) string {
	t := d.In(time.UTC)
	return fmt.Sprintf("%s %d %s", w.days[t.Weekday()], d.Day, w.months[d.Month-1])
}

// dateRange formats the span of a programme for people: "6–11 February
// 2025", "28 February – 2 March 2025", "Thursday 6 February 2025".
func (w *words) dateRange(a, b programme.Date) string {
	month := func(d programme.Date) string { return w.longMonths[d.Month-1] }
	switch {
	case a == b:
		return feed.DayTitle(a, w.Lang)
	case a.Year == b.Year && a.Month == b.Month:
		return fmt.Sprintf("%d–%d %s %d", a.Day, b.Day, month(b), b.Year)
	case a.Year == b.Year:
		return fmt.Sprintf("%d %s – %d %s %d", a.Day, month(a), b.Day, month(b), b.Year)
	}
	return fmt.Sprintf("%d %s %d – %d %s %d", a.Day, month(a), a.Year, b.Day, month(b), b.Year)
}
