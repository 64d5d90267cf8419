package feed

import (
	"os"

	"golang.org/x/sys/unix"
)

// syncFS flushes every file of the file system holding dir to disk, in one
// call instead of one per file.
func syncFS(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return unix.Syncfs(int(f.Fd()))
}
