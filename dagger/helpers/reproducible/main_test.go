package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"goscratch.example/helpers/internal/ocilayout"
)

// engineLayout is a one-platform layout as the engine exports it, its config stamped with `clock`.
func engineLayout(clock string) *ocilayout.Layout {
	config := []byte(`{"architecture":"amd64","os":"linux","config":{"User":"65532:65532"},"created":"` + clock +
		`","history":[{"created":"` + clock + `","created_by":"mount /rootfs","comment":"buildkit.exporter.image.v0"}],` +
		`"rootfs":{"type":"layers","diff_ids":["sha256:abc"]}}`)
	layer := []byte("layer bytes")
	manifest, _ := json.Marshal(map[string]any{
		"schemaVersion": 2,
		"mediaType":     ocilayout.MediaTypeManifest,
		"config":        ocilayout.Descriptor{MediaType: "application/vnd.oci.image.config.v1+json", Digest: ocilayout.Digest(config), Size: int64(len(config))},
		"layers":        []ocilayout.Descriptor{{MediaType: "application/vnd.oci.image.layer.v1.tar+gzip", Digest: ocilayout.Digest(layer), Size: int64(len(layer))}},
	})
	return &ocilayout.Layout{
		Manifests: []ocilayout.Descriptor{{MediaType: ocilayout.MediaTypeManifest, Digest: ocilayout.Digest(manifest), Size: int64(len(manifest))}},
		Blobs:     map[string][]byte{ocilayout.Digest(config): config, ocilayout.Digest(layer): layer, ocilayout.Digest(manifest): manifest},
	}
}

func tarball(t *testing.T, l *ocilayout.Layout, epoch int64) ([]byte, *Result) {
	t.Helper()
	r, err := Rewrite(l, time.Unix(epoch, 0).UTC())
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := ocilayout.Write(&buf, r.Index, r.Blobs, r.Extra); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), r
}

func TestTwoEngineClocksGiveTheSameBytes(t *testing.T) {
	a, ra := tarball(t, engineLayout("2026-12-02T03:23:46.012172729Z"), 1_700_000_000)
	b, _ := tarball(t, engineLayout("2026-12-05T11:00:00.5Z"), 1_700_000_000)
	if !bytes.Equal(a, b) {
		t.Fatal("the same image stamped at two times gives two tarballs")
	}
	var cfg struct {
		Created string
		History []struct{ Created string }
	}
	var m struct{ Config ocilayout.Descriptor }
	if err := json.Unmarshal(ra.Blobs[ra.Top.Digest], &m); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(ra.Blobs[m.Config.Digest], &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Created != "2023-11-14T22:13:20Z" || cfg.History[0].Created != "2023-11-14T22:13:20Z" {
		t.Errorf("created %q, history %q: want the epoch", cfg.Created, cfg.History[0].Created)
	}
	layout, err := ocilayout.Read(bytes.NewReader(a))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := layout.Top(); got.Digest != ra.Top.Digest {
		t.Errorf("index.json names %s, want %s", got.Digest, ra.Top.Digest)
	}
	if !strings.Contains(string(ra.Extra["manifest.json"]), "blobs/sha256/"+strings.TrimPrefix(m.Config.Digest, "sha256:")) {
		t.Errorf("manifest.json does not name the new config: %s", ra.Extra["manifest.json"])
	}
	for d := range engineLayout("x").Blobs {
		if _, kept := ra.Blobs[d]; kept && !strings.HasPrefix(string(ra.Blobs[d]), "layer") {
			t.Errorf("an old config or manifest %s is still in the layout", d)
		}
	}
}

func TestAnotherEpochGivesAnotherDigest(t *testing.T) {
	_, a := tarball(t, engineLayout("2026-12-02T03:23:46Z"), 0)
	_, b := tarball(t, engineLayout("2026-12-02T03:23:46Z"), 1)
	if a.Top.Digest == b.Top.Digest {
		t.Fatal("two epochs gave one digest")
	}
}
