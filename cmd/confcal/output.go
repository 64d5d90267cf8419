package main

import (
	"io"
	"path/filepath"

	"github.com/confcal/confcal/internal/atomicfile"
)

// stdoutName is how -o names standard output.
const stdoutName = "-"

// writeOutput writes data where a command's -o FILE says: standard output
// for '-', otherwise the file, relative to the working directory, through
// atomicfile (a regular file is replaced whole; a device, a FIFO or
// /dev/stdout is written to as it is). It returns how to name the place
// in a summary.
func (a *app) writeOutput(path string, data []byte) (string, error) {
	if path == stdoutName {
		_, err := a.stdout.Write(data)
		return "standard output", err
	}
	if err := atomicfile.WriteFile(a.path(path), data, 0o644); err != nil {
		return "", err
	}
	return path, nil
}

// summary is where a command that wrote to path says what it did:
// standard error when the output itself went to standard output,
// standard output otherwise.
func (a *app) summary(path string) io.Writer {
	if path == stdoutName {
		return a.stderr
	}
	return a.stdout
}

// path makes a relative path relative to the working directory.
func (a *app) path(p string) string {
	if filepath.IsAbs(p) || a.workDir == "" {
		return p
	}
	return filepath.Join(a.workDir, p)
}
