package feed

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/confcal/confcal/ics"
)

// ExportResult says what Export did.
type ExportResult struct {
	Written int
	Removed int
}

// ExportOptions tune an export.
type ExportOptions struct {
	// FeedsOnly writes the feeds and feeds.json alone: no calendar per
	// session and no index.html, for sites that make their own pages.
	FeedsOnly bool
	// Page renders index.html, the discovery page; nil writes none. It
	// runs while the calendars are written.
	Page func() ([]byte, error)
}

// SessionFeed renders the one-event calendar of ev, for "add this session"
// links.
func (set *Set) SessionFeed(ev *Event) *Feed {
	f := set.sessionFeed(ev)
	f.Body = f.Bytes()
	return f
}

// sessionFeed is SessionFeed without the assembled calendar.
func (set *Set) sessionFeed(ev *Event) *Feed {
	return set.feed(KindSession, ev.Session.ID, "session/"+ev.Session.UIDKey, ics.OneLine(set.renderTitle(ev)), "", []*Event{ev})
}

func (set *Set) renderTitle(ev *Event) string {
	return ev.Session.Title.In(set.Lang, set.Programme.Languages...)
}

// exportWorkers is how many files an export writes at once. Creating a file
// waits on the file system more than on the CPU, so more than one per CPU.
var exportWorkers = max(4, runtime.GOMAXPROCS(0))

// Export writes the set to dir as static files: every feed, one calendar
// per session, feeds.json and index.html (the feeds and feeds.json alone
// with opts.FeedsOnly). Every file is replaced atomically, and only when
// its content changed. Files the previous feeds.json lists that this
// export does not write are removed, unless they were changed since;
// nothing else in dir is touched.
//
// A changed file is staged as a temporary file, then renamed into place:
// readers see each file old or new, never a part, and a failure before the
// renames leaves the previous output as it was. The files are not forced to
// disk one by one (the export can always be made again; forcing 13,000
// files costs seconds); the directories are synced once renamed. A new file
// is written in place, since nothing links to it until the new feeds.json
// and index.html are renamed into place, last; a failed export removes it.
// The calendars are written by several goroutines at once, and the page is
// rendered meanwhile.
func Export(dir string, set *Set, opts ExportOptions) (ExportResult, error) {
	var res ExportResult
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return res, fmt.Errorf("export: %w", err)
	}
	type pageResult struct {
		b   []byte
		err error
	}
	var page chan pageResult
	if !opts.FeedsOnly && opts.Page != nil {
		page = make(chan pageResult, 1)
		go func() {
			b, err := opts.Page()
			page <- pageResult{b, err}
		}()
	}
	st := &stager{dir: dir, previous: previousFiles(dir)}
	defer st.abort()

	files, err := st.calendars(set, !opts.FeedsOnly)
	if err != nil {
		if page != nil {
			<-page
		}
		return res, err
	}
	written := make(map[string]string, len(files)+1)
	for _, f := range files {
		written[f.Path()] = f.Hash
	}
	var index *Feed
	if page != nil {
		r := <-page
		if r.err != nil {
			return res, fmt.Errorf("export: %w", r.err)
		}
		index = bodyFeed(r.b)
		written[pageFile] = index.Hash
	}

	// The manifest and page last: they point at files that then exist.
	var w fileWriter
	st.stage("feeds.json", bodyFeed(set.exportManifest(written)), &w)
	if index != nil {
		st.stage(pageFile, index, &w)
	}
	if err := st.firstErr(); err != nil {
		return res, err
	}
	if err := st.commit(); err != nil {
		return res, err
	}
	res.Written = len(st.staged) + len(st.created)
	for _, p := range slices.Sorted(maps.Keys(st.previous)) {
		if _, keep := written[p]; keep {
			continue
		}
		if removeIfOurs(filepath.Join(dir, filepath.FromSlash(p)), st.previous[p]) {
			res.Removed++
		}
	}
	return res, nil
}

// calendars stages every calendar of set: the feeds, then, with sessions,
// the one-session calendars, each made by the goroutine that writes it.
// It returns the calendars staged.
func (st *stager) calendars(set *Set, sessions bool) ([]*Feed, error) {
	files := make([]*Feed, len(set.Feeds), len(set.Feeds)+len(set.Events))
	copy(files, set.Feeds)
	var events []*Event
	if sessions {
		for _, ev := range set.Events {
			if !ev.Ghost {
				events = append(events, ev)
			}
		}
		files = files[:len(files)+len(events)]
	}
	dirs := map[string]bool{}
	for _, f := range set.Feeds {
		dirs[path.Dir(f.Path())] = true
	}
	if len(events) > 0 {
		dirs["session"] = true
	}
	for _, d := range slices.Sorted(maps.Keys(dirs)) {
		if err := os.MkdirAll(filepath.Join(st.dir, filepath.FromSlash(d)), 0o755); err != nil {
			return nil, fmt.Errorf("export: %w", err)
		}
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(exportWorkers, len(files)) {
		wg.Go(func() {
			var w fileWriter
			for {
				i := int(next.Add(1) - 1)
				if i >= len(files) || st.failed() {
					return
				}
				if i >= len(set.Feeds) {
					files[i] = set.sessionFeed(events[i-len(set.Feeds)])
				}
				st.stage(files[i].Path(), files[i], &w)
			}
		})
	}
	wg.Wait()
	return files, st.firstErr()
}

// removeIfOurs removes the file at path if it still holds what an export
// wrote there, as hash records it: a file someone has since replaced (a
// page of their own in place of index.html) stays.
func removeIfOurs(path, hash string) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	sum := sha256.Sum256(b)
	if hex.EncodeToString(sum[:]) != hash && ContentHash(b) != hash {
		return false
	}
	return os.Remove(path) == nil
}

// bodyFeed wraps a file that is not a calendar, for the stager.
func bodyFeed(b []byte) *Feed {
	sum := sha256.Sum256(b)
	return &Feed{Body: b, Size: len(b), Hash: hex.EncodeToString(sum[:])}
}

// stager writes each changed file to a temporary name beside its target,
// to be renamed into place at the end. A file that does not exist yet is
// written under its own name at once: nothing links to it until the new
// manifest and page are renamed into place, last. It is safe for
// concurrent use.
type stager struct {
	dir      string
	previous map[string]string // path -> hash, as the last export wrote them

	mu      sync.Mutex
	staged  []staged
	created []string
	err     error
	done    bool
}

type staged struct{ tmp, target string }

// stage writes f for rel through w, unless the file there already holds
// exactly that: same size, and the hash the last export recorded for it,
// or the same SHA-256. The first error is kept.
func (st *stager) stage(rel string, f *Feed, w *fileWriter) {
	target := filepath.Join(st.dir, filepath.FromSlash(rel))
	exists, unchanged, err := st.compare(rel, target, f)
	if err != nil {
		st.fail(fmt.Errorf("export %s: %w", rel, err))
		return
	}
	if unchanged {
		return
	}
	var file *os.File
	if exists {
		file, err = os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".tmp-*")
		if err == nil {
			st.record(func() { st.staged = append(st.staged, staged{tmp: file.Name(), target: target}) })
		}
	} else {
		file, err = os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			st.record(func() { st.created = append(st.created, target) })
		}
	}
	if err != nil {
		st.fail(fmt.Errorf("export %s: %w", rel, err))
		return
	}
	err = w.write(file, f)
	if err == nil && exists {
		err = file.Chmod(0o644)
	}
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		st.fail(fmt.Errorf("export %s: %w", rel, err))
	}
}

// compare reports whether a file exists at target and whether it already
// holds f. Something other than a file there is an error: it could not be
// replaced.
func (st *stager) compare(rel, target string, f *Feed) (exists, same bool, err error) {
	info, err := os.Lstat(target)
	if err != nil {
		return false, false, nil
	}
	if info.Mode()&os.ModeSymlink != 0 {
		// A link is replaced by the file, as rename does; what it points
		// to is left alone.
		return true, false, nil
	}
	if !info.Mode().IsRegular() {
		return true, false, fmt.Errorf("%s is in the way: not a regular file", target)
	}
	if info.Size() != int64(f.Size) {
		return true, false, nil
	}
	if st.previous[rel] == f.Hash {
		return true, true, nil
	}
	old, err := os.ReadFile(target)
	if err != nil {
		return true, false, nil
	}
	if f.Body != nil {
		return true, bytes.Equal(old, f.Body), nil
	}
	return true, ContentHash(old) == f.Hash, nil
}

func (st *stager) record(f func()) {
	st.mu.Lock()
	defer st.mu.Unlock()
	f()
}

func (st *stager) fail(err error) {
	st.record(func() {
		if st.err == nil {
			st.err = err
		}
	})
}

func (st *stager) failed() bool { return st.firstErr() != nil }

func (st *stager) firstErr() error {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.err
}

// commit renames the staged files into place, feeds.json and index.html
// last, and syncs the directories that changed.
func (st *stager) commit() error {
	if len(st.staged) == 0 && len(st.created) == 0 {
		st.done = true
		return nil
	}
	changed := map[string]bool{}
	for _, c := range st.created {
		changed[filepath.Dir(c)] = true
	}
	for i, s := range st.staged {
		if err := os.Rename(s.tmp, s.target); err != nil {
			st.staged = st.staged[i:]
			return fmt.Errorf("export: %w", err)
		}
		changed[filepath.Dir(s.target)] = true
	}
	for d := range changed {
		if f, err := os.Open(d); err == nil {
			_ = f.Sync()
			f.Close()
		}
	}
	st.done = true
	return nil
}

// abort removes what an unfinished export wrote: staged files not renamed
// and files it created.
func (st *stager) abort() {
	if st.done {
		return
	}
	for _, s := range st.staged {
		os.Remove(s.tmp)
	}
	for _, c := range st.created {
		os.Remove(c)
	}
}

// pageFile is the discovery page of an export.
const pageFile = "index.html"

type exportManifest struct {
	Manifest
	// Files maps every calendar file the export wrote, and its
	// index.html, to their SHA-256, so that the next export rewrites only
	// what changed and removes what is gone.
	Files map[string]string `json:"files"`
}

func (set *Set) exportManifest(files map[string]string) []byte {
	m := exportManifest{Manifest: set.Manifest(), Files: files}
	b, _ := json.MarshalIndent(m, "", "  ")
	return append(b, '\n')
}

// previousFiles returns the calendar files and page a previous export
// wrote, with their hashes, as its feeds.json recorded them. Only safe
// relative .ics paths and index.html are returned.
func previousFiles(dir string) map[string]string {
	data, err := os.ReadFile(filepath.Join(dir, "feeds.json"))
	if err != nil {
		return nil
	}
	var m exportManifest
	if json.Unmarshal(data, &m) != nil {
		return nil
	}
	out := map[string]string{}
	for p, hash := range m.Files {
		clean := path.Clean(p)
		if clean != p || strings.HasPrefix(clean, "../") || path.IsAbs(clean) || !strings.HasSuffix(clean, ".ics") && clean != pageFile {
			continue
		}
		out[clean] = hash
	}
	return out
}
