package serve

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confcal/confcal/feed"
	"github.com/confcal/confcal/feed/feedtest"
	"github.com/confcal/confcal/page"
)

// versioned returns feedtest.ServerProgramme as version n: every title and the
// programme's name carry the version, and version n has n extra sessions,
// so that feeds of different versions differ in size as well.
func versioned(n int) string {
	src := strings.ReplaceAll(feedtest.ServerProgramme, "title: ", fmt.Sprintf("title: v%d ", n))
	src = strings.Replace(src, "name: Test Conference", fmt.Sprintf("name: Conference v%d", n), 1)
	for i := 0; i < n; i++ {
		src += fmt.Sprintf("  - {id: extra%d, title: v%d extra, start: 2025-03-10T14:00, end: 2025-03-10T15:00, venue: annex, track: art}\n", i, n)
	}
	return src
}

var versionRE = regexp.MustCompile(`v(\d+)`)

// oneVersion checks that every version mark in body is the same and
// returns it.
func oneVersion(t testing.TB, body []byte) string {
	t.Helper()
	marks := versionRE.FindAllString(string(body), -1)
	if len(marks) == 0 {
		t.Errorf("no version in %.200s", body)
		return ""
	}
	for _, m := range marks {
		if m != marks[0] {
			t.Errorf("a response mixes %s and %s", marks[0], m)
			return ""
		}
	}
	return marks[0]
}

// TestPublishUnderLoad swaps feed sets while clients fetch: every answer
// is complete, its ETag is its own content's, and it belongs to one
// version. Run with -race.
func TestPublishUnderLoad(t *testing.T) {
	const versions = 4
	sets := make([]*feed.Set, versions)
	for i := range sets {
		sets[i] = feedtest.BuildSet(t, versioned(i))
	}
	live := NewLive(LiveOptions{})
	if err := live.Publish(sets[0]); err != nil {
		t.Fatal(err)
	}
	srv := serveLive(t, live, HandlerOptions{})

	paths := []string{"/all.ics", "/track/art.ics", "/day/2025-03-10.ics", "/session/opening.ics",
		"/agenda.ics?session=opening,paint", "/agenda.ics?track=art", "/feeds.json", "/"}
	stop := make(chan struct{})
	var requests, failures atomic.Int64
	var bodies sync.Map // path and ETag -> SHA-256 of the body
	var wg sync.WaitGroup
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16, DisableCompression: true}}
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				path := paths[(w+i)%len(paths)]
				req, _ := http.NewRequest("GET", srv.URL+path, nil)
				if i%3 == 0 {
					req.Header.Set("Accept-Encoding", "gzip")
				}
				resp, err := client.Do(req)
				if err != nil {
					failures.Add(1)
					t.Errorf("%s: %v", path, err)
					return
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				requests.Add(1)
				if err != nil || resp.StatusCode != 200 {
					failures.Add(1)
					t.Errorf("%s: %d %v", path, resp.StatusCode, err)
					return
				}
				if resp.Header.Get("Content-Encoding") == "gzip" {
					body = gunzip(t, body)
				} else {
					// A strong ETag names one content: never two bodies.
					sum := sha256.Sum256(body)
					etag := path + " " + resp.Header.Get("ETag")
					if prev, loaded := bodies.LoadOrStore(etag, sum); loaded && prev != sum {
						failures.Add(1)
						t.Errorf("%s: ETag %s names two different bodies", path, resp.Header.Get("ETag"))
					}
				}
				if strings.HasSuffix(strings.SplitN(path, "?", 2)[0], ".ics") {
					checkCalendar(t, body)
				}
				if path != "/feeds.json" && path != "/session/opening.ics" && oneVersion(t, body) == "" {
					failures.Add(1)
				}
			}
		}(w)
	}
	// Swap until enough requests have crossed swaps, however slow the
	// machine (the race detector, other load), within a bound.
	swaps := 0
	for start := time.Now(); (swaps < 20 || requests.Load() < 200) && time.Since(start) < 60*time.Second; swaps++ {
		if err := live.Publish(sets[(swaps+1)%versions]); err != nil {
			t.Fatal(err)
		}
		if swaps%4 == 0 {
			// Editions no longer served go, and their body files with
			// them, while requests are answered from the newer ones.
			runtime.GC()
		}
		time.Sleep(2 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	if failures.Load() > 0 || requests.Load() < 20 {
		t.Fatalf("%d of %d requests failed", failures.Load(), requests.Load())
	}
	t.Logf("%d requests, %d swaps", requests.Load(), swaps)
}

// TestLastModifiedMovesWithContent checks that If-Modified-Since never
// hides a change: a feed whose bytes change gets a later Last-Modified
// even when its data's times stay, and an unchanged feed keeps its own.
func TestLastModifiedMovesWithContent(t *testing.T) {
	now := time.Date(2025, 2, 1, 12, 0, 0, 0, time.UTC)
	live := NewLive(LiveOptions{Now: func() time.Time { return now }})
	a := feedtest.BuildSet(t, feedtest.ServerProgramme)
	// The same data time, but paint moved from art to science: the art
	// feed loses a session without any event of it changing.
	b := feedtest.BuildSet(t, strings.Replace(feedtest.ServerProgramme, "venue: hall, room: b, track: art", "venue: hall, room: b, track: science", 1))
	if err := live.Publish(a); err != nil {
		t.Fatal(err)
	}
	before := live.cur.Load()
	if err := live.Publish(b); err != nil {
		t.Fatal(err)
	}
	after := live.cur.Load()
	art0, art1 := before.static["track/art.ics"], after.static["track/art.ics"]
	if art0.hash == art1.hash {
		t.Fatal("the art feed did not change")
	}
	if !art1.modified.After(art0.modified) {
		t.Errorf("art feed changed but Last-Modified stayed %v", art1.modified)
	}
	day0, day1 := before.static["day/2025-03-11.ics"], after.static["day/2025-03-11.ics"]
	if day0.hash != day1.hash || !day0.modified.Equal(day1.modified) {
		t.Errorf("unchanged feed: Last-Modified %v then %v", day0.modified, day1.modified)
	}
	if !after.modified.After(before.modified) {
		t.Error("the edition's Last-Modified (used by agendas) did not move")
	}
}

func TestFeedCacheBound(t *testing.T) {
	c := newFeedCache(3000)
	for i := 0; i < 10; i++ {
		key := fmt.Sprint("k", i)
		res, err := c.get(key, "alias"+key, func() (*resource, error) {
			return newResource(make([]byte, 1000), calendarType, "", true), nil
		})
		if err != nil || res == nil {
			t.Fatal(err)
		}
	}
	if c.size > 3000 || c.order.Len() != 3 {
		t.Errorf("size %d with %d entries, over the bound", c.size, c.order.Len())
	}
	if c.peek("k9") == nil || c.peek("aliask9") == nil || c.peek("k0") != nil || c.peek("aliask0") != nil {
		t.Error("not least recently used first out")
	}
	if len(c.byKey) != 6 {
		t.Errorf("%d keys for 3 entries with one alias each", len(c.byKey))
	}
}

// TestAssembledBodies checks that feeds sent from their events' bytes,
// kept whole or not, are the bytes Build made, and that a set can be
// published again.
func TestAssembledBodies(t *testing.T) {
	src := versioned(700) // all.ics well over one write chunk, the page over packMin
	want := map[string][]byte{}
	for _, f := range feedtest.BuildSet(t, src).Feeds {
		want[f.Path()] = f.Bytes()
	}
	if len(want["all.ics"]) <= writeChunk {
		t.Fatalf("all.ics is %d bytes: too small to test chunking", len(want["all.ics"]))
	}
	pageBody, err := page.Render(feedtest.BuildSet(t, src), page.Options{Live: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(pageBody) <= packMin {
		t.Fatalf("the page is %d bytes: too small to test packing", len(pageBody))
	}
	want[""] = pageBody
	{
		for _, keep := range []int{1, 0} {
			set := feedtest.BuildSet(t, src)
			live := NewLive(LiveOptions{KeepBytes: keep})
			srv := serveLive(t, live, HandlerOptions{})
			for round := 0; round < 2; round++ {
				if err := live.Publish(set); err != nil {
					t.Fatal(err)
				}
				for path, body := range want {
					for i := 0; i < 2; i++ { // the first answer may keep the body, the second use it
						r := fetch(t, "GET", srv.URL+"/"+path)
						if !bytes.Equal(r.body, body) {
							t.Fatalf("keep %d, round %d: %s differs from the built feed (%d bytes, want %d)", keep, round, path, len(r.body), len(body))
						}
					}
					gz := fetch(t, "GET", srv.URL+"/"+path, "Accept-Encoding", "gzip")
					if !bytes.Equal(gunzip(t, gz.body), body) {
						t.Fatalf("%s gzipped differs", path)
					}
				}
			}
		}
	}
}

// TestPageAfterSwitch: the page is rendered after the switch; a request
// gets the current edition's page, its Last-Modified kept when its bytes
// are the same and moved forward when they changed, even when the
// previous edition's page was never rendered.
func TestPageAfterSwitch(t *testing.T) {
	now := time.Date(2025, 2, 1, 12, 0, 0, 0, time.UTC)
	live := NewLive(LiveOptions{Now: func() time.Time { return now }})
	page := func() *resource {
		t.Helper()
		res, err := live.cur.Load().page.get()
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if err := live.Publish(feedtest.BuildSet(t, versioned(1))); err != nil {
		t.Fatal(err)
	}
	p1 := page()
	if got := oneVersion(t, p1.body); got != "v1" {
		t.Fatalf("page of %s", got)
	}
	if err := live.Publish(feedtest.BuildSet(t, versioned(1))); err != nil {
		t.Fatal(err)
	}
	if p := page(); p.hash != p1.hash || !p.modified.Equal(p1.modified) {
		t.Errorf("same page: Last-Modified %v then %v", p1.modified, p.modified)
	}
	// Two editions in a row, the first one's page never asked for
	// before the second is published (its render may still be going on).
	now = now.Add(time.Minute)
	for _, v := range []int{2, 3} {
		live.mu.Lock()
		ed, err := live.prepare(feedtest.BuildSet(t, versioned(v)), live.cur.Load())
		live.mu.Unlock()
		if err != nil {
			t.Fatal(err)
		}
		live.cur.Store(ed)
	}
	p3 := page()
	if got := oneVersion(t, p3.body); got != "v3" {
		t.Fatalf("page of %s after publishing v3", got)
	}
	if !p3.modified.After(p1.modified) {
		t.Errorf("changed page: Last-Modified %v, was %v", p3.modified, p1.modified)
	}
}

// TestIfNoneMatchOnSeveralLines: an If-None-Match list may come as several
// field lines (RFC 9110 §5.3); a tag on the second one matches.
func TestIfNoneMatchOnSeveralLines(t *testing.T) {
	live := NewLive(LiveOptions{})
	if err := live.Publish(feedtest.BuildSet(t, feedtest.ServerProgramme)); err != nil {
		t.Fatal(err)
	}
	h := NewHandler(live, HandlerOptions{})
	etag := live.cur.Load().static["all.ics"].etag[0]
	r, _ := http.NewRequest("GET", "/all.ics", nil)
	r.Header["If-None-Match"] = []string{`"other"`, etag}
	w := &discard{h: http.Header{}, code: 200}
	h.ServeHTTP(w, r)
	if w.code != http.StatusNotModified {
		t.Errorf("status %d, want 304", w.code)
	}
}
