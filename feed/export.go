package feed

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
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
// Files are staged first as temporary files, flushed to disk with one sync
// of the file system rather than one per file, then renamed into place:
// a crash leaves each file old or new, never a part, and a failure before
// the renames leaves the previous output as it was.
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
	st := &stager{dir: dir, dirs: map[string]bool{}}
	defer st.abort()
	written := map[string]bool{}
	for _, f := range set.Feeds {
		if err := st.stage(f.Path(), f); err != nil {
			return res, err
		}
		written[f.Path()] = true
	}
	for _, ev := range set.Events {
		if ev.Ghost {
			continue
		}
		f := set.SessionFeed(ev)
		if err := st.stage(f.Path(), f); err != nil {
			return res, err
		}
		written[f.Path()] = true
	}
	// The manifest and page last: they point at files that then exist.
	if err := st.stage("feeds.json", bytes.NewReader(set.exportManifest(sortedKeys(written)))); err != nil {
		return res, err
	}
	if err := st.stage("index.html", bytes.NewReader(page)); err != nil {
		return res, err
	}
	if err := st.commit(); err != nil {
		return res, err
	}
	res.Written = len(st.staged)
	for _, p := range old {
		if written[p] {
			continue
		}
		if err := os.Remove(filepath.Join(dir, filepath.FromSlash(p))); err == nil {
			res.Removed++
		}
	}
	return res, nil
}

// stager writes files to temporary names beside their targets and renames
// them all at the end.
type stager struct {
	dir    string
	staged []staged
	dirs   map[string]bool
	buf    bytes.Buffer
	done   bool
}

type staged struct{ tmp, target string }

// stage writes the content of src for rel, unless the file there already
// holds exactly that.
func (st *stager) stage(rel string, src io.WriterTo) error {
	target := filepath.Join(st.dir, filepath.FromSlash(rel))
	st.buf.Reset()
	if _, err := src.WriteTo(&st.buf); err != nil {
		return fmt.Errorf("export %s: %w", rel, err)
	}
	if same(target, st.buf.Bytes()) {
		return nil
	}
	parent := filepath.Dir(target)
	if !st.dirs[parent] {
		if err := os.MkdirAll(parent, 0o755); err != nil {
			return fmt.Errorf("export %s: %w", rel, err)
		}
		st.dirs[parent] = true
	}
	f, err := os.CreateTemp(parent, "."+filepath.Base(target)+".tmp-*")
	if err != nil {
		return fmt.Errorf("export %s: %w", rel, err)
	}
	st.staged = append(st.staged, staged{tmp: f.Name(), target: target})
	if _, err := f.Write(st.buf.Bytes()); err != nil {
		f.Close()
		return fmt.Errorf("export %s: %w", rel, err)
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return fmt.Errorf("export %s: %w", rel, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("export %s: %w", rel, err)
	}
	return nil
}

// same reports whether the file at path holds exactly data.
func same(path string, data []byte) bool {
	info, err := os.Stat(path)
	if err != nil || info.Size() != int64(len(data)) {
		return false
	}
	old, err := os.ReadFile(path)
	return err == nil && bytes.Equal(old, data)
}

// commit flushes the staged files to disk, renames them into place and
// syncs the directories that changed.
func (st *stager) commit() error {
	if len(st.staged) == 0 {
		return nil
	}
	if err := syncFS(st.dir); err != nil {
		return fmt.Errorf("export: sync: %w", err)
	}
	changed := map[string]bool{}
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

// abort removes staged files that were not renamed.
func (st *stager) abort() {
	if st.done {
		return
	}
	for _, s := range st.staged {
		os.Remove(s.tmp)
	}
}

type exportManifest struct {
	Manifest
	Files []string `json:"files"`
}

func (set *Set) exportManifest(files []string) []byte {
	m := exportManifest{Manifest: set.Manifest(), Files: files}
	b, _ := json.MarshalIndent(m, "", "  ")
	return append(b, '\n')
}

// previousFiles lists the calendar files a previous export wrote, as its
// feeds.json recorded them. Only safe relative .ics paths are returned.
func previousFiles(dir string) []string {
	data, err := os.ReadFile(filepath.Join(dir, "feeds.json"))
	if err != nil {
		return nil
	}
	var m exportManifest
	if json.Unmarshal(data, &m) != nil {
		return nil
	}
	var out []string
	for _, p := range m.Files {
		clean := path.Clean(p)
		if clean != p || strings.HasPrefix(clean, "../") || path.IsAbs(clean) || !strings.HasSuffix(clean, ".ics") {
			continue
		}
		out = append(out, clean)
	}
	return out
}
