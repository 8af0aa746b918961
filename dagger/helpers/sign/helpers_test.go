package main

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/sigstore/cosign/v2/pkg/cosign"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
)

// testPassword encrypts the test key pair.
const testPassword = "correct horse battery staple"

// testKeys is a cosign key pair made once per test binary with cosign's GenerateKeyPair (its
// scrypt costs about 2 s under -race), written to files.
var testKeys = sync.OnceValues(func() (*keyFiles, error) {
	kb, err := cosign.GenerateKeyPair(func(bool) ([]byte, error) { return []byte(testPassword), nil })
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "sign-test-keys")
	if err != nil {
		return nil, err
	}
	k := &keyFiles{dir: dir, private: filepath.Join(dir, "cosign.key"), public: filepath.Join(dir, "cosign.pub"), privateBytes: kb.PrivateBytes}
	if err := os.WriteFile(k.private, kb.PrivateBytes, 0o600); err != nil {
		return nil, err
	}
	if err := os.WriteFile(k.public, kb.PublicBytes, 0o644); err != nil {
		return nil, err
	}
	return k, nil
})

type keyFiles struct {
	dir, private, public string
	privateBytes         []byte
}

func mustKeys(t *testing.T) *keyFiles {
	t.Helper()
	k, err := testKeys()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestMain(m *testing.M) {
	code := m.Run()
	if k, err := testKeys(); err == nil {
		os.RemoveAll(k.dir)
	}
	os.Exit(code)
}

// otherPublicKey writes the public key of a fresh ECDSA P-256 key (not the test key pair's).
func otherPublicKey(t *testing.T) string {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pem, err := cryptoutils.MarshalPublicKeyToPEM(priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "other.pub")
	if err := os.WriteFile(p, pem, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// memorySigner is the signer cosign.LoadPrivateKey makes of a P-256 key (ECDSA, SHA-256),
// without the scrypt of a key file: for tests of the signing job itself.
func memorySigner(t *testing.T) signature.SignerVerifier {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sv, err := signature.LoadECDSASignerVerifier(priv, crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	return sv
}

// testRegistry is go-containerregistry's in-memory registry on 127.0.0.1, optionally behind Basic
// authentication.
type testRegistry struct {
	host       string
	user, pass string
	mu         sync.Mutex
	authSeen   []string // hosts an Authorization header was sent to
}

func newTestRegistry(t *testing.T, user, pass string) *testRegistry {
	t.Helper()
	r := &testRegistry{user: user, pass: pass}
	inner := ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Header.Get("Authorization") != "" {
			r.mu.Lock()
			r.authSeen = append(r.authSeen, req.Host)
			r.mu.Unlock()
		}
		if r.user != "" {
			u, p, ok := req.BasicAuth()
			if !ok || u != r.user || p != r.pass {
				w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusUnauthorized)
				io.WriteString(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`)
				return
			}
		}
		inner.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	r.host = strings.TrimPrefix(srv.URL, "http://")
	return r
}

// pushIndex writes a random small image index (2 images of 1 small layer) to repo:tag and
// returns its digest.
func (r *testRegistry) pushIndex(t *testing.T, repo, tag string) string {
	t.Helper()
	idx, err := random.Index(64, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := name.NewTag(r.host+"/"+repo+":"+tag, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	opts := []remote.Option{}
	if r.user != "" {
		opts = append(opts, remote.WithAuth(&authn.Basic{Username: r.user, Password: r.pass}))
	}
	if err := remote.WriteIndex(ref, idx, opts...); err != nil {
		t.Fatal(err)
	}
	d, err := idx.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d.String()
}

// testPredicate is a SLSA v1 provenance predicate as the module might write it.
const testPredicate = `{
  "buildDefinition": {
    "buildType": "https://goscratch.example/buildtypes/dagger-go-scratch/v1",
    "externalParameters": {"source": "git+https://example.com/service@refs/tags/v1.0.0", "platforms": ["linux/amd64", "linux/arm64"]},
    "resolvedDependencies": [
      {"uri": "git+https://example.com/service@refs/tags/v1.0.0", "digest": {"gitCommit": "0123456789abcdef0123456789abcdef01234567"}},
      {"uri": "pkg:docker/golang@1.26", "digest": {"sha256": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}}
    ]
  },
  "runDetails": {
    "builder": {"id": "https://goscratch.example/builder/dagger@v1"},
    "metadata": {"invocationID": "run-42"}
  }
}`

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// result is one run of the command.
type result struct {
	code           int
	stdout, stderr string
}

// runCmd runs the command with only the environment given.
func runCmd(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, func(k string) string { return env[k] }, &out, &errb)
	return result{code, out.String(), errb.String()}
}

// okJSON checks a successful run printed one JSON document and nothing on stderr, and decodes it.
func (r result) okJSON(t *testing.T, v any) {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %s", r.code, r.stderr)
	}
	if r.stderr != "" {
		t.Fatalf("stderr not empty on success: %s", r.stderr)
	}
	if strings.Count(strings.TrimSpace(r.stdout), "\n") != 0 {
		t.Fatalf("stdout is not one line: %q", r.stdout)
	}
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("stdout %q: %v", r.stdout, err)
	}
}

// failure checks a failed run: exit 1, nothing on stdout, one JSON line on stderr of the kind
// wanted, whose message contains each of want.
func (r result) failure(t *testing.T, kind string, want ...string) failure {
	t.Helper()
	if r.code != 1 {
		t.Fatalf("exit %d, want 1; stdout %s stderr %s", r.code, r.stdout, r.stderr)
	}
	if r.stdout != "" {
		t.Fatalf("stdout not empty on failure: %s", r.stdout)
	}
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if len(lines) != 1 {
		t.Fatalf("stderr is not one line: %q", r.stderr)
	}
	var f failure
	if err := json.Unmarshal([]byte(lines[0]), &f); err != nil {
		t.Fatalf("stderr %q: %v", r.stderr, err)
	}
	if f.Kind != kind {
		t.Fatalf("kind %q, want %q: %s", f.Kind, kind, f.Error)
	}
	for _, w := range want {
		if !strings.Contains(f.Error, w) {
			t.Errorf("error %q does not contain %q", f.Error, w)
		}
	}
	return f
}

// noSecrets checks that none of the secrets appears in the run's output.
func (r result) noSecrets(t *testing.T, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && (strings.Contains(r.stdout, s) || strings.Contains(r.stderr, s)) {
			t.Errorf("output contains the secret %q", s)
		}
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustPublic(t *testing.T, sv signature.SignerVerifier) crypto.PublicKey {
	t.Helper()
	pub, err := sv.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	return pub
}
