package feed

// syncFS is a no-op on Windows, which has no file-system-wide sync: each
// staged file is still renamed into place whole.
func syncFS(string) error { return nil }
