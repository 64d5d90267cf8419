//go:build linux

package atomicfile

import (
	"io"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// TestWriteFileFIFO writes through a named pipe to its reader: renaming a
// file over it would leave the reader waiting and replace the pipe.
func TestWriteFileFIFO(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("cannot make a FIFO here: %v", err)
	}
	// Read and write, so that opening does not wait for a writer.
	r, err := os.OpenFile(fifo, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	r.SetReadDeadline(time.Now().Add(5 * time.Second))
	want := "through the pipe"
	if err := WriteFile(fifo, []byte(want), 0o644); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, len(want))
	if _, err := io.ReadFull(r, b); err != nil || string(b) != want {
		t.Errorf("the reader got %q (%v)", b, err)
	}
	assertMode(t, fifo, os.ModeNamedPipe)
	assertOnly(t, dir, 1)
}

// TestWriteFileDevice writes to a character device made in a temporary
// directory, a copy of /dev/null (1,3), directly and through a symbolic
// link: the device stays a device.
func TestWriteFileDevice(t *testing.T) {
	dir := t.TempDir()
	dev := filepath.Join(dir, "null")
	if err := syscall.Mknod(dev, syscall.S_IFCHR|0o666, int(mkdev(1, 3))); err != nil {
		t.Skipf("cannot make a device node here (needs root): %v", err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink("null", link); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{dev, link} {
		if err := WriteFile(path, []byte("gone"), 0o644); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	assertMode(t, dev, os.ModeDevice|os.ModeCharDevice)
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link is no longer a link: %v %v", fi.Mode(), err)
	}
	assertOnly(t, dir, 2)
}

// TestWriteFileStdout writes through a link to a descriptor of the
// process, as /dev/stdout is one to /proc/self/fd/1 (made here in a
// temporary directory, for a pipe): the data goes down the pipe, and the
// link stays a link.
func TestWriteFileStdout(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	proc := filepath.Join("/proc/self/fd", strconv.Itoa(int(w.Fd())))
	if _, err := os.Stat(proc); err != nil {
		t.Skip("no /proc/self/fd")
	}
	dir := t.TempDir()
	stdout := filepath.Join(dir, "stdout")
	if err := os.Symlink(proc, stdout); err != nil {
		t.Fatal(err)
	}
	want := "to standard output"
	if err := WriteFile(stdout, []byte(want), 0o644); err != nil {
		t.Fatal(err)
	}
	r.SetReadDeadline(time.Now().Add(5 * time.Second))
	b := make([]byte, len(want))
	if _, err := io.ReadFull(r, b); err != nil || string(b) != want {
		t.Errorf("the pipe got %q (%v)", b, err)
	}
	assertMode(t, stdout, os.ModeSymlink)
	assertOnly(t, dir, 1)
}

// TestWriteFileRegularThroughProc appends when /proc/self/fd leads to a
// regular file, as the descriptor's owner would see it written.
func TestWriteFileRegularThroughProc(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.WriteString("before\n")
	proc := filepath.Join("/proc/self/fd", strconv.Itoa(int(f.Fd())))
	if _, err := os.Lstat(proc); err != nil {
		t.Skip("no /proc/self/fd")
	}
	if err := WriteFile(proc, []byte("after\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(f.Name()); string(b) != "before\nafter\n" {
		t.Errorf("content %q", b)
	}
}

func mkdev(major, minor uint32) uint64 {
	return uint64(major)<<8 | uint64(minor)
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Type() != want {
		t.Errorf("%s is now %v, want type %v", path, fi.Mode(), want)
	}
}

func assertOnly(t *testing.T, dir string, n int) {
	t.Helper()
	if entries, _ := os.ReadDir(dir); len(entries) != n {
		t.Errorf("%d files in %s, want %d (a temporary file left?)", len(entries), dir, n)
	}
}
