package serve

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/confcal/confcal/programme"
)

// poller fetches a programme over http(s) with conditional requests, so
// that an unchanged programme costs the origin a 304.
type poller struct {
	url          string
	client       *http.Client
	etag, lastMo string
}

// fetch returns the programme, or changed false when the origin says it
// has not changed since the previous fetch.
func (p *poller) fetch(ctx context.Context) (data []byte, changed bool, err error) {
	u := p.url
	if strings.HasPrefix(strings.ToLower(u), "webcal://") {
		u = "https://" + u[len("webcal://"):]
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, false, fmt.Errorf("fetch programme %s: %w", p.url, err)
	}
	if p.etag != "" {
		req.Header.Set("If-None-Match", p.etag)
	}
	if p.lastMo != "" {
		req.Header.Set("If-Modified-Since", p.lastMo)
	}
	req.Header.Set("User-Agent", "confcal")
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, false, fmt.Errorf("fetch programme %s: %w", p.url, err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusNotModified:
		return nil, false, nil
	case http.StatusOK:
	default:
		return nil, false, fmt.Errorf("fetch programme %s: the server answered %s", p.url, resp.Status)
	}
	var b bytes.Buffer
	if _, err := io.Copy(&b, io.LimitReader(resp.Body, programme.MaxSourceSize+1)); err != nil {
		return nil, false, fmt.Errorf("fetch programme %s: %w", p.url, err)
	}
	if b.Len() > programme.MaxSourceSize {
		return nil, false, fmt.Errorf("fetch programme %s: larger than %d MiB", p.url, programme.MaxSourceSize>>20)
	}
	p.etag, p.lastMo = resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	return b.Bytes(), true, nil
}
