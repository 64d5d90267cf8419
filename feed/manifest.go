package feed

import (
	"encoding/json"
	"strings"
	"time"
)

// Manifest describes a feed set: feeds.json.
type Manifest struct {
	Programme ManifestProgramme `json:"programme"`
	Generator string            `json:"generator"`
	Modified  time.Time         `json:"modified"`
	Feeds     []ManifestFeed    `json:"feeds"`
}

// ManifestProgramme is the programme part of the manifest.
type ManifestProgramme struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	TimeZone  string `json:"timezone"`
	URL       string `json:"url,omitempty"`
	StartDate string `json:"start_date,omitempty"`
	EndDate   string `json:"end_date,omitempty"`
	Sessions  int    `json:"sessions"`
	Language  string `json:"language,omitempty"`
}

// ManifestFeed is one feed in the manifest.
type ManifestFeed struct {
	Kind   Kind   `json:"kind"`
	Key    string `json:"key,omitempty"`
	Title  string `json:"title"`
	Path   string `json:"path"`
	URL    string `json:"url,omitempty"`
	Events int    `json:"events"`
	Hash   string `json:"hash"`
	Colour string `json:"colour,omitempty"`
}

// Manifest returns the manifest of the set.
func (set *Set) Manifest() Manifest {
	p := set.Programme
	m := Manifest{
		Programme: ManifestProgramme{ID: p.ID, Name: p.Name.In(set.Lang, p.Languages...), TimeZone: p.TimeZone,
			URL: p.URL, Sessions: len(p.Sessions), Language: set.Lang},
		Generator: "confcal",
	}
	if days := p.Days(); len(days) > 0 {
		m.Programme.StartDate, m.Programme.EndDate = days[0].String(), days[len(days)-1].String()
	}
	if !p.StartDate.IsZero() {
		m.Programme.StartDate = p.StartDate.String()
	}
	if !p.EndDate.IsZero() {
		m.Programme.EndDate = p.EndDate.String()
	}
	for _, f := range set.Feeds {
		mf := ManifestFeed{Kind: f.Kind, Key: f.Key, Title: f.Title, Path: f.Path(), Events: len(f.Events), Hash: f.Hash, Colour: f.Colour}
		if set.opts.BaseURL != "" {
			mf.URL = strings.TrimRight(set.opts.BaseURL, "/") + "/" + f.Path()
		}
		if f.Modified.After(m.Modified) {
			m.Modified = f.Modified
		}
		m.Feeds = append(m.Feeds, mf)
	}
	return m
}

// ManifestJSON returns the manifest as indented JSON.
func (set *Set) ManifestJSON() []byte {
	b, _ := json.MarshalIndent(set.Manifest(), "", "  ")
	return append(b, '\n')
}
