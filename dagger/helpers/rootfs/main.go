// Command rootfs writes the scratch image's root file system into an empty directory from a JSON
// spec (the module's recipe, dagger/src/recipe/image.ts): every entry with its exact mode (the sticky
// bit included), owned by 0:0, and every timestamp set to one epoch. The module runs it in the build
// container, on a directory mounted for it, so the image's file system is one snapshot: one layer.
//
//	rootfs -spec spec.json -out /rootfs
//
// Standard library only: it runs wherever Go runs, whatever else the golang image holds.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Spec is what the module asks for.
type Spec struct {
	// Epoch is the timestamp, in seconds since 1970, of every entry.
	Epoch int64 `json:"epoch"`
	// Entries are created in order, so parents come first.
	Entries []Entry `json:"entries"`
}

// Entry is one path of the root file system.
type Entry struct {
	Path string `json:"path"`
	// Kind is "dir", "file" or "tree" (a directory copied whole, read-only).
	Kind string `json:"kind"`
	// Mode is the Unix mode, e.g. 0o1777 (as a number). For a tree: the mode of its files.
	Mode uint32 `json:"mode"`
	// Contents of a file given inline.
	Contents *string `json:"contents,omitempty"`
	// Source is a file or directory to copy from.
	Source string `json:"source,omitempty"`
}

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "rootfs:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	flags := flag.NewFlagSet("rootfs", flag.ContinueOnError)
	specPath := flags.String("spec", "", "the JSON spec")
	out := flags.String("out", "", "the empty directory to fill")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *specPath == "" || *out == "" {
		return errors.New("usage: rootfs -spec spec.json -out DIR")
	}
	raw, err := os.ReadFile(*specPath)
	if err != nil {
		return err
	}
	var spec Spec
	if err := json.Unmarshal(raw, &spec); err != nil {
		return fmt.Errorf("spec %s: %w", *specPath, err)
	}
	n, err := Assemble(spec, *out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "rootfs: %d entries, every timestamp %s\n", n, time.Unix(spec.Epoch, 0).UTC().Format(time.RFC3339))
	return nil
}

// Assemble fills the empty directory out as spec says and returns how many paths it holds.
func Assemble(spec Spec, out string) (int, error) {
	existing, err := os.ReadDir(out)
	if err != nil {
		return 0, err
	}
	if len(existing) > 0 {
		return 0, fmt.Errorf("%s is not empty", out)
	}
	for _, e := range spec.Entries {
		if err := create(out, e); err != nil {
			return 0, fmt.Errorf("%s: %w", e.Path, err)
		}
	}
	return stampAll(out, time.Unix(spec.Epoch, 0))
}

// fileMode converts a Unix mode (0o1777) to Go's FileMode, whose sticky, setuid and setgid bits are
// not the Unix ones.
func fileMode(unix uint32) os.FileMode {
	m := os.FileMode(unix & 0o777)
	if unix&0o1000 != 0 {
		m |= os.ModeSticky
	}
	if unix&0o2000 != 0 {
		m |= os.ModeSetgid
	}
	if unix&0o4000 != 0 {
		m |= os.ModeSetuid
	}
	return m
}

func create(out string, e Entry) error {
	rel := strings.TrimPrefix(filepath.Clean("/"+e.Path), "/")
	if rel == "" {
		return errors.New("the root itself cannot be an entry")
	}
	target := filepath.Join(out, rel)
	switch e.Kind {
	case "dir":
		if err := os.Mkdir(target, 0o700); err != nil {
			return err
		}
		return own(target, fileMode(e.Mode))
	case "file":
		var data []byte
		switch {
		case e.Contents != nil && e.Source == "":
			data = []byte(*e.Contents)
		case e.Contents == nil && e.Source != "":
			b, err := os.ReadFile(e.Source)
			if err != nil {
				return err
			}
			data = b
		default:
			return errors.New("a file needs exactly one of contents and source")
		}
		if err := os.WriteFile(target, data, 0o600); err != nil {
			return err
		}
		return own(target, fileMode(e.Mode))
	case "tree":
		return copyTree(e.Source, target, fileMode(e.Mode))
	default:
		return fmt.Errorf("unknown kind %q", e.Kind)
	}
}

// copyTree copies a directory of regular files and directories: files get mode, directories the
// same mode plus search permission wherever it has read permission (0o444 -> 0o555). Directory
// modes are set last, so a read-only directory is not made before its contents are written.
func copyTree(src, dst string, mode os.FileMode) error {
	dirMode := mode | (mode&0o444)>>2
	var dirs []string
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			dirs = append(dirs, target)
			return os.Mkdir(target, 0o700)
		case d.Type().IsRegular():
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if err := os.WriteFile(target, data, 0o600); err != nil {
				return err
			}
			return own(target, mode)
		default:
			return fmt.Errorf("%s is not a regular file or directory: assets may hold only those", rel)
		}
	})
	if err != nil {
		return err
	}
	for i := len(dirs) - 1; i >= 0; i-- {
		if err := own(dirs[i], dirMode); err != nil {
			return err
		}
	}
	return nil
}

// own gives path to root (0:0), when run as root as in the build container, and sets its exact
// mode (no umask).
func own(path string, mode os.FileMode) error {
	if os.Geteuid() == 0 {
		if err := os.Lchown(path, 0, 0); err != nil {
			return err
		}
	}
	return os.Chmod(path, mode)
}

// stampAll sets the access and modification time of every path under root, and of root itself, to
// t; it returns how many paths there are below root. Deepest paths first, so setting a time never
// disturbs a directory already stamped.
func stampAll(root string, t time.Time) (int, error) {
	var paths []string
	err := filepath.WalkDir(root, func(path string, _ fs.DirEntry, err error) error {
		paths = append(paths, path)
		return err
	})
	if err != nil {
		return 0, err
	}
	sort.Sort(sort.Reverse(sort.StringSlice(paths)))
	for _, p := range paths {
		if err := os.Chtimes(p, t, t); err != nil {
			return 0, err
		}
	}
	return len(paths) - 1, nil
}
