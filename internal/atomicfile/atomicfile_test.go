package atomicfile

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	for _, content := range []string{"one", "two", ""} {
		if err := WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(path); string(b) != content {
			t.Errorf("content %q, want %q", b, content)
		}
	}
	if info, _ := os.Stat(path); runtime.GOOS != "windows" && info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", info.Mode())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d files left, want 1", len(entries))
	}
	if err := WriteFile(filepath.Join(dir, "missing", "f"), nil, 0o600); err == nil {
		t.Error("no error writing into a missing directory")
	}
}

// TestWriteFileSymlink replaces the target of a link to a regular file
// and keeps the link.
func TestWriteFileSymlink(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "real"), 0o755)
	target := filepath.Join(dir, "real", "programme.yaml")
	os.WriteFile(target, []byte("old"), 0o644)
	link := filepath.Join(dir, "programme.yaml")
	if err := os.Symlink(filepath.Join("real", "programme.yaml"), link); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	if err := WriteFile(link, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced: %v %v", fi.Mode(), err)
	}
	if b, _ := os.ReadFile(target); string(b) != "new" {
		t.Errorf("target content %q", b)
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "real")); len(entries) != 1 {
		t.Errorf("%d files beside the target, want 1", len(entries))
	}
}

func TestWriteFileDirectory(t *testing.T) {
	if err := WriteFile(t.TempDir(), []byte("x"), 0o644); err == nil {
		t.Error("no error writing over a directory")
	}
}
