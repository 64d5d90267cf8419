// Command gen writes a synthetic programme in confcal's native format, for
// benchmarks:
//
//	go run ./bench/gen -sessions 10000 -days 10 -tracks 50 -venues 100 -seed 1 -o programme.yaml
//	go run ./bench/gen -format json -o programme.json
//
// The same flags give the same bytes.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/confcal/confcal/bench/gen/synth"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(2)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	var cfg synth.Config
	fs.IntVar(&cfg.Sessions, "sessions", 10000, "number of sessions")
	fs.IntVar(&cfg.Days, "days", 10, "number of days")
	fs.IntVar(&cfg.Tracks, "tracks", 50, "number of tracks")
	fs.IntVar(&cfg.Venues, "venues", 100, "number of venues")
	fs.Uint64Var(&cfg.Seed, "seed", 1, "random seed")
	start := fs.String("start", synth.DefaultStart.Format(time.DateOnly), "first `DATE`")
	format := fs.String("format", "yaml", "output format: yaml or json")
	out := fs.String("o", "-", "output `FILE`; - for standard output")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	for name, v := range map[string]int{"sessions": cfg.Sessions, "days": cfg.Days, "tracks": cfg.Tracks, "venues": cfg.Venues} {
		if v < 1 {
			return fmt.Errorf("-%s must be at least 1", name)
		}
	}
	var err error
	if cfg.Start, err = time.Parse(time.DateOnly, *start); err != nil {
		return fmt.Errorf("-start %q is not a date like 2026-10-19", *start)
	}
	var data []byte
	switch *format {
	case "yaml":
		data = synth.Programme(cfg)
	case "json":
		data = synth.JSON(cfg)
	default:
		return errors.New("-format must be yaml or json")
	}
	if *out == "-" {
		_, err := stdout.Write(data)
		return err
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		return fmt.Errorf("write programme: %w", err)
	}
	return nil
}
