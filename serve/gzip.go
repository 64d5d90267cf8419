package serve

import (
	"strconv"
	"strings"
)

// acceptsGzip reports whether the values of Accept-Encoding allow gzip:
// named (or "*") with a non-zero quality.
func acceptsGzip(values []string) bool {
	for _, v := range values {
		if decided, ok := gzipAccepted(v); decided {
			return ok
		}
	}
	return false
}

// gzipAccepted looks for gzip, x-gzip or "*" in one Accept-Encoding value:
// decided is whether it names one, ok whether its quality is above zero.
func gzipAccepted(v string) (decided, ok bool) {
	for part := range strings.SplitSeq(v, ",") {
		name, params, _ := strings.Cut(part, ";")
		name = strings.TrimSpace(name)
		if !strings.EqualFold(name, "gzip") && !strings.EqualFold(name, "x-gzip") && name != "*" {
			continue
		}
		q := 1.0
		for p := range strings.SplitSeq(params, ";") {
			k, v, found := strings.Cut(strings.TrimSpace(p), "=")
			if found && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				}
			}
		}
		return true, q > 0
	}
	return false, false
}
