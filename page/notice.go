package page

import (
	"bytes"

	"github.com/confcal/confcal/feed"
)

type noticeData struct {
	W                              *words
	Name, Heading, Message, Detail string
}

// AgendaProblem renders the small page a browser gets, in the look and
// language of the discovery page, when the agenda it asked for cannot be
// made: empty says that nothing was chosen (the page's form sent with no
// session ticked); otherwise detail, the server's message, says what is
// wrong. The page links back to the discovery page, which sits beside
// agenda.ics. Everything in it is escaped.
func AgendaProblem(set *feed.Set, empty bool, detail string) ([]byte, error) {
	w := wordsFor(set.Lang)
	d := noticeData{W: w, Name: set.Text(set.Programme.Name), Heading: w.CannotMake, Message: detail}
	if empty {
		d.Heading, d.Message = w.NothingChosen, w.NothingChosenHint
	}
	var b bytes.Buffer
	if err := indexTemplate.ExecuteTemplate(&b, "notice", d); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
