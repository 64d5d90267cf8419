package main

import (
	"errors"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/confcal/confcal/programme"
)

// selectionFlags are the flags of the selection language, shared by every
// command that chooses sessions (list, agenda, sync). Each has a query
// parameter twin of the same name (--text is q).
type selectionFlags struct {
	sel    programme.Selection
	agenda string

	flags  *pflag.FlagSet
	loaded *programme.AgendaFile
	read   bool
}

// selectionHelp is the part of a command's help that explains the flags.
const selectionHelp = `Choosing sessions: values of one kind are OR-ed (--track a --track b, or
--track a,b), different kinds are AND-ed (--track a --day D). --session ids
are always included; --exclude ids are always left out, whatever else says.
--not-track, --not-venue, --not-type and --not-tag remove sessions; given
alone they start from the whole programme. An unknown id, track, day, venue,
room, speaker, type or tag is an error that suggests the closest match.
--from and --until take 2025-02-10T14:00 (programme zone), an RFC 3339 time
or a date; --until with a date includes that day. See docs/selection.md.`

// addSelectionFlags adds the selection flags to cmd.
func addSelectionFlags(cmd *cobra.Command) *selectionFlags {
	sf := &selectionFlags{flags: cmd.Flags()}
	f := cmd.Flags()
	s := &sf.sel
	f.StringSliceVarP(&s.Sessions, "session", "s", nil, "include session `ID`, whatever other flags say (repeatable)")
	f.StringSliceVar(&s.Tracks, "track", nil, "sessions in track `ID` (repeatable)")
	f.StringSliceVar(&s.Days, "day", nil, "sessions on `DATE`, YYYY-MM-DD (repeatable)")
	f.StringSliceVar(&s.Venues, "venue", nil, "sessions at venue `ID` (repeatable)")
	f.StringSliceVar(&s.Rooms, "room", nil, "sessions in room `ID` or VENUE/ROOM (repeatable)")
	f.StringSliceVar(&s.Speakers, "speaker", nil, "sessions given by speaker `ID` (repeatable)")
	f.StringSliceVar(&s.Types, "type", nil, "sessions of type `TYPE`, e.g. forum (repeatable)")
	f.StringSliceVar(&s.Tags, "tag", nil, "sessions tagged `TAG` (repeatable)")
	f.StringSliceVarP(&s.Text, "text", "t", nil, "sessions whose title, description or speakers have every word of `TEXT` (repeatable)")
	f.StringVar(&s.From, "from", "", "sessions running at or after `TIME` (2025-02-10T14:00, RFC 3339 or a date)")
	f.StringVar(&s.Until, "until", "", "sessions starting before `TIME`; a date includes that day")
	f.StringSliceVar(&s.NotTracks, "not-track", nil, "leave out track `ID` (repeatable)")
	f.StringSliceVar(&s.NotVenues, "not-venue", nil, "leave out venue `ID` (repeatable)")
	f.StringSliceVar(&s.NotTypes, "not-type", nil, "leave out type `TYPE` (repeatable)")
	f.StringSliceVar(&s.NotTags, "not-tag", nil, "leave out tag `TAG` (repeatable)")
	f.StringSliceVar(&s.Exclude, "exclude", nil, "leave out session `ID`, whatever other flags say (repeatable)")
	f.StringVar(&sf.agenda, "agenda", "", "read the programme, selection and options from agenda `FILE`; flags extend it")
	return sf
}

// agendaFile returns the agenda file named by --agenda, read once, or nil
// when there is none.
func (sf *selectionFlags) agendaFile() (*programme.AgendaFile, error) {
	if sf.agenda == "" {
		return nil, nil
	}
	if !sf.read {
		af, err := programme.LoadAgendaFile(sf.agenda)
		if err != nil {
			return nil, err
		}
		sf.loaded, sf.read = af, true
	}
	return sf.loaded, nil
}

// selection returns the selection of the agenda file, if any, extended by
// the flags. A --from or --until flag replaces the file's.
func (sf *selectionFlags) selection() (programme.Selection, error) {
	sel := sf.sel
	if af, err := sf.agendaFile(); err != nil {
		return programme.Selection{}, err
	} else if af != nil {
		sel = af.Selection.Merge(sf.sel)
	}
	return sel, nil
}

// applyAgenda makes the agenda file's programme, language, alarm and zone
// the configuration's, unless a flag set them: the file is more specific
// than the config file and the environment, a flag more than the file.
// It returns the file, or nil when there is none.
func (sf *selectionFlags) applyAgenda(a *app) (*programme.AgendaFile, error) {
	af, err := sf.agendaFile()
	if err != nil || af == nil {
		return af, err
	}
	flag := a.cfg.FromCommandLine
	c := &a.cfg.Config
	if af.Programme != "" && !flag("programme") {
		c.Programme = af.Programme
	}
	if af.Lang != "" && !flag("lang") {
		c.Lang = af.Lang
	}
	if af.Alarm > 0 && !flag("alarm") {
		c.Alarm = af.Alarm
	}
	return af, nil
}

// choose selects sessions of p, pointing errors about values of the agenda
// file at their line and turning others into usage errors.
func (sf *selectionFlags) choose(p *programme.Programme, sel programme.Selection) ([]*programme.Session, error) {
	af, _ := sf.agendaFile()
	if af != nil {
		if err := af.Check(p); err != nil {
			return nil, err
		}
	}
	sessions, err := p.Select(sel)
	if err == nil {
		return sessions, nil
	}
	if located := af.Locate(err); located != err {
		return nil, located
	}
	var se *programme.SelectionError
	if errors.As(err, &se) {
		if se.Err != nil {
			return nil, usagef("--%s %q: %v", flagName(se.Field), se.Value, se.Err)
		}
		return nil, usagef("--%s: %v", flagName(se.Field), err)
	}
	if errors.Is(err, programme.ErrEmptySelection) {
		return nil, usagef("%v (see --help)", err)
	}
	return nil, err
}

// flagName returns the flag of a query parameter.
func flagName(param string) string {
	if param == "q" {
		return "text"
	}
	return param
}
