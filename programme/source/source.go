// Package source loads a programme from wherever it is (a file, standard
// input, an http(s) URL or the built-in example) in whichever format it is
// in, detected from its content.
package source

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/confcal/confcal/examples"
	"github.com/confcal/confcal/programme"
)

// Options tune how a programme is loaded.
type Options struct {
	// Stdin is read when the name is "-".
	Stdin io.Reader
	// TimeZone supplies the programme's zone to formats that may lack one.
	TimeZone string
}

// Builtin is the name that stands for the embedded example programme.
const Builtin = ""

// Load reads and decodes the programme called name: "" for the built-in
// example, "-" for standard input, otherwise a file path.
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
	switch name {
	case Builtin:
		return examples.Summit, examples.SummitName, nil
	case "-":
		if opts.Stdin == nil {
			return nil, "", fmt.Errorf("read programme: no standard input")
		}
		data, err := readAll(opts.Stdin)
		return data, "<stdin>", err
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

// Decode decodes data in whichever supported format it is in.
func Decode(data []byte, name string, opts Options) (*programme.Programme, programme.Diagnostics, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	return programme.DecodeBytes(data, name)
}
