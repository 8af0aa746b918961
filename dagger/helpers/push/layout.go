package main

import (
	"archive/tar"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/errdef"
)

// maxMetadataBytes bounds what is read into memory from a layout: index.json, an index, a
// manifest or an image config. Blobs (layers) are never read whole.
const maxMetadataBytes = 4 << 20

// Docker's media types, accepted for the manifests an index lists.
const (
	mediaTypeDockerManifest     = "application/vnd.docker.distribution.manifest.v2+json"
	mediaTypeDockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
)

// layoutError marks a problem with the inputs (the layout, an -sbom, a flag): kind invalid-layout.
type layoutError struct{ msg string }

func (e *layoutError) Error() string { return e.msg }

func invalid(format string, args ...any) error {
	return &layoutError{fmt.Sprintf(format, args...)}
}

// entry is one regular file of the tarball: where its bytes start and how many there are.
type entry struct{ offset, size int64 }

// tarStore is a read-only content store over an OCI image layout tarball. Opening it reads the tar
// headers only (seeking over the data); a blob is served as a section of the file, so nothing is
// held in memory and a reader can be rewound for a retried upload.
type tarStore struct {
	file  *os.File
	name  string
	files map[string]entry
	blobs map[digest.Digest]entry
}

// openLayout indexes the tarball at name.
func openLayout(name string) (*tarStore, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, invalid("the layout: %v", err)
	}
	s := &tarStore{file: f, name: name, files: map[string]entry{}, blobs: map[digest.Digest]entry{}}
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			f.Close()
			return nil, invalid("the layout %s is not a readable tarball: %v", name, err)
		}
		if h.Typeflag != tar.TypeReg || isSparse(h) {
			continue
		}
		// tar.Reader reads headers block by block and seeks over data, so the file offset is now
		// where this entry's bytes start.
		offset, err := f.Seek(0, io.SeekCurrent)
		if err != nil {
			f.Close()
			return nil, invalid("the layout %s: %v", name, err)
		}
		p := path.Clean(strings.TrimPrefix(h.Name, "/"))
		e := entry{offset: offset, size: h.Size}
		s.files[p] = e
		if rest, ok := strings.CutPrefix(p, "blobs/"); ok {
			if alg, hex, ok := strings.Cut(rest, "/"); ok && !strings.Contains(hex, "/") {
				s.blobs[digest.NewDigestFromEncoded(digest.Algorithm(alg), hex)] = e
			}
		}
	}
	return s, nil
}

// isSparse reports a sparse entry (GNU or PAX), whose bytes in the archive are not the file's.
func isSparse(h *tar.Header) bool {
	if h.Typeflag == tar.TypeGNUSparse {
		return true
	}
	for k := range h.PAXRecords {
		if strings.HasPrefix(k, "GNU.sparse.") {
			return true
		}
	}
	return false
}

func (s *tarStore) Close() error { return s.file.Close() }

// section is a rewindable reader over part of the tarball. It is an io.ReadCloser, so net/http
// keeps it as the request body as it is, and the retrying transport can find Rewind on it.
type section struct {
	*io.SectionReader
	file         *os.File
	offset, size int64
}

func (r *section) Close() error { return nil }

// Rewind returns a reader over the same bytes from their start.
func (r *section) Rewind() (io.ReadCloser, error) {
	return &section{io.NewSectionReader(r.file, r.offset, r.size), r.file, r.offset, r.size}, nil
}

func newSection(f *os.File, e entry) *section {
	return &section{io.NewSectionReader(f, e.offset, e.size), f, e.offset, e.size}
}

// Fetch serves a blob of the layout (content.Fetcher).
func (s *tarStore) Fetch(_ context.Context, d ocispec.Descriptor) (io.ReadCloser, error) {
	e, ok := s.blobs[d.Digest]
	if !ok {
		return nil, fmt.Errorf("%s: %w in the layout", d.Digest, errdef.ErrNotFound)
	}
	if e.size != d.Size {
		return nil, invalid("blob %s is %d bytes in the layout, its descriptor says %d", d.Digest, e.size, d.Size)
	}
	return newSection(s.file, e), nil
}

// Exists tells whether the layout holds a blob (content.ReadOnlyStorage).
func (s *tarStore) Exists(_ context.Context, d ocispec.Descriptor) (bool, error) {
	_, ok := s.blobs[d.Digest]
	return ok, nil
}

// readFile reads a small file of the layout (index.json, oci-layout).
func (s *tarStore) readFile(name string) ([]byte, error) {
	e, ok := s.files[name]
	if !ok {
		return nil, invalid("the layout %s has no %s", s.name, name)
	}
	if e.size > maxMetadataBytes {
		return nil, invalid("%s in the layout is %d bytes, more than %d", name, e.size, maxMetadataBytes)
	}
	b := make([]byte, e.size)
	if _, err := s.file.ReadAt(b, e.offset); err != nil {
		return nil, invalid("reading %s of the layout: %v", name, err)
	}
	return b, nil
}

// readBlob reads a small blob (a manifest, an index, a config), checking its size and digest.
func (s *tarStore) readBlob(d ocispec.Descriptor) ([]byte, error) {
	if err := d.Digest.Validate(); err != nil {
		return nil, invalid("descriptor digest %q: %v", d.Digest, err)
	}
	e, ok := s.blobs[d.Digest]
	if !ok {
		return nil, invalid("%s (%s) is missing from the layout", d.Digest, d.MediaType)
	}
	if e.size != d.Size {
		return nil, invalid("%s is %d bytes in the layout, its descriptor says %d", d.Digest, e.size, d.Size)
	}
	if e.size > maxMetadataBytes {
		return nil, invalid("%s (%s) is %d bytes, more than %d", d.Digest, d.MediaType, e.size, maxMetadataBytes)
	}
	b := make([]byte, e.size)
	if _, err := s.file.ReadAt(b, e.offset); err != nil {
		return nil, invalid("reading %s from the layout: %v", d.Digest, err)
	}
	if got := d.Digest.Algorithm().FromBytes(b); got != d.Digest {
		return nil, invalid("%s in the layout does not match its digest (it is %s)", d.Digest, got)
	}
	return b, nil
}

// Image is what gets pushed: the index (its bytes and descriptor) and the platform manifests it
// lists, with the platform each is for.
type Image struct {
	Index     []byte
	IndexDesc ocispec.Descriptor
	Manifests []ocispec.Descriptor
}

// Platform of an index entry as `os/arch[/variant]`; "" when the entry names none.
func platformString(p *ocispec.Platform) string {
	if p == nil || p.OS == "" || p.Architecture == "" {
		return ""
	}
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	return s
}

// The index a single manifest is wrapped in. Its fields are in the order, and marshalled with the
// indentation, of the pusher this one replaces (dagger/helpers/ocipush), so the same layout gives
// the same index digest with either.
type wrapIndex struct {
	SchemaVersion int         `json:"schemaVersion"`
	MediaType     string      `json:"mediaType"`
	Manifests     []wrapEntry `json:"manifests"`
}

type wrapEntry struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Size        int64             `json:"size"`
	Annotations map[string]string `json:"annotations,omitempty"`
	Platform    *wrapPlatform     `json:"platform,omitempty"`
}

type wrapPlatform struct {
	Architecture string `json:"architecture"`
	OS           string `json:"os"`
	Variant      string `json:"variant,omitempty"`
}

// imageOf finds the one image the layout holds and returns it as an index: the layout's own index
// for a multi-platform export, or a new one-entry index around a single image manifest. Everything
// the index reaches is checked to be in the layout, with its size, before anything is pushed.
func (s *tarStore) imageOf() (*Image, error) {
	layoutFile, err := s.readFile(ocispec.ImageLayoutFile)
	if err != nil {
		return nil, err
	}
	var ol ocispec.ImageLayout
	if err := json.Unmarshal(layoutFile, &ol); err != nil || ol.Version != ocispec.ImageLayoutVersion {
		return nil, invalid("the layout's oci-layout file is not an OCI image layout %s", ocispec.ImageLayoutVersion)
	}
	raw, err := s.readFile(ocispec.ImageIndexFile)
	if err != nil {
		return nil, err
	}
	var top ocispec.Index
	if err := json.Unmarshal(raw, &top); err != nil {
		return nil, invalid("index.json: %v", err)
	}
	if len(top.Manifests) != 1 {
		return nil, invalid("the image layout holds %d images, want 1", len(top.Manifests))
	}
	root := top.Manifests[0]
	img := &Image{}
	switch root.MediaType {
	case ocispec.MediaTypeImageIndex:
		if img.Index, err = s.readBlob(root); err != nil {
			return nil, err
		}
		img.IndexDesc = ocispec.Descriptor{MediaType: root.MediaType, Digest: root.Digest, Size: root.Size}
	case ocispec.MediaTypeImageManifest:
		m, err := s.readManifest(root)
		if err != nil {
			return nil, err
		}
		p, err := s.platformOfConfig(m.Config)
		if err != nil {
			return nil, err
		}
		wrapped := wrapIndex{2, ocispec.MediaTypeImageIndex, []wrapEntry{{
			MediaType: root.MediaType, Digest: root.Digest.String(), Size: root.Size, Annotations: root.Annotations,
			Platform: &wrapPlatform{Architecture: p.Architecture, OS: p.OS, Variant: p.Variant},
		}}}
		if img.Index, err = json.MarshalIndent(wrapped, "", "  "); err != nil {
			return nil, err
		}
		img.IndexDesc = ocispec.Descriptor{MediaType: ocispec.MediaTypeImageIndex, Digest: digest.FromBytes(img.Index), Size: int64(len(img.Index))}
	default:
		return nil, invalid("unsupported media type %q in index.json", root.MediaType)
	}
	var index ocispec.Index
	if err := json.Unmarshal(img.Index, &index); err != nil {
		return nil, invalid("image index %s: %v", img.IndexDesc.Digest, err)
	}
	if len(index.Manifests) == 0 {
		return nil, invalid("image index %s lists no manifests", img.IndexDesc.Digest)
	}
	for _, m := range index.Manifests {
		if err := s.check(m, 0); err != nil {
			return nil, err
		}
	}
	img.Manifests = index.Manifests
	return img, nil
}

// readManifest reads and parses an image manifest of the layout.
func (s *tarStore) readManifest(d ocispec.Descriptor) (*ocispec.Manifest, error) {
	b, err := s.readBlob(d)
	if err != nil {
		return nil, err
	}
	var m ocispec.Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, invalid("manifest %s: %v", d.Digest, err)
	}
	return &m, nil
}

// platformOfConfig reads the platform of an image from its config.
func (s *tarStore) platformOfConfig(config ocispec.Descriptor) (*ocispec.Platform, error) {
	b, err := s.readBlob(config)
	if err != nil {
		return nil, err
	}
	var p ocispec.Platform
	if err := json.Unmarshal(b, &p); err != nil || p.OS == "" || p.Architecture == "" {
		return nil, invalid("config %s names no platform", config.Digest)
	}
	return &p, nil
}

// createdOf is the `created` time of an image's config, or "".
func (s *tarStore) createdOf(manifest ocispec.Descriptor) string {
	m, err := s.readManifest(manifest)
	if err != nil {
		return ""
	}
	b, err := s.readBlob(m.Config)
	if err != nil {
		return ""
	}
	var c struct {
		Created string `json:"created"`
	}
	_ = json.Unmarshal(b, &c)
	return c.Created
}

// check verifies that d and everything it reaches are in the layout with the sizes the
// descriptors give.
func (s *tarStore) check(d ocispec.Descriptor, depth int) error {
	if depth > 4 {
		return invalid("the image index nests more than 4 levels deep")
	}
	switch d.MediaType {
	case ocispec.MediaTypeImageManifest, mediaTypeDockerManifest:
		m, err := s.readManifest(d)
		if err != nil {
			return err
		}
		for _, b := range append([]ocispec.Descriptor{m.Config}, m.Layers...) {
			if isForeign(b.MediaType) {
				continue
			}
			if err := b.Digest.Validate(); err != nil {
				return invalid("manifest %s names blob %q: %v", d.Digest, b.Digest, err)
			}
			e, ok := s.blobs[b.Digest]
			if !ok {
				return invalid("blob %s of manifest %s is missing from the layout", b.Digest, d.Digest)
			}
			if e.size != b.Size {
				return invalid("blob %s is %d bytes in the layout, manifest %s says %d", b.Digest, e.size, d.Digest, b.Size)
			}
		}
	case ocispec.MediaTypeImageIndex, mediaTypeDockerManifestList:
		b, err := s.readBlob(d)
		if err != nil {
			return err
		}
		var index ocispec.Index
		if err := json.Unmarshal(b, &index); err != nil {
			return invalid("index %s: %v", d.Digest, err)
		}
		for _, m := range index.Manifests {
			if err := s.check(m, depth+1); err != nil {
				return err
			}
		}
	default:
		return invalid("the image index lists %s of unsupported media type %q", d.Digest, d.MediaType)
	}
	return nil
}

// isForeign tells the non-distributable layers oras-go does not copy.
func isForeign(mediaType string) bool {
	return strings.Contains(mediaType, ".foreign.") || strings.Contains(mediaType, ".nondistributable.")
}
