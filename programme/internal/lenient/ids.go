package lenient

import "github.com/confcal/confcal/programme"

// UniqueIDs gives the sessions of p that share an id, as the occurrences
// of a repeated session do in many sources, ids of their own, as
// programme.Normalize does for their UID keys: the earliest keeps the id,
// each other adds its UTC start (367-20191227T1615), and a number when
// that is taken too. The UID keys are left as they are, so that a
// converted programme, which needs one id per session, keeps every UID.
// p must be normalised: its sessions are then in a fixed order, and the
// result is the same on every run.
func UniqueIDs(p *programme.Programme) {
	used := make(map[string]bool, len(p.Sessions))
	for _, s := range p.Sessions {
		used[s.ID] = true
	}
	seen := make(map[string]bool, len(p.Sessions))
	for _, s := range p.Sessions {
		if !seen[s.ID] {
			seen[s.ID] = true
			continue
		}
		start, _ := s.Interval(p)
		s.ID = Unique(s.ID+"-"+start.UTC().Format("20060102T1504"), used)
	}
}
