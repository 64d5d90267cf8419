package feed

import (
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
// per session, feeds.json and index.html. Each file is replaced atomically.
// Feeds listed in the previous feeds.json that no longer exist are
// removed; nothing else in dir is touched.
func Export(dir string, set *Set) (ExportResult, error) {
	var res ExportResult
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return res, fmt.Errorf("export: %w", err)
	}
	old := previousFiles(dir)
	files := map[string][]byte{}
	for _, f := range set.Feeds {
		files[f.Path()] = f.Body
	}
	for _, ev := range set.Events {
		if ev.Ghost {
			continue
		}
		f := set.SessionFeed(ev)
		files[f.Path()] = f.Body
	}
	page, err := set.IndexHTML()
	if err != nil {
		return res, fmt.Errorf("export: %w", err)
	}
	for _, p := range sortedKeys(files) {
		if err := writeFile(dir, p, files[p]); err != nil {
			return res, err
		}
		res.Written++
	}
	// The manifest and page last: they point at files that now exist.
	if err := writeFile(dir, "feeds.json", set.exportManifest(files)); err != nil {
		return res, err
	}
	if err := writeFile(dir, "index.html", page); err != nil {
		return res, err
	}
	res.Written += 2
	for _, p := range old {
		if _, keep := files[p]; keep {
			continue
		}
		if err := os.Remove(filepath.Join(dir, filepath.FromSlash(p))); err == nil {
			res.Removed++
		}
	}
	return res, nil
}

func writeFile(dir, rel string, data []byte) error {
	full := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		return fmt.Errorf("export %s: %w", rel, err)
	}
	if err := WriteFileAtomic(full, data, 0o644); err != nil {
		return fmt.Errorf("export %s: %w", rel, err)
	}
	return nil
}

type exportManifest struct {
	Manifest
	Files []string `json:"files"`
}

func (set *Set) exportManifest(files map[string][]byte) []byte {
	m := exportManifest{Manifest: set.Manifest(), Files: sortedKeys(files)}
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
