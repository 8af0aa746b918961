package main

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

var specsVersioned = specs.Versioned{SchemaVersion: 2}

func dig(s string) digest.Digest { return digest.Digest(s) }

// layoutSpec describes a generated OCI image layout tarball, as the engine exports one: index.json
// naming one image index (several platforms) or, with single, one image manifest.
type layoutSpec struct {
	platforms []string // os/arch[/variant]
	single    bool
	bigLayer  int64  // when > 0, the first platform also gets a layer of this many pseudo-random bytes
	salt      string // varies the small layers' bytes between layouts
}

// generatedLayout is a layout written to disk, and what it holds.
type generatedLayout struct {
	path      string
	size      int64
	index     string            // the digest of the layout's own index (multi-platform only)
	manifests map[string]string // platform -> image manifest digest
	descs     map[string]ocispec.Descriptor
	configs   map[string][]byte
}

func digestOf(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// blob is a file of the layout: small ones are bytes, the big one a seeded stream written twice
// (once to digest it, once into the tar), never held in memory.
type blob struct {
	data   []byte
	seed   uint64
	size   int64
	digest string
}

func smallBlob(b []byte) blob { return blob{data: b, size: int64(len(b)), digest: digestOf(b)} }

func streamBlob(seed uint64, size int64) blob {
	b := blob{seed: seed, size: size}
	h := sha256.New()
	if err := b.writeTo(h); err != nil {
		panic(err)
	}
	b.digest = "sha256:" + hex.EncodeToString(h.Sum(nil))
	return b
}

func (b blob) writeTo(w io.Writer) error {
	if b.data != nil {
		_, err := w.Write(b.data)
		return err
	}
	var seed [32]byte
	seed[0], seed[1] = byte(b.seed), byte(b.seed>>8)
	_, err := io.CopyN(w, rand.NewChaCha8(seed), b.size)
	return err
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func parsePlatform(s string) ocispec.Platform {
	parts := strings.Split(s, "/")
	p := ocispec.Platform{OS: parts[0], Architecture: parts[1]}
	if len(parts) > 2 {
		p.Variant = parts[2]
	}
	return p
}

// writeLayout writes the layout to a temp tarball.
func writeLayout(t testing.TB, spec layoutSpec) *generatedLayout {
	t.Helper()
	g := &generatedLayout{manifests: map[string]string{}, descs: map[string]ocispec.Descriptor{}, configs: map[string][]byte{}}
	var blobs []blob
	var entries []ocispec.Descriptor
	for i, ps := range spec.platforms {
		p := parsePlatform(ps)
		layers := []blob{smallBlob([]byte("layer of " + ps + " " + spec.salt))}
		if i == 0 && spec.bigLayer > 0 {
			layers = append(layers, streamBlob(42, spec.bigLayer))
		}
		var layerDescs []ocispec.Descriptor
		var diffIDs []string
		for _, l := range layers {
			layerDescs = append(layerDescs, ocispec.Descriptor{MediaType: ocispec.MediaTypeImageLayer, Digest: dig(l.digest), Size: l.size})
			diffIDs = append(diffIDs, l.digest)
		}
		config := mustJSON(map[string]any{
			"architecture": p.Architecture, "os": p.OS, "variant": p.Variant, "created": "2024-05-01T12:00:00Z",
			"config": map[string]any{"User": "65532"}, "rootfs": map[string]any{"type": "layers", "diff_ids": diffIDs},
		})
		cb := smallBlob(config)
		manifest := mustJSON(ocispec.Manifest{
			Versioned: specsVersioned, MediaType: ocispec.MediaTypeImageManifest,
			Config: ocispec.Descriptor{MediaType: ocispec.MediaTypeImageConfig, Digest: dig(cb.digest), Size: cb.size},
			Layers: layerDescs,
		})
		mb := smallBlob(manifest)
		blobs = append(blobs, cb, mb)
		blobs = append(blobs, layers...)
		d := ocispec.Descriptor{MediaType: ocispec.MediaTypeImageManifest, Digest: dig(mb.digest), Size: mb.size, Platform: &p}
		entries = append(entries, d)
		g.manifests[ps] = mb.digest
		g.descs[ps] = d
		g.configs[ps] = config
	}
	var top ocispec.Descriptor
	if spec.single {
		if len(entries) != 1 {
			t.Fatal("a single-platform layout has one platform")
		}
		top = entries[0]
		top.Platform = nil
	} else {
		index := mustJSON(ocispec.Index{Versioned: specsVersioned, MediaType: ocispec.MediaTypeImageIndex, Manifests: entries})
		ib := smallBlob(index)
		blobs = append(blobs, ib)
		top = ocispec.Descriptor{MediaType: ocispec.MediaTypeImageIndex, Digest: dig(ib.digest), Size: ib.size}
		g.index = ib.digest
	}
	indexJSON := mustJSON(ocispec.Index{Versioned: specsVersioned, MediaType: ocispec.MediaTypeImageIndex, Manifests: []ocispec.Descriptor{top}})

	g.path = filepath.Join(t.TempDir(), "image.tar")
	f, err := os.Create(g.path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	dir := func(name string) {
		if err := tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeDir, Mode: 0o755}); err != nil {
			t.Fatal(err)
		}
	}
	file := func(name string, b blob) {
		if err := tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: b.size}); err != nil {
			t.Fatal(err)
		}
		if err := b.writeTo(tw); err != nil {
			t.Fatal(err)
		}
	}
	file("oci-layout", smallBlob([]byte(`{"imageLayoutVersion":"1.0.0"}`)))
	file("index.json", smallBlob(indexJSON))
	dir("blobs/")
	dir("blobs/sha256/")
	written := map[string]bool{}
	for _, b := range blobs {
		if written[b.digest] {
			continue
		}
		written[b.digest] = true
		file("blobs/sha256/"+strings.TrimPrefix(b.digest, "sha256:"), b)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	g.size = st.Size()
	return g
}
