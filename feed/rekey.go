package feed

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/confcal/confcal/programme"
)

// rekeyRepeats gives every occurrence of a session whose UID key confcal
// made (programme.Session.KeyBase) the key it was first published with,
// as the store remembers it. Without a history the earliest occurrence of
// a repeated id takes the bare id and the others add their start time, so
// a repeat added before the first occurrence, or the first occurrence
// dropped, would move keys from one event to another: subscribers would
// see an event vanish and others appear.
//
// An occurrence takes, in this order: a remembered key of its id at the
// same start (a live one before a cancelled one); else, in start order,
// one of the remaining live keys of its id (a moved occurrence); else a
// key that no build has published. Keys left over are cancelled by
// Reconcile as usual.
func rekeyRepeats(p *programme.Programme, known map[string]*stateEntry) {
	if len(known) == 0 {
		return
	}
	groups := map[string][]*programme.Session{}
	var bases []string
	taken := make(map[string]bool, len(p.Sessions))
	for _, s := range p.Sessions {
		base := s.KeyBase()
		if base == "" {
			taken[s.UIDKey] = true
			continue
		}
		if groups[base] == nil {
			bases = append(bases, base)
		}
		groups[base] = append(groups[base], s)
	}
	index := indexRepeatKeys(known)
	for _, base := range bases {
		group := groups[base]
		cands := index[base]
		if len(group) == 1 && len(cands) == 1 && cands[0] == group[0].UIDKey && !taken[cands[0]] {
			taken[cands[0]] = true // the common case: one occurrence, as before
			continue
		}
		rekeyGroup(p, base, group, cands, known, taken)
	}
}

// rekeyGroup assigns the keys of the occurrences of one id.
func rekeyGroup(p *programme.Programme, base string, group []*programme.Session, cands []string, known map[string]*stateEntry, taken map[string]bool) {
	slices.SortStableFunc(group, func(a, b *programme.Session) int {
		x, _ := a.Interval(p)
		y, _ := b.Interval(p)
		return x.Compare(y)
	})
	// Remembered keys in the order their occurrences started, live first.
	slices.SortFunc(cands, func(a, b string) int {
		ea, eb := known[a], known[b]
		if la, lb := ea.Removed.IsZero(), eb.Removed.IsZero(); la != lb {
			if la {
				return -1
			}
			return 1
		}
		if c := strings.Compare(ea.Snapshot.Start, eb.Snapshot.Start); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	key := make([]string, len(group))
	used := map[string]bool{}
	claim := func(i int, k string) {
		key[i], used[k], taken[k] = k, true, true
	}
	for i, s := range group {
		for _, k := range cands {
			if !used[k] && !taken[k] && sameStart(p, s, known[k].Snapshot) {
				claim(i, k)
				break
			}
		}
	}
	for i := range group {
		if key[i] != "" {
			continue
		}
		for _, k := range cands {
			if !used[k] && !taken[k] && known[k].Removed.IsZero() {
				claim(i, k)
				break
			}
		}
	}
	for i, s := range group {
		if key[i] == "" {
			claim(i, freshKey(p, base, s, known, taken))
		}
		s.UIDKey = key[i]
	}
	reassignIDs(group, known)
}

// reassignIDs hands the ids of a group's occurrences back to the
// occurrences that had them, as far as the group holds them: an importer
// names repeats by start order as it does UID keys, so an earlier repeat
// would otherwise take the first occurrence's id. The group keeps the same
// ids, so they stay unique in the programme.
func reassignIDs(group []*programme.Session, known map[string]*stateEntry) {
	free := map[string]int{}
	for _, s := range group {
		free[s.ID]++
	}
	ids := make([]string, len(group))
	for i, s := range group {
		if e := known[s.UIDKey]; e != nil && free[e.Snapshot.ID] > 0 {
			ids[i] = e.Snapshot.ID
			free[ids[i]]--
		}
	}
	for i := range group {
		if ids[i] != "" {
			continue
		}
		for _, o := range group { // the first id left, in start order
			if free[o.ID] > 0 {
				ids[i] = o.ID
				free[o.ID]--
				break
			}
		}
	}
	for i, s := range group {
		s.ID = ids[i]
	}
}

// freshKey returns a key for an occurrence of base that neither the store
// nor the programme holds: the key it would have had without a history
// when that one is free, else its start time added, then a number.
func freshKey(p *programme.Programme, base string, s *programme.Session, known map[string]*stateEntry, taken map[string]bool) string {
	free := func(k string) bool { return known[k] == nil && !taken[k] }
	if free(s.UIDKey) {
		return s.UIDKey
	}
	start, _ := s.Interval(p)
	k := programme.RepeatKey(base, start)
	for n := 2; !free(k); n++ {
		k = fmt.Sprintf("%s-%d", programme.RepeatKey(base, start), n)
	}
	return k
}

// sameStart reports whether s starts when the snapshot did.
func sameStart(p *programme.Programme, s *programme.Session, sn Snapshot) bool {
	if s.AllDay || sn.AllDay {
		return s.AllDay && sn.AllDay && s.StartDate == sn.StartDate
	}
	t, err := time.Parse(time.RFC3339, sn.Start)
	return err == nil && t.Equal(s.Start)
}

// indexRepeatKeys maps each id to the remembered keys confcal may have
// made from it: the id itself and the id with a start time (and a number)
// added.
func indexRepeatKeys(known map[string]*stateEntry) map[string][]string {
	index := make(map[string][]string, len(known))
	for k := range known {
		index[k] = append(index[k], k)
		if base, ok := repeatBase(k); ok {
			index[base] = append(index[base], k)
		}
	}
	for _, ks := range index {
		slices.Sort(ks) // map order must not reach the output
	}
	return index
}

// repeatBase strips what programme.RepeatKey adds, and a "-N" after it.
func repeatBase(k string) (string, bool) {
	for {
		i := strings.LastIndexByte(k, '-')
		if i < 0 {
			return "", false
		}
		tail := k[i+1:]
		if isStamp(tail) {
			return k[:i], i > 0
		}
		if tail == "" || strings.Trim(tail, "0123456789") != "" {
			return "", false
		}
		k = k[:i]
	}
}

// isStamp reports whether s reads 20060102T1504.
func isStamp(s string) bool {
	if len(s) != 13 || s[8] != 'T' {
		return false
	}
	return strings.Trim(s[:8], "0123456789") == "" && strings.Trim(s[9:], "0123456789") == ""
}
