package google_test

import (
	"context"
	"testing"

	calendar "google.golang.org/api/calendar/v3"
	"google.golang.org/api/option"

	calsync "github.com/confcal/confcal/sync"
	"github.com/confcal/confcal/sync/calendartest"
	"github.com/confcal/confcal/sync/google"
	"github.com/confcal/confcal/sync/google/googletest"
)

// newCalendar returns an adapter on a fresh dedicated calendar of srv.
func newCalendar(t *testing.T, srv *googletest.Server, shared bool) *google.Calendar {
	t.Helper()
	id := srv.AddCalendar("Test", "Europe/Paris")
	c, err := google.New(context.Background(), google.Options{
		Client:     []option.ClientOption{option.WithEndpoint(srv.Endpoint()), option.WithoutAuthentication()},
		CalendarID: id, Shared: shared,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestConformance(t *testing.T) {
	for _, shared := range []bool{false, true} {
		name := "dedicated"
		if shared {
			name = "shared"
		}
		t.Run(name, func(t *testing.T) {
			srv := googletest.NewServer()
			defer srv.Close()
			srv.PageLimit = 7
			srv.EmptyPages = true
			calendartest.Run(t, calendartest.Harness{
				New: func(t *testing.T) calsync.Calendar { return newCalendar(t, srv, shared) },
				SetNotes: func(t *testing.T, cal calsync.Calendar, id, notes string) {
					err := srv.EditEvent(cal.(*google.Calendar).ID(), id, func(ev *calendar.Event) {
						ev.Description += "\n" + notes
						ev.ColorId = "7"
						ev.Reminders = &calendar.EventReminders{Overrides: []*calendar.EventReminder{{Method: "popup", Minutes: 15}}}
					})
					if err != nil {
						t.Fatal(err)
					}
				},
				UserFields: func(t *testing.T, cal calsync.Calendar, id string) string {
					for _, ev := range srv.Events(cal.(*google.Calendar).ID()) {
						if ev.Id == id {
							r := ev.Reminders
							if r == nil || len(r.Overrides) == 0 {
								return "colour " + ev.ColorId
							}
							return "colour " + ev.ColorId + ", reminder " + r.Overrides[0].Method
						}
					}
					return ""
				},
			})
		})
	}
}
