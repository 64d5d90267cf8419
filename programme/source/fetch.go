package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/confcal/confcal/programme"
)

// DefaultTimeout bounds how long fetching a programme over http(s) may
// take, when Options.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// IsURL reports whether name is a programme to fetch over the network:
// an http, https or webcal URL.
func IsURL(name string) bool {
	l := strings.ToLower(name)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "webcal://")
}

// fetch downloads a programme, refusing answers other than 200 OK and
// bodies larger than the limit.
func fetch(ctx context.Context, rawURL string, opts Options) ([]byte, error) {
	u := rawURL
	if strings.HasPrefix(strings.ToLower(u), "webcal://") {
		u = "https://" + u[len("webcal://"):]
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	limit := opts.MaxSize
	if limit <= 0 {
		limit = programme.MaxSourceSize
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("fetch programme %s: %w", rawURL, err)
	}
	req.Header.Set("Accept", "application/yaml, application/json, application/xml, text/xml, text/calendar, text/csv;q=0.9, */*;q=0.5")
	client := opts.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("fetch programme %s: no complete answer within %s", rawURL, timeout)
		}
		return nil, fmt.Errorf("fetch programme %s: %w", rawURL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch programme %s: the server answered %s", rawURL, resp.Status)
	}
	if resp.ContentLength > limit {
		return nil, fmt.Errorf("fetch programme %s: %d bytes, more than the limit of %d bytes", rawURL, resp.ContentLength, limit)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
			return nil, fmt.Errorf("fetch programme %s: no complete answer within %s", rawURL, timeout)
		}
		return nil, fmt.Errorf("fetch programme %s: %w", rawURL, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("fetch programme %s: more than the limit of %d bytes", rawURL, limit)
	}
	return data, nil
}
