// Command ocipush pushes an OCI image layout tarball (the engine's export of a container, one or
// more platforms) to a registry as one image index, under each tag in order, and prints one
// `repository:tag@digest` line per tag. A single-platform export (a plain manifest) is wrapped in
// an index, so a release has the same shape for one platform as for several.
//
//	ocipush -layout image.tar -repository ghcr.io/owner/service -tag v1.0.0 -tag latest [-connect alias:port] \
//	        [-sbom linux/amd64=sbom.cdx.json ...]
//
// Each -sbom is attached to that platform's manifest as an OCI referrer (an artifact manifest whose
// subject is the image); a registry without the referrers API gets the referrers tag schema's
// fallback tag, sha256-<digest of the image>, as the OCI distribution spec prescribes.
//
// Credentials, when needed, come from REGISTRY_USERNAME and REGISTRY_PASSWORD (the module passes the
// password as a Dagger secret); they are never printed. Registries on localhost, 127.0.0.1 or ::1
// are spoken to over plain HTTP, as container engines do; -connect dials another address for every
// connection (a registry reached through a Dagger service binding). Blobs and manifests go first, by
// digest; tags are written last, so a failure before that leaves no tag changed.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"goscratch.example/helpers/internal/ocilayout"
)

type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

func main() {
	if err := run(os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "ocipush:", err)
		os.Exit(1)
	}
}

func run(args []string, getenv func(string) string, stdout io.Writer) error {
	flags := flag.NewFlagSet("ocipush", flag.ContinueOnError)
	layoutPath := flags.String("layout", "", "the OCI image layout tarball")
	repository := flags.String("repository", "", "registry/path, without tag")
	connect := flags.String("connect", "", "dial this host:port for every connection")
	var tags, sboms stringList
	flags.Var(&tags, "tag", "a tag to write (repeatable, in order)")
	flags.Var(&sboms, "sbom", "os/arch=file: an SBOM to attach to that platform's image (repeatable)")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *layoutPath == "" || *repository == "" || len(tags) == 0 {
		return errors.New("usage: ocipush -layout image.tar -repository registry/path -tag TAG [-tag TAG...]")
	}
	f, err := os.Open(*layoutPath)
	if err != nil {
		return err
	}
	defer f.Close()
	layout, err := ocilayout.Read(f)
	if err != nil {
		return err
	}
	img, err := ImageOf(layout)
	if err != nil {
		return err
	}
	host, path, ok := strings.Cut(*repository, "/")
	if !ok {
		return fmt.Errorf("repository %q names no registry", *repository)
	}
	reg := NewRegistry(host, path, Credentials{Username: getenv("REGISTRY_USERNAME"), Password: getenv("REGISTRY_PASSWORD")}, *connect)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	attach, err := readSBOMs(sboms)
	if err != nil {
		return err
	}
	digest, referrers, err := Push(ctx, reg, img, tags, attach)
	if err != nil {
		return err
	}
	for _, t := range tags {
		fmt.Fprintf(stdout, "%s:%s@%s\n", *repository, t, digest)
	}
	for _, r := range referrers {
		fmt.Fprintf(stdout, "sbom %s: %s@%s\n", r.platform, *repository, r.digest)
	}
	return nil
}

// readSBOMs reads `os/arch=file` arguments into SBOM bytes by platform.
func readSBOMs(args []string) (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, a := range args {
		platform, file, ok := strings.Cut(a, "=")
		if !ok {
			return nil, fmt.Errorf("-sbom %q: expected os/arch=file", a)
		}
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		out[platform] = b
	}
	return out, nil
}

// referrer is an SBOM pushed for one platform.
type referrer struct{ platform, digest string }

const (
	mediaTypeSBOM  = "application/vnd.cyclonedx+json"
	mediaTypeEmpty = "application/vnd.oci.empty.v1+json"
)

// attachSBOM pushes sbom as an artifact manifest whose subject is the image `subject`, and, where
// the registry does not answer with OCI-Subject (no referrers API), adds it to the fallback tag.
func attachSBOM(ctx context.Context, reg *Registry, subject ocilayout.Descriptor, sbom []byte) (string, error) {
	empty := []byte("{}")
	for _, b := range [][]byte{empty, sbom} {
		if err := reg.PutBlob(ctx, ocilayout.Digest(b), b); err != nil {
			return "", err
		}
	}
	manifest, err := json.Marshal(map[string]any{
		"schemaVersion": 2,
		"mediaType":     ocilayout.MediaTypeManifest,
		"artifactType":  mediaTypeSBOM,
		"config":        ocilayout.Descriptor{MediaType: mediaTypeEmpty, Digest: ocilayout.Digest(empty), Size: int64(len(empty))},
		"layers": []ocilayout.Descriptor{{
			MediaType: mediaTypeSBOM, Digest: ocilayout.Digest(sbom), Size: int64(len(sbom)),
			Annotations: map[string]string{"org.opencontainers.image.title": "sbom.cdx.json"},
		}},
		"subject": ocilayout.Descriptor{MediaType: subject.MediaType, Digest: subject.Digest, Size: subject.Size},
	})
	if err != nil {
		return "", err
	}
	d := ocilayout.Digest(manifest)
	res, err := reg.putManifest(ctx, d, ocilayout.MediaTypeManifest, manifest)
	if err != nil {
		return "", err
	}
	if res.Header.Get("OCI-Subject") != "" {
		return d, nil
	}
	// The referrers tag schema: an index of the subject's referrers under sha256-<hex>.
	tag := strings.Replace(subject.Digest, ":", "-", 1)
	index := struct {
		SchemaVersion int                    `json:"schemaVersion"`
		MediaType     string                 `json:"mediaType"`
		Manifests     []ocilayout.Descriptor `json:"manifests"`
	}{2, ocilayout.MediaTypeIndex, nil}
	if existing, err := reg.GetManifest(ctx, tag); err == nil && existing != nil {
		_ = json.Unmarshal(existing, &index)
	}
	entry := ocilayout.Descriptor{MediaType: ocilayout.MediaTypeManifest, Digest: d, Size: int64(len(manifest)), ArtifactType: mediaTypeSBOM}
	for _, m := range index.Manifests {
		if m.Digest == d {
			return d, nil
		}
	}
	index.Manifests = append(index.Manifests, entry)
	b, err := json.Marshal(index)
	if err != nil {
		return "", err
	}
	if _, err := reg.PutManifest(ctx, tag, ocilayout.MediaTypeIndex, b); err != nil {
		return "", err
	}
	return d, nil
}

// Image is what gets pushed: the index (its bytes and digest) and each platform's manifest.
type Image struct {
	Index       []byte
	IndexDigest string
	Manifests   []ocilayout.Descriptor
	Blobs       map[string][]byte
}

// ImageOf finds the image a layout holds and returns it as an index: the layout's own index for a
// multi-platform export, or a new one-entry index around a single manifest.
func ImageOf(l *ocilayout.Layout) (*Image, error) {
	top, err := l.Top()
	if err != nil {
		return nil, err
	}
	var index []byte
	switch top.MediaType {
	case ocilayout.MediaTypeIndex:
		index = l.Blobs[top.Digest]
	case ocilayout.MediaTypeManifest:
		platform, err := l.PlatformOf(top.Digest)
		if err != nil {
			return nil, err
		}
		wrapped := struct {
			SchemaVersion int                    `json:"schemaVersion"`
			MediaType     string                 `json:"mediaType"`
			Manifests     []ocilayout.Descriptor `json:"manifests"`
		}{2, ocilayout.MediaTypeIndex, []ocilayout.Descriptor{{
			MediaType: top.MediaType, Digest: top.Digest, Size: top.Size, Annotations: top.Annotations, Platform: platform,
		}}}
		if index, err = json.MarshalIndent(wrapped, "", "  "); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("unsupported media type %s in index.json", top.MediaType)
	}
	var parsed struct {
		Manifests []ocilayout.Descriptor `json:"manifests"`
	}
	if err := json.Unmarshal(index, &parsed); err != nil {
		return nil, fmt.Errorf("image index: %w", err)
	}
	for _, m := range parsed.Manifests {
		if l.Blobs[m.Digest] == nil {
			return nil, fmt.Errorf("manifest %s is missing from the layout", m.Digest)
		}
	}
	return &Image{Index: index, IndexDigest: ocilayout.Digest(index), Manifests: parsed.Manifests, Blobs: l.Blobs}, nil
}

// Push uploads every blob and manifest of img by digest, attaches the SBOMs (by platform), then
// writes the index under each tag, in order. It returns the index digest, checked against what the
// registry reports, and the SBOMs' digests.
func Push(ctx context.Context, reg *Registry, img *Image, tags []string, sboms map[string][]byte) (string, []referrer, error) {
	var referrers []referrer
	for _, m := range img.Manifests {
		var manifest struct {
			Config ocilayout.Descriptor   `json:"config"`
			Layers []ocilayout.Descriptor `json:"layers"`
		}
		raw := img.Blobs[m.Digest]
		if err := json.Unmarshal(raw, &manifest); err != nil {
			return "", nil, fmt.Errorf("manifest %s: %w", m.Digest, err)
		}
		for _, b := range append([]ocilayout.Descriptor{manifest.Config}, manifest.Layers...) {
			data, ok := img.Blobs[b.Digest]
			if !ok {
				return "", nil, fmt.Errorf("blob %s is missing from the layout", b.Digest)
			}
			if err := reg.PutBlob(ctx, b.Digest, data); err != nil {
				return "", nil, err
			}
		}
		if _, err := reg.PutManifest(ctx, m.Digest, m.MediaType, raw); err != nil {
			return "", nil, err
		}
		if m.Platform == nil {
			continue
		}
		platform := m.Platform.OS + "/" + m.Platform.Architecture
		if m.Platform.Variant != "" {
			platform += "/" + m.Platform.Variant
		}
		if sbom, ok := sboms[platform]; ok {
			d, err := attachSBOM(ctx, reg, m, sbom)
			if err != nil {
				return "", nil, fmt.Errorf("attaching the SBOM of %s: %w", platform, err)
			}
			referrers = append(referrers, referrer{platform, d})
			delete(sboms, platform)
		}
	}
	for platform := range sboms {
		return "", nil, fmt.Errorf("-sbom %s: the image has no such platform", platform)
	}
	for _, tag := range tags {
		got, err := reg.PutManifest(ctx, tag, ocilayout.MediaTypeIndex, img.Index)
		if err != nil {
			return "", nil, err
		}
		if got != "" && got != img.IndexDigest {
			return "", nil, fmt.Errorf("%s:%s: the registry stored digest %s, not %s", reg.Path, tag, got, img.IndexDigest)
		}
	}
	return img.IndexDigest, referrers, nil
}

// Credentials for a registry; empty when none were given.
type Credentials struct{ Username, Password string }

// Registry speaks the OCI distribution API to one repository.
type Registry struct {
	Host, Path string
	creds      Credentials
	base       string
	client     *http.Client
	auth       string // the Authorization header that worked, once known
}

// NewRegistry returns a client for host/path; connect, when set, is dialled for every connection.
func NewRegistry(host, path string, creds Credentials, connect string) *Registry {
	scheme := "https"
	if h, _, err := net.SplitHostPort(host); (err == nil && isLoopback(h)) || isLoopback(host) {
		scheme = "http"
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	if connect != "" {
		dialer := &net.Dialer{Timeout: 30 * time.Second}
		transport.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, connect)
		}
	}
	return &Registry{Host: host, Path: path, creds: creds, base: scheme + "://" + host, client: &http.Client{Transport: transport}}
}

func isLoopback(h string) bool {
	h = strings.Trim(h, "[]")
	return h == "localhost" || h == "::1" || strings.HasPrefix(h, "127.")
}

// PutBlob uploads a blob unless the registry has it already.
func (r *Registry) PutBlob(ctx context.Context, digest string, data []byte) error {
	res, err := r.do(ctx, http.MethodHead, r.url("/blobs/"+digest), "", nil)
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode == http.StatusOK {
		return nil
	}
	res, err = r.do(ctx, http.MethodPost, r.url("/blobs/uploads/"), "", nil)
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusAccepted {
		return r.failure("starting the upload of "+digest, res)
	}
	loc, err := res.Location()
	if err != nil {
		return fmt.Errorf("upload of %s: no Location: %w", digest, err)
	}
	q := loc.Query()
	q.Set("digest", digest)
	loc.RawQuery = q.Encode()
	res, err = r.do(ctx, http.MethodPut, loc.String(), "application/octet-stream", data)
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		return r.failure("uploading "+digest, res)
	}
	return nil
}

// PutManifest stores a manifest or index under a digest or tag; it returns the digest the registry
// reports.
func (r *Registry) PutManifest(ctx context.Context, ref, mediaType string, data []byte) (string, error) {
	res, err := r.putManifest(ctx, ref, mediaType, data)
	if err != nil {
		return "", err
	}
	return res.Header.Get("Docker-Content-Digest"), nil
}

func (r *Registry) putManifest(ctx context.Context, ref, mediaType string, data []byte) (*http.Response, error) {
	res, err := r.do(ctx, http.MethodPut, r.url("/manifests/"+ref), mediaType, data)
	if err != nil {
		return nil, err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		return nil, r.failure("writing "+r.Path+":"+ref, res)
	}
	return res, nil
}

// GetManifest reads an index or manifest; nil when the registry has none under ref.
func (r *Registry) GetManifest(ctx context.Context, ref string) ([]byte, error) {
	res, err := r.do(ctx, http.MethodGet, r.url("/manifests/"+ref), "", nil)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusNotFound {
		return nil, nil
	}
	if res.StatusCode != http.StatusOK {
		return nil, r.failure("reading "+r.Path+":"+ref, res)
	}
	return io.ReadAll(io.LimitReader(res.Body, 4<<20))
}

func (r *Registry) url(suffix string) string { return r.base + "/v2/" + r.Path + suffix }

// failure describes an unexpected answer; 401 and 403 keep their status text, so the module can
// tell a refusal of credentials from other errors.
func (r *Registry) failure(what string, res *http.Response) error {
	body, _ := io.ReadAll(io.LimitReader(res.Body, 512))
	return fmt.Errorf("%s: %s: %s", what, res.Status, strings.TrimSpace(string(body)))
}

// do sends a request, authenticating as the registry asks (Basic, or a Bearer token from its
// token service) when it answers 401, then sends it again.
func (r *Registry) do(ctx context.Context, method, url, contentType string, body []byte) (*http.Response, error) {
	send := func() (*http.Response, error) {
		req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		if method == http.MethodGet {
			req.Header.Set("Accept", ocilayout.MediaTypeIndex+", "+ocilayout.MediaTypeManifest)
		}
		if r.auth != "" {
			req.Header.Set("Authorization", r.auth)
		}
		res, err := r.client.Do(req)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", method, url, err)
		}
		return res, nil
	}
	res, err := send()
	if err != nil || res.StatusCode != http.StatusUnauthorized {
		return res, err
	}
	challenge := res.Header.Get("WWW-Authenticate")
	res.Body.Close()
	if r.auth != "" {
		return nil, errors.New("401 Unauthorized: the registry refused the credentials")
	}
	auth, err := r.authenticate(ctx, challenge)
	if err != nil {
		return nil, err
	}
	r.auth = auth
	res, err = send()
	if err == nil && res.StatusCode == http.StatusUnauthorized {
		res.Body.Close()
		return nil, errors.New("401 Unauthorized: the registry refused the credentials")
	}
	return res, err
}

// authenticate answers a WWW-Authenticate challenge with an Authorization header.
func (r *Registry) authenticate(ctx context.Context, challenge string) (string, error) {
	scheme, params := parseChallenge(challenge)
	given := r.creds.Username != "" || r.creds.Password != ""
	switch strings.ToLower(scheme) {
	case "basic":
		if !given {
			return "", errors.New("401 Unauthorized: the registry requires credentials")
		}
		req, _ := http.NewRequest(http.MethodGet, "/", nil)
		req.SetBasicAuth(r.creds.Username, r.creds.Password)
		return req.Header.Get("Authorization"), nil
	case "bearer":
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, params["realm"], nil)
		if err != nil {
			return "", fmt.Errorf("token service %q: %w", params["realm"], err)
		}
		q := req.URL.Query()
		if s := params["service"]; s != "" {
			q.Set("service", s)
		}
		q.Set("scope", "repository:"+r.Path+":pull,push")
		req.URL.RawQuery = q.Encode()
		if given {
			req.SetBasicAuth(r.creds.Username, r.creds.Password)
		}
		res, err := r.client.Do(req)
		if err != nil {
			return "", fmt.Errorf("token service: %w", err)
		}
		defer res.Body.Close()
		if res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusForbidden {
			if given {
				return "", fmt.Errorf("%s: the registry refused the credentials", res.Status)
			}
			return "", fmt.Errorf("%s: the registry requires credentials", res.Status)
		}
		if res.StatusCode != http.StatusOK {
			return "", fmt.Errorf("token service: %s", res.Status)
		}
		var tok struct {
			Token       string `json:"token"`
			AccessToken string `json:"access_token"`
		}
		if err := json.NewDecoder(res.Body).Decode(&tok); err != nil {
			return "", fmt.Errorf("token service: %w", err)
		}
		if tok.Token == "" {
			tok.Token = tok.AccessToken
		}
		return "Bearer " + tok.Token, nil
	default:
		return "", fmt.Errorf("401 Unauthorized: unsupported authentication scheme %q", scheme)
	}
}

// parseChallenge splits `Bearer realm="…",service="…"` into its scheme and parameters.
func parseChallenge(h string) (string, map[string]string) {
	scheme, rest, _ := strings.Cut(strings.TrimSpace(h), " ")
	params := map[string]string{}
	for rest != "" {
		rest = strings.TrimLeft(rest, " ,")
		key, after, ok := strings.Cut(rest, "=")
		if !ok {
			break
		}
		var value string
		if strings.HasPrefix(after, `"`) {
			end := strings.Index(after[1:], `"`)
			if end < 0 {
				value, rest = after[1:], ""
			} else {
				value, rest = after[1:1+end], after[2+end:]
			}
		} else {
			value, rest, _ = strings.Cut(after, ",")
		}
		params[strings.ToLower(strings.TrimSpace(key))] = value
	}
	return scheme, params
}
