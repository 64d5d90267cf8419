// Command baresrv is Go's net/http at its fastest, for reference in
// bench/serve.sh: it serves files read into memory at start, with the
// headers confcal sends (Content-Type, Content-Length, a strong ETag, 304
// for a matching If-None-Match) and nothing else: no routing, no logging,
// no gzip. It shows what the standard library's server costs on its own,
// next to confcal serve (on fasthttp) and nginx.
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

type file struct {
	body        []byte
	etag, size  []string
	contentType []string
}

func main() {
	root := flag.String("root", "", "`DIR` whose .ics files are served")
	addr := flag.String("addr", "127.0.0.1:8081", "listen `ADDR`")
	flag.Parse()
	if *root == "" {
		fmt.Fprintln(os.Stderr, "usage: baresrv -root DIR [-addr ADDR]")
		os.Exit(2)
	}
	files := map[string]*file{}
	err := filepath.WalkDir(*root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".ics" {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(*root, path)
		sum := sha256.Sum256(b)
		files["/"+filepath.ToSlash(rel)] = &file{body: b, etag: []string{`"` + hex.EncodeToString(sum[:16]) + `"`},
			size: []string{strconv.Itoa(len(b))}, contentType: []string{"text/calendar; charset=utf-8"}}
		return nil
	})
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
		h["Etag"] = f.etag
		if inm := r.Header["If-None-Match"]; len(inm) == 1 && inm[0] == f.etag[0] {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		h["Content-Type"], h["Content-Length"] = f.contentType, f.size
		w.Write(f.body)
	})}
	fmt.Printf("serving http://%s/ (%d files)\n", *addr, len(files))
	if err := srv.ListenAndServe(); err != nil {
		fmt.Fprintln(os.Stderr, "baresrv:", err)
		os.Exit(1)
	}
}
