package feed

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// ExportResult says what Export did.
type ExportResult struct {
	Written int
	Removed int
}

// SessionFeed renders the one-event calendar of ev, for "add this session"
// links.
func (set *Set) SessionFeed(ev *Event) *Feed {
	return set.Render(KindSession, ev.Session.ID, "session/"+ev.Session.UIDKey, oneLine(set.renderTitle(ev)), "", []*Event{ev})
}

func (set *Set) renderTitle(ev *Event) string {
	return ev.Session.Title.In(set.Lang, set.Programme.Languages...)
}

// Export writes the set to dir as static files: every feed, one calendar
// per session, feeds.json and index.html. Every file is replaced
// atomically, and only when its content changed. Feeds listed in the
// previous feeds.json that no longer exist are removed; nothing else in dir
// is touched.
//
// A changed file is staged as a temporary file, then renamed into place:
// readers see each file old or new, never a part, and a failure before the
// renames leaves the previous output as it was. The files are not forced to
// disk one by one (the export can always be made again; forcing 13,000
// files costs seconds); the directories are synced once renamed. A new file is
// written in place, since nothing links to it until the new feeds.json and
// index.html are renamed into place, last; a failed export removes it.
func Export(dir string, set *Set) (ExportResult, error) {
	var res ExportResult
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return res, fmt.Errorf("export: %w", err)
	}
	old := previousFiles(dir)
	page, err := set.IndexHTML()
	if err != nil {
		return res, fmt.Errorf("export: %w", err)
	}
	st := &stager{dir: dir, dirs: map[string]bool{}, previous: old}
	defer st.abort()
	written := map[string]string{}
	stage := func(f *Feed) {
		written[f.Path()] = f.Hash
		if st.err == nil {
			st.stage(f.Path(), f.Bytes(), f.Hash)
		}
	}
	for _, f := range set.Feeds {
		stage(f)
	}
	for _, ev := range set.Events {
		if !ev.Ghost {
			stage(set.SessionFeed(ev))
		}
	}
	// The manifest and page last: they point at files that then exist.
	st.stage("feeds.json", set.exportManifest(written), "")
	st.stage("index.html", page, "")
	if err := st.err; err != nil {
		return res, err
	}
	if err := st.commit(); err != nil {
		return res, err
	}
	res.Written = len(st.staged) + len(st.created)
	for _, p := range sortedKeys(old) {
		if _, keep := written[p]; keep {
			continue
		}
		if err := os.Remove(filepath.Join(dir, filepath.FromSlash(p))); err == nil {
			res.Removed++
		}
	}
	return res, nil
}

// stager writes each changed file to a temporary name beside its target,
// to be renamed into place at the end. A file that does not exist yet is
// written under its own name at once: nothing links to it until the new
// manifest and page are renamed into place, last.
type stager struct {
	dir      string
	previous map[string]string // path -> hash, as the last export wrote them
	staged   []staged
	created  []string
	dirs     map[string]bool
	err      error
	done     bool
}

type staged struct{ tmp, target string }

// stage writes data for rel, unless the file there already holds exactly
// that: as the last export recorded its hash, when hash is given, or byte
// for byte. The first error is kept in st.err.
func (st *stager) stage(rel string, data []byte, hash string) {
	target := filepath.Join(st.dir, filepath.FromSlash(rel))
	var exists, unchanged bool
	if hash != "" && st.previous[rel] == hash {
		info, err := os.Stat(target)
		exists = err == nil
		unchanged = exists && info.Size() == int64(len(data))
	} else {
		exists, unchanged = compare(target, data)
	}
	if unchanged {
		return
	}
	dir := filepath.Dir(target)
	if !st.dirs[dir] {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			st.err = fmt.Errorf("export %s: %w", rel, err)
			return
		}
		st.dirs[dir] = true
	}
	var f *os.File
	var err error
	if exists {
		f, err = os.CreateTemp(dir, "."+filepath.Base(target)+".tmp-*")
		if err == nil {
			st.staged = append(st.staged, staged{tmp: f.Name(), target: target})
		}
	} else {
		f, err = os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			st.created = append(st.created, target)
		}
	}
	if err != nil {
		st.err = fmt.Errorf("export %s: %w", rel, err)
		return
	}
	_, err = f.Write(data)
	if err == nil && exists {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		st.err = fmt.Errorf("export %s: %w", rel, err)
	}
}

// compare reports whether a file exists at path and whether it holds
// exactly data.
func compare(path string, data []byte) (exists, same bool) {
	info, err := os.Stat(path)
	if err != nil {
		return false, false
	}
	if info.Size() != int64(len(data)) {
		return true, false
	}
	old, err := os.ReadFile(path)
	return true, err == nil && bytes.Equal(old, data)
}

// commit renames the staged files into place and syncs the directories
// that changed.
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

type exportManifest struct {
	Manifest
	// Files maps every calendar file the export wrote to its SHA-256, so
	// that the next export rewrites only what changed and removes what
	// is gone.
	Files map[string]string `json:"files"`
}

func (set *Set) exportManifest(files map[string]string) []byte {
	m := exportManifest{Manifest: set.Manifest(), Files: files}
	b, _ := json.MarshalIndent(m, "", "  ")
	return append(b, '\n')
}

// previousFiles returns the calendar files a previous export wrote, with
// their hashes, as its feeds.json recorded them. Only safe relative .ics
// paths are returned.
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
		if clean != p || strings.HasPrefix(clean, "../") || path.IsAbs(clean) || !strings.HasSuffix(clean, ".ics") {
			continue
		}
		out[clean] = hash
	}
	return out
}
