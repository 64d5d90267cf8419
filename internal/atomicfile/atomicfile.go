// Package atomicfile replaces a file's content so that readers see the old
// content or the new, never a part, and a crash leaves one or the other.
//
// Only regular files are replaced that way. Anything else at the path (a
// character device such as /dev/null, a FIFO, a terminal, a socket, or
// /dev/stdout and the other links into /proc/self/fd) is written to
// directly: renaming a file over it would replace the device itself.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// maxLinks bounds how many symbolic links WriteFile follows, as the
// kernel does (ELOOP).
const maxLinks = 40

// WriteFile writes data to path.
//
// A regular file, or a new one, is replaced: data goes to a temporary file
// in the same directory, is synced to disk, given perm and renamed over
// the file. A symbolic link to a regular file stays a link; the file it
// leads to is replaced. Anything that is not a regular file is opened and
// written to as it is, and perm is not applied; a regular file reached
// through a process's descriptor (/proc/self/fd/N, /dev/stdout) is
// appended to, as its owner would write to it. A directory is an error.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	target, direct, err := resolve(path)
	if err != nil {
		return err
	}
	if direct {
		return writeThrough(target, data)
	}
	return replace(target, data, perm)
}

// resolve follows path's symbolic links to what a write should go to:
// a regular file, the place of a new one, or (direct) something that is
// written through.
func resolve(path string) (target string, direct bool, err error) {
	p := path
	for range maxLinks {
		dir, err := filepath.EvalSymlinks(filepath.Dir(p))
		if err != nil {
			return "", false, err
		}
		p = filepath.Join(dir, filepath.Base(p))
		fi, err := os.Lstat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return p, false, nil
		case err != nil:
			return "", false, err
		case fi.Mode().IsRegular():
			return p, false, nil
		case fi.IsDir():
			return "", false, &fs.PathError{Op: "write", Path: path, Err: errors.New("is a directory")}
		case fi.Mode()&fs.ModeSymlink == 0, descriptorLink(p):
			return p, true, nil
		}
		link, err := os.Readlink(p)
		if err != nil {
			return "", false, err
		}
		if !filepath.IsAbs(link) {
			link = filepath.Join(dir, link)
		}
		p = link
	}
	return "", false, &fs.PathError{Op: "write", Path: path, Err: fmt.Errorf("more than %d symbolic links", maxLinks)}
}

// descriptorLink reports whether p is one of the links by which Linux's
// /proc shows a process's open descriptors: what it leads to is the
// descriptor's file, which must be written through the descriptor's
// path, never replaced.
func descriptorLink(p string) bool {
	return strings.HasPrefix(p, "/proc/")
}

// writeThrough writes data to what path is, without replacing it.
func writeThrough(path string, data []byte) error {
	flag := os.O_WRONLY
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() {
		flag |= os.O_APPEND
	}
	f, err := os.OpenFile(path, flag, 0)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// replace writes data to a temporary file beside path, syncs it, gives it
// perm and renames it over path.
func replace(path string, data []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // a no-op once renamed
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(perm)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
