package programme

// UID returns the iCalendar UID of session s of p: stable across builds
// and unique across programmes that share a domain. Feeds, agendas and
// the calendar sync all name a session by it.
func (p *Programme) UID(s *Session) string {
	return p.ID + "-" + s.UIDKey + "@" + p.Domain
}
