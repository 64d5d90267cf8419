//go:build unix && !linux

package feed

import "syscall"

// syncFS flushes written files to disk; where no per-file-system sync
// exists, the whole system's.
func syncFS(string) error {
	syscall.Sync()
	return nil
}
