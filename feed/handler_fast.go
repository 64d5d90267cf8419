package feed

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/valyala/fasthttp"
)

// NewFastHandler returns the feed server for fasthttp, the HTTP server
// confcal serve runs on: it answers as NewHandler does, with less work
// per request and per byte. Serve it with a server from NewFastServer, or
// one with the same settings. A panic while answering is answered 500,
// logged through the server's Logger, and closes the connection.
func NewFastHandler(live *Live, opts HandlerOptions) fasthttp.RequestHandler {
	return newHandler(live, opts).serveFast
}

// NewFastServer returns a fasthttp server answering with NewFastHandler,
// set up as the feed server needs: no Server header and no default
// Content-Type (a 304 carries none), "Connection: close" on the answers
// given while it shuts down, room for a request line and header of
// DefaultMaxHeader bytes (a longer one gets 431), request bodies (never
// used) not parsed, and no part of a request quoted in the log. Timeouts
// are the caller's to set.
//
// On Linux its handler sends the feeds it keeps whole with sendfile(2),
// writing straight to the connection; the handler of NewFastHandler
// never does, so that it may be wrapped in handlers that change bodies.
func NewFastServer(live *Live, opts HandlerOptions) *fasthttp.Server {
	h := newHandler(live, opts)
	h.sendfile = true
	return &fasthttp.Server{
		Handler:                      h.serveFast,
		ReadBufferSize:               DefaultMaxHeader,
		NoDefaultServerHeader:        true,
		NoDefaultContentType:         true,
		CloseOnShutdown:              true,
		DisablePreParseMultipartForm: true,
		SecureErrorLogMessage:        true,
		ErrorHandler:                 fastError,
	}
}

// fastError answers a request fasthttp could not read, in the form of
// every other error.
func fastError(ctx *fasthttp.RequestCtx, err error) {
	code, msg := http.StatusBadRequest, "malformed request"
	var small *fasthttp.ErrSmallBuffer
	var ne net.Error
	switch {
	case errors.As(err, &small):
		code, msg = http.StatusRequestHeaderFieldsTooLarge, "request line and header fields too large"
	case errors.Is(err, fasthttp.ErrBodyTooLarge):
		code, msg = http.StatusRequestEntityTooLarge, "request body too large"
	case errors.As(err, &ne) && ne.Timeout():
		code, msg = http.StatusRequestTimeout, "request not received in time"
	}
	failFast(&ctx.Response, code, msg)
}

// failFast answers with an error, as answer.fail words it.
func failFast(resp *fasthttp.Response, code int, msg string) {
	var a answer
	a.fail(code, msg)
	a.header(resp)
	resp.SetBodyRaw(a.body)
}

// header sets the answer's status and header fields on resp.
func (a *answer) header(resp *fasthttp.Response) {
	resp.SetStatusCode(a.status)
	for _, f := range a.fields[:a.n] {
		resp.Header.Set(f.name, f.value[0])
	}
}

// DefaultMaxHeader bounds the size of a request's line and header
// fields: room for a query of DefaultMaxQuery bytes and the header
// fields of any client.
const DefaultMaxHeader = 16 << 10

func (h *handler) serveFast(ctx *fasthttp.RequestCtx) {
	defer func() {
		if v := recover(); v != nil {
			ctx.Logger().Printf("panic answering %s: %v\n%s", ctx.RequestURI(), v, debug.Stack())
			ctx.Response.Reset()
			failFast(&ctx.Response, http.StatusInternalServerError, "internal error")
			ctx.SetConnectionClose()
		}
	}()
	start := time.Now()
	hdr := &ctx.Request.Header
	path, query := splitTarget(string(ctx.RequestURI()))
	rq := request{
		method:            methodName(ctx.Method()),
		path:              path,
		query:             query,
		ifMatch:           string(hdr.Peek("If-Match")),
		ifNoneMatch:       string(hdr.Peek("If-None-Match")),
		ifModifiedSince:   string(hdr.Peek("If-Modified-Since")),
		ifUnmodifiedSince: string(hdr.Peek("If-Unmodified-Since")),
	}
	for _, v := range hdr.PeekAll("Accept-Encoding") {
		if decided, ok := gzipAccepted(string(v)); decided {
			rq.gzip = ok
			break
		}
	}
	a := getAnswer()
	defer putAnswer(a)
	h.answer(&rq, a)
	resp := &ctx.Response
	a.header(resp)
	if a.hasBody() {
		// The body is handed over as a stream, so that what is logged is
		// what was written, once it was.
		body := &fastBody{h: h, start: start, method: rq.method, path: rq.path, status: a.status,
			body: a.body, res: a.res, ed: a.ed}
		var stream io.Reader = body
		if h.sendfile && a.res != nil && rq.method != http.MethodHead {
			if fb := fileBody(ctx, body); fb != nil {
				stream = fb
			}
		}
		resp.SetBodyStream(stream, a.length)
		return
	}
	if h.opts.Served != nil {
		h.opts.Served(Served{Method: rq.method, Path: rq.path, Status: a.status, Duration: time.Since(start)})
	}
}

// splitTarget splits a request target into its escaped path and its raw
// query. The absolute form ("http://host/path?query") is reduced to its
// path; anything else that does not start with "/" is returned whole, to
// match no route.
func splitTarget(t string) (path, query string) {
	path, query, _ = strings.Cut(t, "?")
	if strings.HasPrefix(path, "/") {
		return path, query
	}
	if _, rest, ok := strings.Cut(path, "://"); ok {
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			return rest[i:], query
		}
		return "/", query
	}
	return path, query
}

// methodName returns m as a string, without allocating for GET and HEAD.
func methodName(m []byte) string {
	switch string(m) {
	case http.MethodGet:
		return http.MethodGet
	case http.MethodHead:
		return http.MethodHead
	}
	return string(m)
}

// fastBody is a response body for fasthttp: written with WriteTo (the
// whole body in one write, or assembled from a resource in large
// chunks), and closed once written, which reports the request as served.
type fastBody struct {
	h            *handler
	start        time.Time
	method, path string
	status       int
	body         []byte
	res          *resource
	ed           *edition
	rd           io.Reader // for Read, made on first use
	n            int64
}

// SupportsBodyWriteTo tells fasthttp to write the body with WriteTo.
func (b *fastBody) SupportsBodyWriteTo() bool { return true }

func (b *fastBody) WriteTo(w io.Writer) (int64, error) {
	cw := countingWriter{w: w}
	var err error
	switch {
	case b.rd != nil:
		_, err = io.Copy(&cw, b.rd)
	case b.body != nil:
		_, err = cw.Write(b.body)
	default:
		err = b.res.writeTo(&cw, b.ed)
	}
	b.n += cw.n
	return cw.n, err
}

func (b *fastBody) Read(p []byte) (int, error) {
	if b.rd == nil {
		if b.body != nil {
			b.rd = bytes.NewReader(b.body)
		} else {
			b.rd = b.res.reader(b.ed)
		}
	}
	n, err := b.rd.Read(p)
	b.n += int64(n)
	return n, err
}

// CloseWithError is called by fasthttp once the body is written, or
// could not be.
func (b *fastBody) CloseWithError(err error) error {
	if b.h.opts.Served != nil {
		b.h.opts.Served(Served{Method: b.method, Path: b.path, Status: b.status, Bytes: b.n, Duration: time.Since(b.start), Err: err})
	}
	return nil
}
