package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestOutputToDevice writes agendas and programmes to a character device
// (a copy of /dev/null, 1,3, made in a temporary directory) and to a FIFO:
// each stays what it is, and the data reaches the FIFO's reader.
func TestOutputToDevice(t *testing.T) {
	dir := t.TempDir()
	dev := filepath.Join(dir, "null")
	if err := syscall.Mknod(dev, syscall.S_IFCHR|0o666, 1<<8|3); err != nil {
		t.Skipf("cannot make a device node here (needs root): %v", err)
	}
	for _, args := range [][]string{
		{"agenda", "--track", "science", "-o", dev},
		{"convert", "-o", dev},
	} {
		if code, _, stderr := runIn(t, dir, args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		if fi, err := os.Lstat(dev); err != nil || fi.Mode().Type() != os.ModeDevice|os.ModeCharDevice {
			t.Fatalf("%v: the device is now %v (%v)", args, fi.Mode(), err)
		}
	}
	code, _, stderr := runIn(t, dir, "build", "--out", dev)
	if code != exitUsage || !strings.Contains(stderr, "is not a directory") {
		t.Errorf("build --out DEVICE: exit %d: %s", code, stderr)
	}
}

func TestOutputToFIFO(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("cannot make a FIFO here: %v", err)
	}
	r, err := os.OpenFile(fifo, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if code, _, stderr := runIn(t, dir, "agenda", "--track", "science", "-o", fifo); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	r.SetReadDeadline(time.Now().Add(5 * time.Second))
	var got bytes.Buffer
	io.CopyN(&got, r, int64(len("BEGIN:VCALENDAR")))
	if got.String() != "BEGIN:VCALENDAR" {
		t.Errorf("the reader got %q", got.String())
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode().Type() != os.ModeNamedPipe {
		t.Errorf("the FIFO is now %v (%v)", fi.Mode(), err)
	}
}
