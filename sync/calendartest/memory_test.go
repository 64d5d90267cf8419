package calendartest

import (
	"testing"

	calsync "github.com/confcal/confcal/sync"
)

func TestMemoryConformance(t *testing.T) {
	Run(t, Harness{
		New: func(*testing.T) calsync.Calendar { return NewMemory() },
		SetNotes: func(t *testing.T, cal calsync.Calendar, id, notes string) {
			err := cal.(*Memory).Edit(id, func(r *calsync.Remote) {
				r.Notes = notes
				r.Raw = map[string]string{"colour": "7"}
			})
			if err != nil {
				t.Fatal(err)
			}
		},
		UserFields: func(t *testing.T, cal calsync.Calendar, id string) string {
			for _, r := range cal.(*Memory).Events() {
				if r.ID == id {
					return r.Raw.(map[string]string)["colour"]
				}
			}
			return ""
		},
	})
}
