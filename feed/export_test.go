package feed_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/confcal/confcal/bench/gen/synth"
	"github.com/confcal/confcal/feed"
	"github.com/confcal/confcal/programme"
)

// exported returns every file under dir with its SHA-256, by slash path.
func exported(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		sum := sha256.Sum256(b)
		out[filepath.ToSlash(rel)] = hex.EncodeToString(sum[:])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// manifestFiles returns the files map of dir's feeds.json.
func manifestFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "feeds.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Files map[string]string `json:"files"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m.Files
}

// The files an export writes, several at once, are exactly those its
// manifest lists, each with the content the set holds.
func TestExportWritesWhatTheManifestLists(t *testing.T) {
	for _, opts := range []feed.ExportOptions{site, {FeedsOnly: true}} {
		dir := t.TempDir()
		set := build(t, load(t, "summit"), feed.Options{})
		if _, err := feed.Export(dir, set, opts); err != nil {
			t.Fatal(err)
		}
		files := exported(t, dir)
		listed := manifestFiles(t, dir)
		delete(files, "feeds.json")
		if len(files) != len(listed) {
			t.Errorf("FeedsOnly=%v: %d files written, %d listed", opts.FeedsOnly, len(files), len(listed))
		}
		for path := range listed {
			if _, ok := files[path]; !ok {
				t.Errorf("FeedsOnly=%v: %s listed, not written", opts.FeedsOnly, path)
			}
		}
		for _, f := range set.Feeds {
			if listed[f.Path()] != f.Hash {
				t.Errorf("FeedsOnly=%v: %s listed with hash %q, want %q", opts.FeedsOnly, f.Path(), listed[f.Path()], f.Hash)
			}
			sum := sha256.Sum256(f.Bytes())
			if files[f.Path()] != hex.EncodeToString(sum[:]) {
				t.Errorf("FeedsOnly=%v: %s does not hold the feed", opts.FeedsOnly, f.Path())
			}
		}
		sessions := 0
		for path := range files {
			if strings.HasPrefix(path, "session/") {
				sessions++
			}
		}
		want, page := 13, true
		if opts.FeedsOnly {
			want, page = 0, false
		}
		if _, ok := files["index.html"]; sessions != want || ok != page {
			t.Errorf("FeedsOnly=%v: %d session calendars and page %v, want %d and %v", opts.FeedsOnly, sessions, ok, want, page)
		}
	}
}

// An export that fails part of the way leaves the previous output as it
// was: no file replaced, none added, no temporary file left.
func TestExportFailureLeavesPreviousOutput(t *testing.T) {
	dir := t.TempDir()
	p := load(t, "summit")
	if _, err := feed.Export(dir, build(t, p, feed.Options{}), site); err != nil {
		t.Fatal(err)
	}
	// Something that is not a file where a feed must be written.
	blocked := filepath.Join(dir, "speaker", "emmanuel-macron.ics")
	if err := os.Remove(blocked); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(blocked, 0o755); err != nil {
		t.Fatal(err)
	}
	before := exported(t, dir)

	// The next version changes every feed and adds a session.
	next := load(t, "summit")
	next.Name = programme.Plain("Renamed")
	extra := *next.Sessions[0]
	extra.ID, extra.UIDKey = "extra", "extra"
	next.Sessions = append(next.Sessions, &extra)
	_, err := feed.Export(dir, build(t, next, feed.Options{}), site)
	if err == nil || !strings.Contains(err.Error(), "speaker/emmanuel-macron.ics") {
		t.Fatalf("export over a directory: %v", err)
	}
	after := exported(t, dir)
	for path, sum := range after {
		if before[path] != sum {
			t.Errorf("%s was written by a failed export", path)
		}
	}
	for path := range before {
		if _, ok := after[path]; !ok {
			t.Errorf("%s was removed by a failed export", path)
		}
	}
}

// ContentHash, from a calendar's bytes, gives the hash the manifest lists,
// for every kind of feed, and any change to the bytes changes it.
func TestContentHash(t *testing.T) {
	for _, name := range []string{"summit", "minimal", "dst"} {
		set := build(t, load(t, name), feed.Options{})
		feeds := append([]*feed.Feed(nil), set.Feeds...)
		for _, ev := range set.Events {
			feeds = append(feeds, set.SessionFeed(ev))
		}
		feeds = append(feeds, set.Render(feed.KindAgenda, "none", "agenda", "Nothing", "", nil))
		for _, f := range feeds {
			b := f.Bytes()
			if got := feed.ContentHash(b); got != f.Hash {
				t.Errorf("%s %s: ContentHash %s, feed hash %s", name, f.Path(), got, f.Hash)
			}
			for _, i := range []int{0, len(b) / 3, len(b) / 2, len(b) - 3} {
				changed := append([]byte(nil), b...)
				changed[i] ^= 1
				if feed.ContentHash(changed) == f.Hash {
					t.Errorf("%s %s: byte %d changed, hash did not", name, f.Path(), i)
				}
			}
		}
	}
	// Bytes laid out otherwise are hashed whole.
	for _, b := range []string{"", "x", "END:VCALENDAR\r\n", "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\n"} {
		sum := sha256.Sum256([]byte(b))
		if got := feed.ContentHash([]byte(b)); got != hex.EncodeToString(sum[:]) && b != "END:VCALENDAR\r\n" {
			t.Errorf("ContentHash(%q) = %s, want the SHA-256 of the bytes", b, got)
		}
	}
}

// A feed of more events than one write takes is written whole.
func TestExportLargeFeed(t *testing.T) {
	p, _, err := programme.DecodeBytes(synth.Programme(synth.Config{Sessions: 2500, Days: 2, Tracks: 3, Venues: 2, Seed: 7}), "synth.yaml")
	if err != nil {
		t.Fatal(err)
	}
	set := build(t, p, feed.Options{})
	dir := t.TempDir()
	if _, err := feed.Export(dir, set, feed.ExportOptions{FeedsOnly: true}); err != nil {
		t.Fatal(err)
	}
	for _, f := range set.Feeds {
		got, err := os.ReadFile(filepath.Join(dir, f.Path()))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, f.Bytes()) {
			t.Errorf("%s (%d events): the file differs from the feed", f.Path(), len(f.Events))
		}
	}
}

// Switching to FeedsOnly removes the session calendars and page an earlier
// export wrote, but not a page someone put in its place, nor a feed they
// edited; a link where a file goes is replaced, not followed.
func TestExportKeepsWhatOthersChanged(t *testing.T) {
	dir := t.TempDir()
	set := build(t, load(t, "summit"), feed.Options{})
	if _, err := feed.Export(dir, set, site); err != nil {
		t.Fatal(err)
	}
	mine := []byte("<!doctype html><title>our own page</title>\n")
	if err := os.WriteFile(filepath.Join(dir, "index.html"), mine, 0o644); err != nil {
		t.Fatal(err)
	}
	edited := filepath.Join(dir, "session", "elysee-dinner.ics")
	if err := os.WriteFile(edited, []byte("edited by hand\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := feed.Export(dir, set, feed.ExportOptions{FeedsOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "index.html")); !bytes.Equal(got, mine) {
		t.Error("a page of someone else's was removed")
	}
	if _, err := os.Stat(edited); err != nil {
		t.Error("an edited session calendar was removed")
	}
	if _, err := os.Stat(filepath.Join(dir, "session", "gp-day1-forum.ics")); err == nil {
		t.Error("an untouched session calendar survived --feeds-only")
	}
	if res.Removed != 12 {
		t.Errorf("removed %d files, want the 12 untouched session calendars", res.Removed)
	}

	// A link in place of a feed is replaced by the feed; its target stays.
	target := filepath.Join(t.TempDir(), "elsewhere.ics")
	if err := os.WriteFile(target, []byte("not ours"), 0o644); err != nil {
		t.Fatal(err)
	}
	all := filepath.Join(dir, "all.ics")
	if err := os.Remove(all); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, all); err != nil {
		t.Skip("no symlinks here:", err)
	}
	if _, err := feed.Export(dir, set, feed.ExportOptions{FeedsOnly: true}); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Lstat(all); err != nil || !info.Mode().IsRegular() {
		t.Errorf("all.ics is not a file after the export: %v %v", info, err)
	}
	if got, _ := os.ReadFile(target); string(got) != "not ours" {
		t.Error("the export wrote through a link")
	}
}

// site exports a whole site: the calendars and a discovery page (package
// page renders the real one).
var site = feed.ExportOptions{Page: func() ([]byte, error) { return []byte("<!doctype html>\n<title>Test</title>\n"), nil }}
