package serve

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

// AccessLog returns next with one log line per request, at Info once it is
// answered: method, path (as sent, percent-encoded), status, body bytes
// written, duration, and the error that cut the answer short, if any.
func AccessLog(log *slog.Logger, next http.Handler) http.Handler {
	h := log.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if !h.Enabled(ctx, slog.LevelInfo) {
			next.ServeHTTP(w, r)
			return
		}
		start := time.Now()
		rec := &recorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		// The record is made here rather than by log.LogAttrs, which
		// would also look up the caller on every request.
		line := slog.NewRecord(time.Now(), slog.LevelInfo, "request", 0)
		line.AddAttrs(slog.String("method", r.Method), slog.String("path", r.URL.EscapedPath()),
			slog.Int("status", rec.status), slog.Int64("bytes", rec.bytes), slog.Duration("duration", time.Since(start)))
		if rec.err != nil {
			line.AddAttrs(slog.String("error", rec.err.Error()))
		}
		_ = h.Handle(context.WithoutCancel(ctx), line)
	})
}

// recorder notes what a handler answered.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
	err    error
}

func (rec *recorder) WriteHeader(code int) {
	if rec.status == 0 && code >= 200 {
		rec.status = code
	}
	rec.ResponseWriter.WriteHeader(code)
}

func (rec *recorder) Write(p []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	n, err := rec.ResponseWriter.Write(p)
	rec.bytes += int64(n)
	if err != nil && rec.err == nil {
		rec.err = err
	}
	return n, err
}

// Unwrap gives http.ResponseController the connection's writer.
func (rec *recorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }
