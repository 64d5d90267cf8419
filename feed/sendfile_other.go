//go:build !linux

package feed

import (
	"io"

	"github.com/valyala/fasthttp"
)

// bodyFile is the in-memory file of kept bodies that Linux has and other
// systems do without: their bodies are sent from memory.
type bodyFile struct{}

func newBodyFile(*edition) *bodyFile { return nil }

func (*bodyFile) add([]byte) (int64, bool) { return 0, false }

func (*bodyFile) addFrom(*resource, *edition) (int64, bool) { return 0, false }

func fileBody(*fasthttp.RequestCtx, *fastBody) io.Reader { return nil }
