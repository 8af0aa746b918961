package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// inCI tells a CI run (CI=true), where a missing tool fails the test instead of skipping it.
func inCI() bool {
	v := strings.ToLower(os.Getenv("CI"))
	return v != "" && v != "false" && v != "0"
}

// requireTool finds a program the tests need: under CI a missing one fails the test, elsewhere it
// skips it with a message saying what to install.
func requireTool(t testing.TB, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		msg := fmt.Sprintf("%s is not installed (apt-get install %s): %v", name, pkg, err)
		if inCI() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return p
}

// freeAddr is a 127.0.0.1 address nothing listens on right now.
func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// user is a registry user (htpasswd, or the token issuer's).
type user struct{ name, password string }

// registryOptions choose the registry's auth: none, htpasswd (Basic) or a token service (Bearer).
type registryOptions struct {
	htpasswd *user
	token    *tokenIssuer
}

// testRegistry is Debian's docker-registry (distribution 2.8) on a free 127.0.0.1 port, with a
// temp config and storage, stopped when the test ends.
type testRegistry struct {
	host   string // 127.0.0.1:port
	url    string // http://127.0.0.1:port
	basic  *user
	token  *tokenIssuer
	output *bytes.Buffer
}

func startRegistry(t testing.TB, opts registryOptions) *testRegistry {
	t.Helper()
	bin := requireTool(t, "docker-registry", "docker-registry")
	dir := t.TempDir()
	addr := freeAddr(t)
	config := []string{
		"version: 0.1",
		"log:",
		"  level: error",
		"  accesslog:",
		"    disabled: true",
		"storage:",
		"  filesystem:",
		"    rootdirectory: " + filepath.Join(dir, "data"),
		"  delete:",
		"    enabled: true",
		"  maintenance:",
		"    uploadpurging:",
		"      enabled: false",
		"http:",
		"  addr: " + addr,
		"  secret: go-scratch-push-test",
	}
	r := &testRegistry{host: addr, url: "http://" + addr, output: &bytes.Buffer{}}
	switch {
	case opts.htpasswd != nil:
		requireTool(t, "htpasswd", "apache2-utils")
		line, err := exec.Command("htpasswd", "-Bbn", opts.htpasswd.name, opts.htpasswd.password).Output()
		if err != nil {
			t.Fatalf("htpasswd: %v", err)
		}
		file := filepath.Join(dir, "htpasswd")
		if err := os.WriteFile(file, []byte(strings.TrimSpace(string(line))+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		config = append(config, "auth:", "  htpasswd:", "    realm: go-scratch-test", "    path: "+file)
		r.basic = opts.htpasswd
	case opts.token != nil:
		config = append(config, "auth:", "  token:",
			"    realm: "+opts.token.url+"/token",
			"    service: "+opts.token.service,
			"    issuer: "+opts.token.issuer,
			"    rootcertbundle: "+opts.token.certFile)
		r.token = opts.token
	}
	configFile := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(configFile, []byte(strings.Join(config, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", configFile)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = r.output, r.output
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting docker-registry: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(r.url + "/v2/")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK || res.StatusCode == http.StatusUnauthorized {
				return r
			}
		}
		select {
		case <-exited:
			t.Fatalf("docker-registry exited:\n%s", r.output)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("docker-registry did not answer on %s:\n%s", r.url, r.output)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Accept header for reading back a tag that may name an index or a manifest.
const acceptManifests = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, " +
	"application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json"

// do sends a request to the registry as the test (not the helper), authenticated as the
// registry's user or with a token minted for repo.
func (r *testRegistry) do(t testing.TB, method, path, contentType string, body []byte, repo string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, r.url+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", acceptManifests)
	switch {
	case r.basic != nil:
		req.SetBasicAuth(r.basic.name, r.basic.password)
	case r.token != nil:
		req.Header.Set("Authorization", "Bearer "+r.token.mint(t, "test", []string{"repository:" + repo + ":pull,push"}))
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, b
}

// manifest reads repo:ref back: its digest (Docker-Content-Digest), media type and bytes.
func (r *testRegistry) manifest(t testing.TB, repo, ref string) (string, string, []byte) {
	t.Helper()
	res, b := r.do(t, http.MethodGet, "/v2/"+repo+"/manifests/"+ref, "", nil, repo)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s:%s: %s: %s", repo, ref, res.Status, b)
	}
	return res.Header.Get("Docker-Content-Digest"), res.Header.Get("Content-Type"), b
}

// hasManifest tells whether repo:ref exists.
func (r *testRegistry) hasManifest(t testing.TB, repo, ref string) bool {
	t.Helper()
	res, _ := r.do(t, http.MethodHead, "/v2/"+repo+"/manifests/"+ref, "", nil, repo)
	return res.StatusCode == http.StatusOK
}

// tags lists repo's tags (none when the repository does not exist).
func (r *testRegistry) tags(t testing.TB, repo string) []string {
	t.Helper()
	res, b := r.do(t, http.MethodGet, "/v2/"+repo+"/tags/list", "", nil, repo)
	if res.StatusCode == http.StatusNotFound {
		return nil
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s tags: %s: %s", repo, res.Status, b)
	}
	var list struct{ Tags []string }
	if err := json.Unmarshal(b, &list); err != nil {
		t.Fatal(err)
	}
	return list.Tags
}

// putBlob uploads a blob as a test fixture (monolithic POST then PUT).
func (r *testRegistry) putBlob(t testing.TB, repo string, data []byte) {
	t.Helper()
	res, b := r.do(t, http.MethodPost, "/v2/"+repo+"/blobs/uploads/", "", nil, repo)
	if res.StatusCode != http.StatusAccepted {
		t.Fatalf("POST upload: %s: %s", res.Status, b)
	}
	loc, err := res.Location()
	if err != nil {
		t.Fatal(err)
	}
	q := loc.Query()
	q.Set("digest", digestOf(data))
	loc.RawQuery = q.Encode()
	path := strings.TrimPrefix(loc.String(), r.url)
	res, b = r.do(t, http.MethodPut, path, "application/octet-stream", data, repo)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("PUT blob: %s: %s", res.Status, b)
	}
}

// putManifest stores a manifest or index as a test fixture.
func (r *testRegistry) putManifest(t testing.TB, repo, ref, mediaType string, data []byte) {
	t.Helper()
	res, b := r.do(t, http.MethodPut, "/v2/"+repo+"/manifests/"+ref, mediaType, data, repo)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("PUT manifest %s: %s: %s", ref, res.Status, b)
	}
}
