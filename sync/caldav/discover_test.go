package caldav

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestSameSite(t *testing.T) {
	tests := []struct {
		a, b string
		ok   bool
	}{
		{"https://caldav.icloud.com/", "https://p37-caldav.icloud.com:443/123/calendars/", true},
		{"https://caldav.icloud.com/", "http://p37-caldav.icloud.com/123/calendars/", false},
		{"https://cloud.example.org/remote.php/dav/", "https://cloud.example.org/remote.php/dav/calendars/alice/", true},
		{"https://cloud.example.org/", "https://evil.example.net/", false},
		{"http://127.0.0.1:5232/", "http://127.0.0.1:8080/", true},
		{"http://127.0.0.1/", "http://10.0.0.1/", false},
	}
	for _, tt := range tests {
		a, _ := url.Parse(tt.a)
		b, _ := url.Parse(tt.b)
		if got := sameSite(a, b); got != tt.ok {
			t.Errorf("sameSite(%s, %s) = %v", tt.a, tt.b, got)
		}
	}
}

// TestDiscoverHomeOnAnotherHost has the principal name a calendar home on
// another server, as iCloud does: the calendars are looked for there.
func TestDiscoverHomeOnAnotherHost(t *testing.T) {
	multistatus := func(w http.ResponseWriter, body string) {
		w.Header().Set("Content-Type", "application/xml; charset=utf-8")
		w.WriteHeader(http.StatusMultiStatus)
		io.WriteString(w, `<?xml version="1.0"?><d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">`+body+`</d:multistatus>`)
	}
	ok := `<d:status>HTTP/1.1 200 OK</d:status>`
	partition := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, _ := r.BasicAuth(); u != "alice" || p != "pw" || r.Method != "PROPFIND" || r.URL.Path != "/123/calendars/" {
			http.Error(w, "no", http.StatusNotFound)
			return
		}
		multistatus(w, `<d:response><d:href>/123/calendars/</d:href><d:propstat><d:prop><d:resourcetype><d:collection/></d:resourcetype></d:prop>`+ok+`</d:propstat></d:response>`+
			`<d:response><d:href>/123/calendars/work/</d:href><d:propstat><d:prop><d:resourcetype><d:collection/><c:calendar/></d:resourcetype>`+
			`<d:displayname>Work</d:displayname><c:supported-calendar-component-set><c:comp name="VEVENT"/></c:supported-calendar-component-set></d:prop>`+ok+`</d:propstat></d:response>`)
	}))
	defer partition.Close()
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		switch {
		case r.URL.Path == "/" && strings.Contains(string(body), "current-user-principal"):
			multistatus(w, `<d:response><d:href>/</d:href><d:propstat><d:prop><d:current-user-principal><d:href>/123/principal/</d:href></d:current-user-principal></d:prop>`+ok+`</d:propstat></d:response>`)
		case r.URL.Path == "/123/principal/":
			multistatus(w, `<d:response><d:href>/123/principal/</d:href><d:propstat><d:prop><c:calendar-home-set><d:href>`+partition.URL+`/123/calendars/</d:href></c:calendar-home-set></d:prop>`+ok+`</d:propstat></d:response>`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer front.Close()
	found, err := Discover(context.Background(), Options{URL: front.URL, Username: "alice", Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 1 || found[0].URL != partition.URL+"/123/calendars/work/" || found[0].Name != "Work" {
		t.Fatalf("found %+v", found)
	}
}
