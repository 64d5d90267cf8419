package synth

// The native programme format, as the generator writes it. Field order is
// the order of the output; every field the generator may leave out is
// omitempty.

type doc struct {
	ID          string    `yaml:"id" json:"id"`
	Name        string    `yaml:"name" json:"name"`
	Description string    `yaml:"description" json:"description"`
	TimeZone    string    `yaml:"timezone" json:"timezone"`
	URL         string    `yaml:"url" json:"url"`
	Domain      string    `yaml:"domain" json:"domain"`
	Languages   []string  `yaml:"languages,flow" json:"languages"`
	Updated     string    `yaml:"updated" json:"updated"`
	StartDate   string    `yaml:"start_date" json:"start_date"`
	EndDate     string    `yaml:"end_date" json:"end_date"`
	Venues      []venue   `yaml:"venues" json:"venues"`
	Tracks      []track   `yaml:"tracks" json:"tracks"`
	Speakers    []speaker `yaml:"speakers" json:"speakers"`
	Sessions    []session `yaml:"sessions" json:"sessions"`
}

type venue struct {
	ID      string `yaml:"id" json:"id"`
	Name    string `yaml:"name" json:"name"`
	Address string `yaml:"address" json:"address"`
	Geo     geo    `yaml:"geo,flow" json:"geo"`
	Rooms   []room `yaml:"rooms" json:"rooms"`
}

type geo struct {
	Lat float64 `yaml:"lat" json:"lat"`
	Lon float64 `yaml:"lon" json:"lon"`
}

type room struct {
	ID   string `yaml:"id" json:"id"`
	Name string `yaml:"name" json:"name"`
}

type track struct {
	ID          string `yaml:"id" json:"id"`
	Name        string `yaml:"name" json:"name"`
	Colour      string `yaml:"colour" json:"colour"`
	Description string `yaml:"description" json:"description"`
}

type speaker struct {
	ID          string `yaml:"id" json:"id"`
	Name        string `yaml:"name" json:"name"`
	Affiliation string `yaml:"affiliation,omitempty" json:"affiliation,omitempty"`
}

type session struct {
	ID          string   `yaml:"id" json:"id"`
	Title       string   `yaml:"title" json:"title"`
	Subtitle    string   `yaml:"subtitle,omitempty" json:"subtitle,omitempty"`
	Description string   `yaml:"description" json:"description"`
	Start       string   `yaml:"start" json:"start"`
	End         string   `yaml:"end,omitempty" json:"end,omitempty"`
	Duration    string   `yaml:"duration,omitempty" json:"duration,omitempty"`
	Venue       string   `yaml:"venue" json:"venue"`
	Room        string   `yaml:"room" json:"room"`
	Tracks      []string `yaml:"tracks,flow" json:"tracks"`
	Type        string   `yaml:"type" json:"type"`
	Speakers    []string `yaml:"speakers,flow" json:"speakers"`
	Tags        []string `yaml:"tags,flow,omitempty" json:"tags,omitempty"`
	Language    string   `yaml:"language,omitempty" json:"language,omitempty"`
	Status      string   `yaml:"status,omitempty" json:"status,omitempty"`
	URL         string   `yaml:"url" json:"url"`
}
