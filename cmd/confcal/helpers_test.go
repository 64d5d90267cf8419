package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// testEnv is an environment for run with HOME and the XDG directories in
// dir and a fixed clock.
func testEnv(dir string, extra ...string) func(string) (string, bool) {
	m := map[string]string{"HOME": dir + "/home", "XDG_CONFIG_HOME": dir + "/home/.config",
		"XDG_STATE_HOME": dir + "/home/.local/state", "CONFCAL_NOW": "2025-01-15T10:00:00Z"}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i]] = extra[i+1]
	}
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// runIn runs confcal with args in dir and returns its exit code and output.
func runIn(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	t.Chdir(dir)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr, testEnv(dir))
	return code, stdout.String(), stderr.String()
}
