// Package browsertest drives headless Chromium through the DevTools
// protocol, for the tests of the pages confcal serves.
package browsertest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"
)

// Need returns the Chromium to run, or skips t without one (fails it when
// CI=true).
func Need(t testing.TB) string {
	t.Helper()
	bin := Path()
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is not installed (Debian package chromium); the browser tests must run in CI")
		}
		t.Skip("chromium not found (install Debian's chromium package to run the browser tests)")
	}
	return bin
}

// Path returns the Chromium to run: $CHROMIUM, else chromium or
// chromium-browser on the PATH, else "".
func Path() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// WaitEval waits until js, evaluated in page, is true.
func WaitEval(ctx context.Context, t testing.TB, b *Browser, page, js string) {
	t.Helper()
	for {
		if ok, err := Evaluate[bool](ctx, b, page, js); err == nil && ok {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %s: %v", js, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Eval evaluates js in page, failing t on an error.
func Eval[T any](ctx context.Context, t testing.TB, b *Browser, page, js string) T {
	t.Helper()
	v, err := Evaluate[T](ctx, b, page, js)
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}

// Evaluate evaluates js in page and decodes its value.
func Evaluate[T any](ctx context.Context, b *Browser, page, js string) (T, error) {
	var zero T
	res, err := b.Call(ctx, page, "Runtime.evaluate", map[string]any{"expression": js, "returnByValue": true, "awaitPromise": true})
	if err != nil {
		return zero, err
	}
	var out struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	if err := json.Unmarshal(res, &out); err != nil {
		return zero, err
	}
	if e := out.ExceptionDetails; e != nil {
		return zero, fmt.Errorf("%s %s", e.Text, e.Exception.Description)
	}
	var v T
	err = json.Unmarshal(out.Result.Value, &v)
	return v, err
}

// Browser drives Chromium through the DevTools protocol over the pipe of
// --remote-debugging-pipe: NUL-terminated JSON messages on file
// descriptors 3 (to Chromium) and 4 (from Chromium).
type Browser struct {
	cmd *exec.Cmd
	in  io.WriteCloser

	mu      sync.Mutex
	nextID  int
	waiting map[int]chan message
	errs    []string
	done    chan struct{}
}

type message struct {
	ID        int             `json:"id,omitempty"`
	Method    string          `json:"method,omitempty"`
	Params    json.RawMessage `json:"params,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	SessionID string          `json:"sessionId,omitempty"`
	Error     *struct {
		Message string `json:"message"`
	} `json:"error,omitempty"`
}

// Launch starts headless Chromium bin with a profile directory.
func Launch(ctx context.Context, bin, profile string) (*Browser, error) {
	toChrome, ours, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	theirs, fromChrome, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-default-apps", "--disable-extensions", "--mute-audio", "--user-data-dir="+profile,
		"--remote-debugging-pipe", "about:blank")
	cmd.ExtraFiles = []*os.File{toChrome, fromChrome}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	toChrome.Close()
	fromChrome.Close()
	b := &Browser{cmd: cmd, in: ours, waiting: map[int]chan message{}, done: make(chan struct{})}
	go b.read(theirs)
	if _, err := b.Call(ctx, "", "Browser.getVersion", nil); err != nil {
		b.Close()
		return nil, fmt.Errorf("chromium does not answer: %v\n%s", err, stderr.String())
	}
	return b, nil
}

func (b *Browser) read(r io.ReadCloser) {
	defer close(b.done)
	defer r.Close()
	br := bufio.NewReaderSize(r, 1<<20)
	for {
		raw, err := br.ReadBytes(0)
		if err != nil {
			return
		}
		var m message
		if json.Unmarshal(raw[:len(raw)-1], &m) != nil {
			continue
		}
		b.mu.Lock()
		if m.ID != 0 {
			if ch, ok := b.waiting[m.ID]; ok {
				ch <- m
				delete(b.waiting, m.ID)
			}
		} else if m.Method == "Runtime.exceptionThrown" {
			b.errs = append(b.errs, string(m.Params))
		}
		b.mu.Unlock()
	}
}

// Exceptions returns the script errors pages raised.
func (b *Browser) Exceptions() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.errs...)
}

// Call sends one command, to the browser when session is empty, and
// waits for its result.
func (b *Browser) Call(ctx context.Context, session, method string, params any) (json.RawMessage, error) {
	b.mu.Lock()
	b.nextID++
	id := b.nextID
	ch := make(chan message, 1)
	b.waiting[id] = ch
	b.mu.Unlock()
	msg := map[string]any{"id": id, "method": method}
	if params != nil {
		msg["params"] = params
	}
	if session != "" {
		msg["sessionId"] = session
	}
	data, err := json.Marshal(msg)
	if err != nil {
		return nil, err
	}
	if _, err := b.in.Write(append(data, 0)); err != nil {
		return nil, fmt.Errorf("%s: %w", method, err)
	}
	select {
	case m := <-ch:
		if m.Error != nil {
			return nil, fmt.Errorf("%s: %s", method, m.Error.Message)
		}
		return m.Result, nil
	case <-b.done:
		return nil, fmt.Errorf("%s: chromium went away", method)
	case <-ctx.Done():
		return nil, fmt.Errorf("%s: %w", method, ctx.Err())
	}
}

// NewPage opens a tab and returns the session that drives it.
func (b *Browser) NewPage(ctx context.Context) (string, error) {
	res, err := b.Call(ctx, "", "Target.createTarget", map[string]any{"url": "about:blank"})
	if err != nil {
		return "", err
	}
	var target struct {
		TargetID string `json:"targetId"`
	}
	if err := json.Unmarshal(res, &target); err != nil {
		return "", err
	}
	res, err = b.Call(ctx, "", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true})
	if err != nil {
		return "", err
	}
	var attached struct {
		SessionID string `json:"sessionId"`
	}
	if err := json.Unmarshal(res, &attached); err != nil {
		return "", err
	}
	if attached.SessionID == "" {
		return "", errors.New("no session")
	}
	return attached.SessionID, nil
}

// Close closes Chromium.
func (b *Browser) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _ = b.Call(ctx, "", "Browser.close", nil)
	b.in.Close()
	exited := make(chan struct{})
	go func() { _ = b.cmd.Wait(); close(exited) }()
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		_ = b.cmd.Process.Kill()
		<-exited
	}
}

// Click clicks, as a person does with the mouse, the middle of the first
// element selector matches, scrolled into view (of its first box, for an
// inline element broken across lines).
func Click(ctx context.Context, t testing.TB, b *Browser, page, selector string) {
	t.Helper()
	js := fmt.Sprintf(`(() => { const el = document.querySelector(%q);
		if (!el) return "";
		el.scrollIntoView({block: "center"}); const r = el.getClientRects()[0] || el.getBoundingClientRect();
		return JSON.stringify({x: r.left + r.width / 2, y: r.top + r.height / 2}); })()`, selector)
	raw := Eval[string](ctx, t, b, page, js)
	if raw == "" {
		t.Fatalf("no element %s to click", selector)
	}
	var at struct{ X, Y float64 }
	if err := json.Unmarshal([]byte(raw), &at); err != nil {
		t.Fatal(err)
	}
	for _, typ := range []string{"mousePressed", "mouseReleased"} {
		if _, err := b.Call(ctx, page, "Input.dispatchMouseEvent", map[string]any{
			"type": typ, "x": at.X, "y": at.Y, "button": "left", "clickCount": 1}); err != nil {
			t.Fatal(err)
		}
	}
}
