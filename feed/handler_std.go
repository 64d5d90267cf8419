package feed

import (
	"io"
	"net/http"
	"strconv"
	"time"
)

// NewHandler returns the feed server for net/http: the same answers as
// NewFastHandler's, for use inside any net/http server or mux.
func NewHandler(live *Live, opts HandlerOptions) http.Handler {
	return stdHandler{newHandler(live, opts)}
}

type stdHandler struct{ h *handler }

func (s stdHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rq := request{
		method:            r.Method,
		path:              r.URL.EscapedPath(),
		query:             r.URL.RawQuery,
		ifMatch:           r.Header.Get("If-Match"),
		ifNoneMatch:       r.Header.Get("If-None-Match"),
		ifModifiedSince:   r.Header.Get("If-Modified-Since"),
		ifUnmodifiedSince: r.Header.Get("If-Unmodified-Since"),
		gzip:              acceptsGzip(r.Header["Accept-Encoding"]),
	}
	a := getAnswer()
	defer putAnswer(a)
	s.h.answer(&rq, a)
	hdr := w.Header()
	for _, f := range a.fields[:a.n] {
		hdr[f.name] = f.value
	}
	if a.hasBody() {
		if a.lengthField != nil {
			hdr["Content-Length"] = a.lengthField
		} else {
			hdr["Content-Length"] = []string{strconv.Itoa(a.length)}
		}
	}
	w.WriteHeader(a.status)
	var n int64
	var err error
	if a.hasBody() && r.Method != http.MethodHead {
		if a.body != nil {
			var m int
			m, err = w.Write(a.body)
			n = int64(m)
		} else {
			cw := &countingWriter{w: w}
			err = a.res.writeTo(cw, a.ed)
			n = cw.n
		}
	}
	if s.h.opts.Served != nil {
		s.h.opts.Served(Served{Method: r.Method, Path: rq.path, Status: a.status, Bytes: n, Duration: time.Since(start), Err: err})
	}
}

// countingWriter counts what it passes on.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
