package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"

	calendar "google.golang.org/api/calendar/v3"

	calsync "github.com/confcal/confcal/sync"
	"github.com/confcal/confcal/sync/google/googletest"
)

// The testscript scenarios sync_google*.txtar run confcal against the fake
// Google Calendar of sync/google/googletest. With CONFCAL_TEST_FAKE_GOOGLE
// set to a file, the confcal command of a script starts the fake with the
// calendars saved in that file, points confcal at it (the documented
// CONFCAL_GOOGLE_ENDPOINT and CONFCAL_GOOGLE_NO_AUTH), runs, and saves the
// calendars and this run's requests back. 'confcal fake-google ...' then
// reports on or edits the saved calendars:
//
//	fake-google requests           requests of the last run, by method
//	fake-google events [CAL]       one line per event: status, summary, marker
//	fake-google calendars          the calendars, with name and time zone
//	fake-google edit CAL SUMMARY FIELD=VALUE   edit an event as the user
//	fake-google delete CAL SUMMARY delete an event as the user
//	fake-google put CAL SUMMARY    add a foreign event
//
// CAL is a calendar id, "primary", or "new" for the last created one.
// CONFCAL_TEST_FAKE_FAULT=OP:KIND[:TIMES] injects a fault, KIND one of 429,
// 403rate, 403quota, 500, lost.
func init() {
	file := os.Getenv("CONFCAL_TEST_FAKE_GOOGLE")
	if file == "" {
		return
	}
	os.Exit(withFakeGoogle(file, os.Args[1:]))
}

func withFakeGoogle(file string, args []string) int {
	srv := googletest.NewServer()
	defer srv.Close()
	if err := srv.Load(file); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if len(args) > 0 && args[0] == "fake-google" {
		code := fakeGoogle(srv, args[1:])
		if err := srv.Save(file); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		return code
	}
	srv.ResetRequests()
	if f := os.Getenv("CONFCAL_TEST_FAKE_FAULT"); f != "" {
		parts := strings.Split(f, ":")
		kinds := map[string]googletest.FaultKind{"429": googletest.TooManyRequests, "403rate": googletest.RateLimit,
			"403quota": googletest.QuotaExceeded, "500": googletest.ServerError, "lost": googletest.LostResponse}
		fault := googletest.Fault{Op: parts[0], Kind: kinds[parts[1]]}
		if len(parts) > 2 {
			fault.Times, _ = strconv.Atoi(parts[2])
		}
		srv.Inject(fault)
	}
	os.Setenv("CONFCAL_GOOGLE_ENDPOINT", srv.Endpoint())
	os.Setenv("CONFCAL_GOOGLE_NO_AUTH", "1")
	code := run(context.Background(), args, os.Stdin, os.Stdout, os.Stderr, os.LookupEnv)
	if err := srv.Save(file); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return code
}

func fakeGoogle(srv *googletest.Server, args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "fake-google: requests, events, calendars, edit, delete or put")
		return 2
	}
	cal := func(i int) string {
		if len(args) <= i || args[i] == "new" {
			ids := srv.Calendars()
			for i := len(ids) - 1; i >= 0; i-- {
				if strings.HasPrefix(ids[i], "c") {
					return ids[i]
				}
			}
			return googletest.Primary
		}
		if args[i] == "primary" {
			return googletest.Primary
		}
		return args[i]
	}
	find := func(c, summary string) string {
		for _, ev := range srv.Events(c) {
			if ev.Summary == summary && ev.Status != "cancelled" {
				return ev.Id
			}
		}
		fmt.Fprintf(os.Stderr, "fake-google: no live event %q\n", summary)
		return ""
	}
	switch args[0] {
	case "requests":
		fmt.Println(googletest.FormatCounts(srv.Counts()))
	case "calendars":
		for _, id := range srv.Calendars() {
			m, _ := srv.CalendarMeta(id)
			fmt.Printf("%s %q %s\n", id, m.Summary, m.TimeZone)
		}
	case "events":
		for _, ev := range srv.Events(cal(1)) {
			mark := "foreign"
			if ev.ExtendedProperties != nil && ev.ExtendedProperties.Private[calsync.KeyTool] == calsync.Tool {
				mark = "confcal:" + ev.ExtendedProperties.Private[calsync.KeyUID]
			}
			colour := ""
			if ev.ColorId != "" {
				colour = " colour=" + ev.ColorId
			}
			fmt.Printf("%s %q %s%s\n", ev.Status, ev.Summary, mark, colour)
		}
	case "edit":
		if len(args) < 4 {
			return 2
		}
		c := cal(1)
		id := find(c, args[2])
		if id == "" {
			return 1
		}
		srv.EditEvent(c, id, func(ev *calendar.Event) {
			for _, kv := range args[3:] {
				k, v, _ := strings.Cut(kv, "=")
				switch k {
				case "colour":
					ev.ColorId = v
				case "summary":
					ev.Summary = v
				case "notes":
					managed, _ := calsync.SplitNotes(ev.Description)
					ev.Description = calsync.JoinNotes(managed, v)
				}
			}
		})
	case "delete":
		c := cal(1)
		id := find(c, args[2])
		if id == "" {
			return 1
		}
		srv.DeleteEvent(c, id)
	case "put":
		_, err := srv.PutEvent(cal(1), &calendar.Event{Summary: args[2],
			Start: &calendar.EventDateTime{Date: "2025-02-10"}, End: &calendar.EventDateTime{Date: "2025-02-11"}})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	default:
		fmt.Fprintf(os.Stderr, "fake-google: unknown %q\n", args[0])
		return 2
	}
	return 0
}
