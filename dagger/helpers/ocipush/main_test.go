package main

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"goscratch.example/helpers/internal/ocilayout"
)

// fakeRegistry is an in-memory stand-in for the remote end, speaking the parts of the distribution
// API ocipush uses, behind a Bearer token service (the scheme ghcr.io and Docker Hub use, which the
// registry the engine suites start does not offer).
type fakeRegistry struct {
	mu        sync.Mutex
	blobs     map[string][]byte
	manifests map[string][]byte // by digest and by tag
	types     map[string]string
}

func newFakeRegistry() *fakeRegistry {
	return &fakeRegistry{blobs: map[string][]byte{}, manifests: map[string][]byte{}, types: map[string]string{}}
}

func (f *fakeRegistry) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.URL.Path == "/token" {
		if u, p, ok := r.BasicAuth(); !ok || u != "alice" || p != "secret" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if r.URL.Query().Get("scope") != "repository:team/svc:pull,push" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"token": "t0k"})
		return
	}
	if r.Header.Get("Authorization") != "Bearer t0k" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="http://`+r.Host+`/token",service="fake"`)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	body, _ := io.ReadAll(r.Body)
	const prefix = "/v2/team/svc/"
	rest := strings.TrimPrefix(r.URL.Path, prefix)
	switch {
	case r.Method == http.MethodHead && strings.HasPrefix(rest, "blobs/"):
		if _, ok := f.blobs[strings.TrimPrefix(rest, "blobs/")]; !ok {
			w.WriteHeader(http.StatusNotFound)
		}
	case r.Method == http.MethodPost && rest == "blobs/uploads/":
		w.Header().Set("Location", prefix+"blobs/uploads/u1?state=x")
		w.WriteHeader(http.StatusAccepted)
	case r.Method == http.MethodPut && strings.HasPrefix(rest, "blobs/uploads/"):
		d := r.URL.Query().Get("digest")
		if d != ocilayout.Digest(body) {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		f.blobs[d] = body
		w.WriteHeader(http.StatusCreated)
	case r.Method == http.MethodGet && strings.HasPrefix(rest, "manifests/"):
		b, ok := f.manifests[strings.TrimPrefix(rest, "manifests/")]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		_, _ = w.Write(b)
	case r.Method == http.MethodPut && strings.HasPrefix(rest, "manifests/"):
		ref := strings.TrimPrefix(rest, "manifests/")
		f.manifests[ref], f.types[ref] = body, r.Header.Get("Content-Type")
		w.Header().Set("Docker-Content-Digest", ocilayout.Digest(body))
		w.WriteHeader(http.StatusCreated)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

// singlePlatformLayout is an OCI layout tarball as the engine exports one platform: index.json
// pointing straight at an image manifest.
func singlePlatformLayout(t *testing.T) []byte {
	t.Helper()
	config := []byte(`{"architecture":"arm64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}`)
	layer := []byte("not really a tar, but a blob all the same")
	manifest, _ := json.Marshal(map[string]any{
		"schemaVersion": 2,
		"mediaType":     ocilayout.MediaTypeManifest,
		"config":        ocilayout.Descriptor{MediaType: "application/vnd.oci.image.config.v1+json", Digest: ocilayout.Digest(config), Size: int64(len(config))},
		"layers":        []ocilayout.Descriptor{{MediaType: "application/vnd.oci.image.layer.v1.tar+gzip", Digest: ocilayout.Digest(layer), Size: int64(len(layer))}},
	})
	index, _ := json.Marshal(map[string]any{
		"schemaVersion": 2,
		"manifests":     []ocilayout.Descriptor{{MediaType: ocilayout.MediaTypeManifest, Digest: ocilayout.Digest(manifest), Size: int64(len(manifest))}},
	})
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	add := func(name string, data []byte) {
		_ = tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg})
		_, _ = tw.Write(data)
	}
	add("oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`))
	add("index.json", index)
	for _, b := range [][]byte{config, layer, manifest} {
		add("blobs/sha256/"+strings.TrimPrefix(ocilayout.Digest(b), "sha256:"), b)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// testImage is the single-platform layout, read and wrapped in an index as the pusher does.
func testImage(t *testing.T) *Image {
	t.Helper()
	layout, err := ocilayout.Read(bytes.NewReader(singlePlatformLayout(t)))
	if err != nil {
		t.Fatal(err)
	}
	img, err := ImageOf(layout)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func push(t *testing.T, srv *httptest.Server, creds Credentials, tags ...string) (string, error) {
	t.Helper()
	img := testImage(t)
	host := strings.TrimPrefix(srv.URL, "http://")
	digest, _, err := Push(t.Context(), NewRegistry(host, "team/svc", creds, ""), img, tags, nil)
	return digest, err
}

func TestPushWrapsASingleManifestInAnIndexUnderEveryTag(t *testing.T) {
	fake := newFakeRegistry()
	srv := httptest.NewServer(fake)
	defer srv.Close()
	digest, err := push(t, srv, Credentials{"alice", "secret"}, "v1.0.0", "latest")
	if err != nil {
		t.Fatal(err)
	}
	for _, tag := range []string{"v1.0.0", "latest"} {
		if got := ocilayout.Digest(fake.manifests[tag]); got != digest {
			t.Errorf("%s: digest %s, want %s", tag, got, digest)
		}
		if fake.types[tag] != ocilayout.MediaTypeIndex {
			t.Errorf("%s: media type %s, want an index", tag, fake.types[tag])
		}
	}
	var index struct{ Manifests []ocilayout.Descriptor }
	if err := json.Unmarshal(fake.manifests["latest"], &index); err != nil {
		t.Fatal(err)
	}
	if len(index.Manifests) != 1 || index.Manifests[0].Platform == nil || index.Manifests[0].Platform.Architecture != "arm64" {
		t.Fatalf("index entries %+v, want one arm64 manifest", index.Manifests)
	}
	if _, ok := fake.manifests[index.Manifests[0].Digest]; !ok {
		t.Error("the platform manifest was not pushed by digest")
	}
	if len(fake.blobs) != 2 {
		t.Errorf("%d blobs pushed, want config and layer", len(fake.blobs))
	}
}

func TestPushTellsRefusedCredentialsFromMissingOnes(t *testing.T) {
	for _, tc := range []struct {
		creds Credentials
		want  string
	}{
		{Credentials{"alice", "wrong"}, "401 Unauthorized: the registry refused the credentials"},
		{Credentials{}, "401 Unauthorized: the registry requires credentials"},
	} {
		fake := newFakeRegistry()
		srv := httptest.NewServer(fake)
		_, err := push(t, srv, tc.creds, "v1.0.0")
		srv.Close()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("creds %q: got %v, want %q", tc.creds.Username, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "wrong") {
			t.Errorf("the error shows the password: %v", err)
		}
		if len(fake.manifests) != 0 {
			t.Errorf("creds %q: something was written: %v", tc.creds.Username, fake.manifests)
		}
	}
}

func TestPushAttachesAnSBOMAsAReferrerWithTheFallbackTag(t *testing.T) {
	fake := newFakeRegistry()
	srv := httptest.NewServer(fake)
	defer srv.Close()
	img := testImage(t)
	sbom := []byte(`{"bomFormat":"CycloneDX","specVersion":"1.5"}`)
	reg := NewRegistry(strings.TrimPrefix(srv.URL, "http://"), "team/svc", Credentials{"alice", "secret"}, "")
	_, refs, err := Push(t.Context(), reg, img, []string{"v1.0.0"}, map[string][]byte{"linux/arm64": sbom})
	if err != nil {
		t.Fatal(err)
	}
	if len(refs) != 1 || refs[0].platform != "linux/arm64" {
		t.Fatalf("referrers %+v", refs)
	}
	subject := img.Manifests[0].Digest
	var fallback struct{ Manifests []ocilayout.Descriptor }
	if err := json.Unmarshal(fake.manifests[strings.Replace(subject, ":", "-", 1)], &fallback); err != nil {
		t.Fatalf("no fallback tag for %s: %v", subject, err)
	}
	if len(fallback.Manifests) != 1 || fallback.Manifests[0].ArtifactType != mediaTypeSBOM || fallback.Manifests[0].Digest != refs[0].digest {
		t.Fatalf("fallback index %+v", fallback.Manifests)
	}
	var artifact struct {
		Subject ocilayout.Descriptor
		Layers  []ocilayout.Descriptor
	}
	if err := json.Unmarshal(fake.manifests[refs[0].digest], &artifact); err != nil {
		t.Fatal(err)
	}
	if artifact.Subject.Digest != subject || !bytes.Equal(fake.blobs[artifact.Layers[0].Digest], sbom) {
		t.Errorf("artifact %+v does not carry the SBOM for %s", artifact, subject)
	}
}

func TestParseChallenge(t *testing.T) {
	scheme, p := parseChallenge(`Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:o/s:pull"`)
	if scheme != "Bearer" || p["realm"] != "https://ghcr.io/token" || p["service"] != "ghcr.io" || p["scope"] != "repository:o/s:pull" {
		t.Fatalf("got %s %v", scheme, p)
	}
}
