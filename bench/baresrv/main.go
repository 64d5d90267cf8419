// Command baresrv is Go's net/http at its fastest, for reference in
// bench/serve.sh: it serves files read into memory at start with the
// header fields confcal serve sends (a strong ETag, Last-Modified,
// Cache-Control, Vary, CORS, and on a full answer Content-Type,
// Content-Length, Content-Disposition, nosniff and Accept-Ranges), and 304
// for a matching If-None-Match, all computed at start: no routing, no
// logging, no gzip, no other conditional request. A response is therefore
// the same bytes as confcal's, and what confcal serve costs beyond it is
// its own work. -minimal sends only Content-Type, Content-Length and the
// ETag, to show what the fields themselves cost.
//
//	go run ./bench/baresrv -root public -addr 127.0.0.1:8081
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// file is one response, its header fields made once.
type file struct {
	body []byte
	etag []string
	// always is sent with a 304 too, full with a 200 only.
	always, full http.Header
}

func main() {
	root := flag.String("root", "", "`DIR` whose .ics files are served")
	addr := flag.String("addr", "127.0.0.1:8081", "listen `ADDR`")
	cacheControl := flag.String("cache-control", "public, max-age=3600", "the Cache-Control `value` sent")
	minimal := flag.Bool("minimal", false, "send only Content-Type, Content-Length and ETag")
	flag.Parse()
	if *root == "" {
		fmt.Fprintln(os.Stderr, "usage: baresrv -root DIR [-addr ADDR] [-cache-control VALUE] [-minimal]")
		os.Exit(2)
	}
	files, err := load(*root, *cacheControl, *minimal)
	if err != nil {
		fmt.Fprintln(os.Stderr, "baresrv:", err)
		os.Exit(1)
	}
	srv := &http.Server{Addr: *addr, ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f := files[r.URL.Path]
		if f == nil {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		for k, v := range f.always {
			h[k] = v
		}
		if inm := r.Header["If-None-Match"]; len(inm) == 1 && inm[0] == f.etag[0] {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		for k, v := range f.full {
			h[k] = v
		}
		w.Write(f.body)
	})}
	fmt.Printf("serving http://%s/ (%d files)\n", *addr, len(files))
	if err := srv.ListenAndServe(); err != nil {
		fmt.Fprintln(os.Stderr, "baresrv:", err)
		os.Exit(1)
	}
}

// load reads every .ics file under root and makes its header fields.
func load(root, cacheControl string, minimal bool) (map[string]*file, error) {
	files := map[string]*file{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".ics" {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		sum := sha256.Sum256(b)
		f := &file{body: b, etag: []string{`"` + hex.EncodeToString(sum[:16]) + `"`}}
		f.always = http.Header{"Etag": f.etag}
		f.full = http.Header{"Content-Type": {"text/calendar; charset=utf-8"}, "Content-Length": {strconv.Itoa(len(b))}}
		if !minimal {
			f.always["Last-Modified"] = []string{info.ModTime().UTC().Format(http.TimeFormat)}
			f.always["Cache-Control"] = []string{cacheControl}
			f.always["Vary"] = []string{"Accept-Encoding"}
			f.always["Access-Control-Allow-Origin"] = []string{"*"}
			f.full["Content-Disposition"] = []string{`inline; filename="` + filepath.Base(path) + `"`}
			f.full["X-Content-Type-Options"] = []string{"nosniff"}
			f.full["Accept-Ranges"] = []string{"bytes"}
		}
		files["/"+filepath.ToSlash(rel)] = f
		return nil
	})
	return files, err
}
