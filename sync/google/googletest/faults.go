package googletest

import (
	"net/http"
	"time"
)

// FaultKind is a failure the fake can inject.
type FaultKind int

// The faults.
const (
	NoFault FaultKind = iota
	// TooManyRequests answers 429 rateLimitExceeded.
	TooManyRequests
	// RateLimit answers 403 rateLimitExceeded.
	RateLimit
	// UserRateLimit answers 403 userRateLimitExceeded.
	UserRateLimit
	// QuotaExceeded answers 403 quotaExceeded ("Calendar usage limits
	// exceeded"), which must not be retried soon.
	QuotaExceeded
	// ServerError answers 500 backendError without doing the work.
	ServerError
	// ServiceUnavailable answers 503 without doing the work.
	ServiceUnavailable
	// LostResponse does the work, then closes the connection unanswered.
	LostResponse
	// ServerErrorAfterWrite does the work, then answers 500.
	ServerErrorAfterWrite
)

func (k FaultKind) String() string {
	return [...]string{"none", "429", "403 rateLimitExceeded", "403 userRateLimitExceeded", "403 quotaExceeded",
		"500", "503", "lost response", "500 after write"}[k]
}

// Fault injects Kind into matching requests.
type Fault struct {
	Kind FaultKind
	// Op is the API method to hit ("events.insert"); "" hits any. The
	// authorization server's endpoints are hit only when named:
	// "oauth.token" and "oauth.revoke" answer the fault's status with an
	// OAuth error (server_error, or rate_limit_exceeded for 429), before
	// doing anything; LostResponse and ServerErrorAfterWrite become a
	// plain 500 there.
	Op string
	// Method is the HTTP method to hit; "" hits any.
	Method string
	// Skip lets this many matching requests through first.
	Skip int
	// Times is how many matching requests to hit (1 if zero, -1 for all).
	Times int
	// RetryAfter is sent as the Retry-After header of 429 and 403s.
	RetryAfter time.Duration
}

// Inject adds a fault. Faults are consumed in the order they were added.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Times == 0 {
		f.Times = 1
	}
	s.faults = append(s.faults, &f)
}

// SetFaults makes pick choose a fault for every request that no injected
// Fault hits; nil stops it. It is called with the lock held: it must not
// call the Server.
func (s *Server) SetFaults(pick func(Request) FaultKind) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faultFunc = pick
}

// ClearFaults removes every pending fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
	s.faultFunc = nil
}

type activeFault struct {
	kind       FaultKind
	retryAfter time.Duration
}

// takeFault returns the fault for req, with s.mu held.
func (s *Server) takeFault(req Request) activeFault {
	for i, f := range s.faults {
		if (f.Op != "" && f.Op != req.Op) || (f.Method != "" && f.Method != req.Method) {
			continue
		}
		if f.Skip > 0 {
			f.Skip--
			continue
		}
		if f.Times > 0 {
			f.Times--
			if f.Times == 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
		}
		return activeFault{kind: f.Kind, retryAfter: f.RetryAfter}
	}
	if s.faultFunc != nil {
		k := s.faultFunc(req)
		if (k == LostResponse || k == ServerErrorAfterWrite) && req.Method == http.MethodGet {
			k = ServerError
		}
		return activeFault{kind: k}
	}
	return activeFault{}
}

func (f activeFault) before() bool {
	return f.kind != NoFault && f.kind != LostResponse && f.kind != ServerErrorAfterWrite
}

func (f activeFault) status() int {
	switch f.kind {
	case TooManyRequests:
		return http.StatusTooManyRequests
	case RateLimit, UserRateLimit, QuotaExceeded:
		return http.StatusForbidden
	case ServiceUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

func (f activeFault) reason() string {
	switch f.kind {
	case TooManyRequests, RateLimit:
		return "rateLimitExceeded"
	case UserRateLimit:
		return "userRateLimitExceeded"
	case QuotaExceeded:
		return "quotaExceeded"
	}
	return "backendError"
}

func (f activeFault) message() string {
	switch f.kind {
	case TooManyRequests, RateLimit:
		return "Rate Limit Exceeded"
	case UserRateLimit:
		return "User Rate Limit Exceeded"
	case QuotaExceeded:
		return "Calendar usage limits exceeded."
	}
	return "Backend Error"
}

// takeOAuthFault returns the fault injected for the authorization
// server's endpoint op, with s.mu held: only faults that name it hit.
func (s *Server) takeOAuthFault(op string) (status int, kind string, hit bool) {
	for i, f := range s.faults {
		if f.Op != op {
			continue
		}
		if f.Skip > 0 {
			f.Skip--
			continue
		}
		if f.Times > 0 {
			f.Times--
			if f.Times == 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
		}
		af := activeFault{kind: f.Kind}
		if !af.before() {
			return http.StatusInternalServerError, "server_error", true
		}
		if af.status() == http.StatusTooManyRequests {
			return af.status(), "rate_limit_exceeded", true
		}
		return af.status(), "server_error", true
	}
	return 0, "", false
}
