// Package source loads a programme from wherever it is (a file, standard
// input, an http(s) URL or the built-in example) in whichever format it is
// in, detected from its content: confcal's native YAML or JSON, a frab
// schedule.xml, a c3voc schedule.json or schedule2 file, a CSV export or
// an iCalendar file.
package source

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/confcal/confcal/examples"
	"github.com/confcal/confcal/programme"
)

// Options tune how a programme is loaded.
type Options struct {
	// Stdin is read when the name is "-".
	Stdin io.Reader
	// TimeZone supplies the programme's zone to formats that may lack one,
	// and overrides the zone a foreign format declares.
	TimeZone string
	// Format forces a format instead of detecting it.
	Format Format
	// Details asks the importers for an Info finding for each routine
	// clean-up (HTML turned into plain text), besides the one warning per
	// file that counts them; confcal -v shows them.
	Details bool
	// Timeout bounds fetching a URL; zero means DefaultTimeout.
	Timeout time.Duration
	// MaxSize bounds the size of a fetched programme; zero means
	// programme.MaxSourceSize.
	MaxSize int64
	// HTTPClient fetches URLs; nil means http.DefaultClient.
	HTTPClient *http.Client
}

// Builtin is the name that stands for the embedded example programme.
const Builtin = ""

// Load reads and decodes the programme called name: "" for the built-in
// example, "-" for standard input, an http(s) URL, otherwise a file path.
// Warnings come back in the Diagnostics; when the programme has errors,
// err is a *programme.InvalidError holding every finding.
func Load(ctx context.Context, name string, opts Options) (*programme.Programme, programme.Diagnostics, error) {
	data, display, err := Read(ctx, name, opts)
	if err != nil {
		return nil, nil, err
	}
	return Decode(data, display, opts)
}

// Read returns the raw bytes of the source called name, and the name to
// use for it in messages.
func Read(ctx context.Context, name string, opts Options) ([]byte, string, error) {
	switch {
	case name == Builtin:
		return examples.Summit, examples.SummitName, nil
	case name == "-":
		if opts.Stdin == nil {
			return nil, "", fmt.Errorf("read programme: no standard input")
		}
		data, err := readAll(opts.Stdin)
		if err != nil {
			return nil, "", fmt.Errorf("read programme <stdin>: %w", err)
		}
		return data, "<stdin>", nil
	case IsURL(name):
		data, err := fetch(ctx, name, opts)
		return data, name, err
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, "", fmt.Errorf("read programme: %w", err)
	}
	defer f.Close()
	data, err := readAll(f)
	if err != nil {
		return nil, "", fmt.Errorf("read programme %s: %w", name, err)
	}
	return data, name, nil
}

func readAll(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, programme.MaxSourceSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > programme.MaxSourceSize {
		return nil, fmt.Errorf("larger than %d MiB", programme.MaxSourceSize>>20)
	}
	return data, nil
}
