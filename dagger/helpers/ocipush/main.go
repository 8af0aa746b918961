// Command ocipush pushes an OCI image layout tarball (the engine's export of a container, one or
// more platforms) to a registry as one image index, under each tag in order, and prints one
// `repository:tag@digest` line per tag. A single-platform export (a plain manifest) is wrapped in
// an index, so a release has the same shape for one platform as for several.
//
//	ocipush -layout image.tar -repository ghcr.io/owner/service -tag v1.0.0 -tag latest [-connect alias:port]
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
	var tags stringList
	flags.Var(&tags, "tag", "a tag to write (repeatable, in order)")
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
	digest, err := Push(ctx, reg, img, tags)
	if err != nil {
		return err
	}
	for _, t := range tags {
		fmt.Fprintf(stdout, "%s:%s@%s\n", *repository, t, digest)
	}
	return nil
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

// Push uploads every blob and manifest of img by digest, then writes the index under each tag, in
// order. It returns the index digest, checked against what the registry reports.
func Push(ctx context.Context, reg *Registry, img *Image, tags []string) (string, error) {
	for _, m := range img.Manifests {
		var manifest struct {
			Config ocilayout.Descriptor   `json:"config"`
			Layers []ocilayout.Descriptor `json:"layers"`
		}
		raw := img.Blobs[m.Digest]
		if err := json.Unmarshal(raw, &manifest); err != nil {
			return "", fmt.Errorf("manifest %s: %w", m.Digest, err)
		}
		for _, b := range append([]ocilayout.Descriptor{manifest.Config}, manifest.Layers...) {
			data, ok := img.Blobs[b.Digest]
			if !ok {
				return "", fmt.Errorf("blob %s is missing from the layout", b.Digest)
			}
			if err := reg.PutBlob(ctx, b.Digest, data); err != nil {
				return "", err
			}
		}
		if _, err := reg.PutManifest(ctx, m.Digest, m.MediaType, raw); err != nil {
			return "", err
		}
	}
	for _, tag := range tags {
		got, err := reg.PutManifest(ctx, tag, ocilayout.MediaTypeIndex, img.Index)
		if err != nil {
			return "", err
		}
		if got != "" && got != img.IndexDigest {
			return "", fmt.Errorf("%s:%s: the registry stored digest %s, not %s", reg.Path, tag, got, img.IndexDigest)
		}
	}
	return img.IndexDigest, nil
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
	res, err := r.do(ctx, http.MethodPut, r.url("/manifests/"+ref), mediaType, data)
	if err != nil {
		return "", err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		return "", r.failure("writing "+r.Path+":"+ref, res)
	}
	return res.Header.Get("Docker-Content-Digest"), nil
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
