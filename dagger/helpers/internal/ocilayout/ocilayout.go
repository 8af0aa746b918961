// Package ocilayout reads and writes OCI image layout tarballs, the form in which the Dagger engine
// exports a container (`Container.asTarball`), and finds the image index they hold.
package ocilayout

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// Media types of the OCI image spec.
const (
	MediaTypeIndex    = "application/vnd.oci.image.index.v1+json"
	MediaTypeManifest = "application/vnd.oci.image.manifest.v1+json"
)

// Descriptor is an OCI content descriptor.
type Descriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Size        int64             `json:"size"`
	Annotations map[string]string `json:"annotations,omitempty"`
	Platform    *Platform         `json:"platform,omitempty"`
	// ArtifactType is set on the entries of a referrers index.
	ArtifactType string `json:"artifactType,omitempty"`
}

// Platform is the platform of an index entry.
type Platform struct {
	Architecture string `json:"architecture"`
	OS           string `json:"os"`
	Variant      string `json:"variant,omitempty"`
}

// Layout is an OCI image layout held in memory: the descriptors of its index.json and its blobs.
type Layout struct {
	Manifests []Descriptor
	Blobs     map[string][]byte
}

// Digest is the sha256 digest of b, as `sha256:<hex>`.
func Digest(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Read reads an OCI image layout from a tar stream.
func Read(r io.Reader) (*Layout, error) {
	l := &Layout{Blobs: map[string][]byte{}}
	var index []byte
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading the image layout: %w", err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			return nil, err
		}
		name := strings.TrimPrefix(h.Name, "./")
		switch {
		case name == "index.json":
			index = data
		case strings.HasPrefix(name, "blobs/"):
			alg, hexd, _ := strings.Cut(strings.TrimPrefix(name, "blobs/"), "/")
			l.Blobs[alg+":"+hexd] = data
		}
	}
	if index == nil {
		return nil, errors.New("the image layout has no index.json")
	}
	var parsed struct {
		Manifests []Descriptor `json:"manifests"`
	}
	if err := json.Unmarshal(index, &parsed); err != nil {
		return nil, fmt.Errorf("index.json: %w", err)
	}
	l.Manifests = parsed.Manifests
	return l, nil
}

// Top is the one image the layout holds: an index (several platforms) or a manifest (one).
func (l *Layout) Top() (Descriptor, error) {
	if len(l.Manifests) != 1 {
		return Descriptor{}, fmt.Errorf("the image layout holds %d images, want 1", len(l.Manifests))
	}
	top := l.Manifests[0]
	if _, ok := l.Blobs[top.Digest]; !ok {
		return Descriptor{}, fmt.Errorf("%s is missing from the layout", top.Digest)
	}
	return top, nil
}

// PlatformOf reads the platform of an image manifest from its config.
func (l *Layout) PlatformOf(manifestDigest string) (*Platform, error) {
	var m struct {
		Config Descriptor `json:"config"`
	}
	if err := json.Unmarshal(l.Blobs[manifestDigest], &m); err != nil {
		return nil, fmt.Errorf("manifest %s: %w", manifestDigest, err)
	}
	var p Platform
	if err := json.Unmarshal(l.Blobs[m.Config.Digest], &p); err != nil || p.OS == "" {
		return nil, fmt.Errorf("config %s names no platform", m.Config.Digest)
	}
	return &p, nil
}

// Write writes a layout as a tarball with a fixed order and fixed metadata (mode 0644, owner 0:0,
// mtime 0), so the same layout always gives the same bytes. extra files (e.g. Docker's
// manifest.json) are written too.
func Write(w io.Writer, index []byte, blobs map[string][]byte, extra map[string][]byte) error {
	files := map[string][]byte{
		"oci-layout": []byte(`{"imageLayoutVersion":"1.0.0"}`),
		"index.json": index,
	}
	for d, b := range blobs {
		alg, hexd, _ := strings.Cut(d, ":")
		files["blobs/"+alg+"/"+hexd] = b
	}
	for name, b := range extra {
		files[name] = b
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	tw := tar.NewWriter(w)
	dirs := map[string]bool{}
	for _, n := range names {
		for _, dir := range parents(n) {
			if dirs[dir] {
				continue
			}
			dirs[dir] = true
			if err := tw.WriteHeader(&tar.Header{Name: dir + "/", Typeflag: tar.TypeDir, Mode: 0o755, ModTime: time.Unix(0, 0), Format: tar.FormatUSTAR}); err != nil {
				return err
			}
		}
		if err := tw.WriteHeader(&tar.Header{Name: n, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(files[n])), ModTime: time.Unix(0, 0), Format: tar.FormatUSTAR}); err != nil {
			return err
		}
		if _, err := tw.Write(files[n]); err != nil {
			return err
		}
	}
	return tw.Close()
}

// parents lists the directories above a slash-separated path, outermost first.
func parents(name string) []string {
	parts := strings.Split(name, "/")
	out := make([]string, 0, len(parts)-1)
	for i := 1; i < len(parts); i++ {
		out = append(out, strings.Join(parts[:i], "/"))
	}
	return out
}
