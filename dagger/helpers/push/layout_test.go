package main

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// tarOf writes a tarball of the files (in order) with the given format.
func tarOf(t *testing.T, format tar.Format, files ...[2]string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "layout.tar")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	for _, file := range files {
		h := &tar.Header{Name: file[0], Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(file[1])), Format: format}
		if format == tar.FormatPAX {
			h.PAXRecords = map[string]string{"comment": strings.Repeat("x", 700)}
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(tw, file[1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

func blobFile(data string) [2]string {
	return [2]string{"./blobs/sha256/" + digest.FromString(data).Encoded(), data}
}

func TestOpenLayoutServesBlobsFromTheirPlaceInTheTarball(t *testing.T) {
	for _, format := range []tar.Format{tar.FormatUSTAR, tar.FormatPAX, tar.FormatGNU} {
		t.Run(format.String(), func(t *testing.T) {
			a, b := strings.Repeat("a", 1000), "second blob"
			s, err := openLayout(tarOf(t, format, [2]string{"oci-layout", `{"imageLayoutVersion":"1.0.0"}`}, blobFile(a), blobFile(b)))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			for _, want := range []string{a, b, a} {
				rc, err := s.Fetch(context.Background(), ocispec.Descriptor{Digest: digest.FromString(want), Size: int64(len(want))})
				if err != nil {
					t.Fatal(err)
				}
				got, err := io.ReadAll(rc)
				if err != nil || string(got) != want {
					t.Fatalf("blob read %q, %v; want %q", got, err, want)
				}
				// A retried upload reads it again from the start.
				again, err := rc.(rewinder).Rewind()
				if err != nil {
					t.Fatal(err)
				}
				if got, _ := io.ReadAll(again); string(got) != want {
					t.Fatalf("rewound blob read %q, want %q", got, want)
				}
			}
			if _, err := s.Fetch(context.Background(), ocispec.Descriptor{Digest: digest.FromString(a), Size: 3}); err == nil {
				t.Error("a blob of the wrong size was served")
			}
			if ok, _ := s.Exists(context.Background(), ocispec.Descriptor{Digest: digest.FromString("absent")}); ok {
				t.Error("an absent blob exists")
			}
		})
	}
}

// singleLayout is a layout whose index.json names one image manifest directly.
func singleLayout(t *testing.T, config string, extra ...[2]string) (string, ocispec.Descriptor) {
	t.Helper()
	layer := "layer bytes"
	manifest := fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"%s","size":%d}]}`,
		digest.FromString(config), len(config), digest.FromString(layer), len(layer))
	md := ocispec.Descriptor{MediaType: ocispec.MediaTypeImageManifest, Digest: digest.FromString(manifest), Size: int64(len(manifest))}
	index := fmt.Sprintf(`{"schemaVersion":2,"manifests":[{"mediaType":"%s","digest":"%s","size":%d,"annotations":{"org.opencontainers.image.ref.name":"v1"}}]}`, md.MediaType, md.Digest, md.Size)
	files := append([][2]string{{"oci-layout", `{"imageLayoutVersion":"1.0.0"}`}, {"index.json", index}, blobFile(config), blobFile(manifest), blobFile(layer)}, extra...)
	return tarOf(t, tar.FormatUSTAR, files...), md
}

func TestImageOfWrapsASingleManifestAsThePreviousPusherDid(t *testing.T) {
	p, md := singleLayout(t, `{"architecture":"arm64","os":"linux","variant":"v8","rootfs":{"type":"layers","diff_ids":[]}}`)
	s, err := openLayout(p)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	img, err := s.imageOf()
	if err != nil {
		t.Fatal(err)
	}
	// The bytes dagger/helpers/ocipush wrote for the same layout: the same digest for a release.
	want := `{
  "schemaVersion": 2,
  "mediaType": "application/vnd.oci.image.index.v1+json",
  "manifests": [
    {
      "mediaType": "application/vnd.oci.image.manifest.v1+json",
      "digest": "` + md.Digest.String() + `",
      "size": ` + fmt.Sprint(md.Size) + `,
      "annotations": {
        "org.opencontainers.image.ref.name": "v1"
      },
      "platform": {
        "architecture": "arm64",
        "os": "linux",
        "variant": "v8"
      }
    }
  ]
}`
	if string(img.Index) != want {
		t.Fatalf("wrapped index:\n%s\nwant:\n%s", img.Index, want)
	}
	if img.IndexDesc.Digest != digest.FromString(want) || img.IndexDesc.MediaType != ocispec.MediaTypeImageIndex || img.IndexDesc.Size != int64(len(want)) {
		t.Errorf("index descriptor %+v", img.IndexDesc)
	}
	if len(img.Manifests) != 1 || img.Manifests[0].Digest != md.Digest || platformString(img.Manifests[0].Platform) != "linux/arm64/v8" {
		t.Errorf("manifests %+v", img.Manifests)
	}
}

func TestImageOfRejectsBrokenLayouts(t *testing.T) {
	config := `{"architecture":"amd64","os":"linux"}`
	good, md := singleLayout(t, config)
	s, err := openLayout(good)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	for name, files := range map[string][][2]string{
		"no oci-layout": {{"index.json", `{"schemaVersion":2,"manifests":[]}`}},
		"no index.json": {{"oci-layout", `{"imageLayoutVersion":"1.0.0"}`}},
		"two images": {{"oci-layout", `{"imageLayoutVersion":"1.0.0"}`}, {"index.json", fmt.Sprintf(`{"schemaVersion":2,"manifests":[{"mediaType":"%s","digest":"%s","size":%d},{"mediaType":"%s","digest":"%s","size":%d}]}`,
			md.MediaType, md.Digest, md.Size, md.MediaType, md.Digest, md.Size)}},
		"missing manifest": {{"oci-layout", `{"imageLayoutVersion":"1.0.0"}`}, {"index.json", fmt.Sprintf(`{"schemaVersion":2,"manifests":[{"mediaType":"%s","digest":"%s","size":%d}]}`, md.MediaType, md.Digest, md.Size)}},
		"missing config and layer": {{"oci-layout", `{"imageLayoutVersion":"1.0.0"}`}, {"index.json", fmt.Sprintf(`{"schemaVersion":2,"manifests":[{"mediaType":"%s","digest":"%s","size":%d}]}`, md.MediaType, md.Digest, md.Size)},
			{"blobs/sha256/" + md.Digest.Encoded(), "{}"}},
	} {
		t.Run(name, func(t *testing.T) {
			s, err := openLayout(tarOf(t, tar.FormatUSTAR, files...))
			if err == nil {
				defer s.Close()
				_, err = s.imageOf()
			}
			var le *layoutError
			if !errors.As(err, &le) {
				t.Fatalf("got %v, want an invalid-layout error", err)
			}
			t.Log(err)
		})
	}
	t.Run("config names no platform", func(t *testing.T) {
		p, _ := singleLayout(t, `{"rootfs":{}}`)
		s, err := openLayout(p)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if _, err := s.imageOf(); err == nil || !strings.Contains(err.Error(), "names no platform") {
			t.Fatalf("got %v", err)
		}
	})
}
