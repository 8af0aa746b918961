package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func ptr(s string) *string { return &s }

func TestAssembleSetsExactModesAndOneTimestamp(t *testing.T) {
	src := t.TempDir()
	if err := os.WriteFile(filepath.Join(src, "ca.crt"), []byte("CA"), 0o600); err != nil {
		t.Fatal(err)
	}
	assets := filepath.Join(src, "assets")
	if err := os.MkdirAll(filepath.Join(assets, "css"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(assets, "css", "a.css"), []byte("body{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	spec := Spec{Epoch: 1_700_000_000, Entries: []Entry{
		{Path: "/etc", Kind: "dir", Mode: 0o755},
		{Path: "/etc/passwd", Kind: "file", Mode: 0o444, Contents: ptr("root:x:0:0::/:/sbin/nologin\n")},
		{Path: "/etc/ca.crt", Kind: "file", Mode: 0o444, Source: filepath.Join(src, "ca.crt")},
		{Path: "/tmp", Kind: "dir", Mode: 0o1777},
		{Path: "/assets", Kind: "tree", Mode: 0o444, Source: assets},
	}}
	n, err := Assemble(spec, out)
	if err != nil {
		t.Fatal(err)
	}
	if n != 7 {
		t.Errorf("got %d paths, want 7", n)
	}
	want := map[string]os.FileMode{
		"etc":              0o755 | os.ModeDir,
		"etc/passwd":       0o444,
		"etc/ca.crt":       0o444,
		"tmp":              0o777 | os.ModeDir | os.ModeSticky,
		"assets":           0o555 | os.ModeDir,
		"assets/css":       0o555 | os.ModeDir,
		"assets/css/a.css": 0o444,
	}
	for rel, mode := range want {
		fi, err := os.Lstat(filepath.Join(out, rel))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != mode {
			t.Errorf("%s: mode %v, want %v", rel, fi.Mode(), mode)
		}
		if got := fi.ModTime(); !got.Equal(time.Unix(spec.Epoch, 0)) {
			t.Errorf("%s: mtime %v, want the epoch", rel, got)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(out, "etc/ca.crt")); string(b) != "CA" {
		t.Errorf("ca.crt holds %q", b)
	}
}

func TestAssembleRefusesANonEmptyDirectory(t *testing.T) {
	out := t.TempDir()
	if err := os.WriteFile(filepath.Join(out, "stray"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Assemble(Spec{}, out); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("got %v, want a not-empty error", err)
	}
}

func TestAssembleRefusesSymlinksInATree(t *testing.T) {
	assets := t.TempDir()
	if err := os.Symlink("/etc/shadow", filepath.Join(assets, "link")); err != nil {
		t.Fatal(err)
	}
	_, err := Assemble(Spec{Entries: []Entry{{Path: "/assets", Kind: "tree", Mode: 0o444, Source: assets}}}, t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "not a regular file or directory") {
		t.Fatalf("got %v, want a refusal naming the symlink", err)
	}
}

func TestAssembleRejectsAFileWithoutContents(t *testing.T) {
	_, err := Assemble(Spec{Entries: []Entry{{Path: "/x", Kind: "file", Mode: 0o444}}}, t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "exactly one of contents and source") {
		t.Fatalf("got %v", err)
	}
}
