package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// tokenIssuer is a token service for docker-registry's `auth: token` (the Bearer flow of
// ghcr.io and Docker Hub): it checks Basic credentials (GET, the distribution token spec) or an
// OAuth2 password or refresh-token grant (POST), and grants the scopes asked as an ES256 JWT whose
// x5c header carries its self-signed certificate, the registry's rootcertbundle.
type tokenIssuer struct {
	url      string // http://127.0.0.1:port
	service  string
	issuer   string
	certFile string
	user     user
	refresh  string // the OAuth2 refresh token (a Docker config's identitytoken) it accepts

	key  *ecdsa.PrivateKey
	cert []byte // DER

	mu       sync.Mutex
	requests []string // "GET scope=…" / "POST grant_type=…", and "refused …"
}

func startTokenIssuer(t testing.TB, u user, refresh string) *tokenIssuer {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "go-scratch test token issuer"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	certFile := filepath.Join(t.TempDir(), "token-issuer.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	ti := &tokenIssuer{service: "go-scratch-test-registry", issuer: "go-scratch-test-issuer", certFile: certFile,
		user: u, refresh: refresh, key: key, cert: der}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(ti.serve), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	ti.url = "http://" + l.Addr().String()
	return ti
}

func (ti *tokenIssuer) log(s string) {
	ti.mu.Lock()
	defer ti.mu.Unlock()
	ti.requests = append(ti.requests, s)
}

func (ti *tokenIssuer) seen() []string {
	ti.mu.Lock()
	defer ti.mu.Unlock()
	return append([]string(nil), ti.requests...)
}

func (ti *tokenIssuer) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/token" {
		http.NotFound(w, r)
		return
	}
	var subject string
	var scopes []string
	switch r.Method {
	case http.MethodGet:
		u, p, ok := r.BasicAuth()
		if !ok || u != ti.user.name || p != ti.user.password {
			ti.log("refused GET")
			w.Header().Set("WWW-Authenticate", `Basic realm="token"`)
			http.Error(w, `{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}`, http.StatusUnauthorized)
			return
		}
		subject = u
		for _, s := range r.URL.Query()["scope"] {
			scopes = append(scopes, strings.Fields(s)...)
		}
		ti.log("GET scope=" + strings.Join(scopes, " "))
	case http.MethodPost:
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		switch r.PostForm.Get("grant_type") {
		case "refresh_token":
			if ti.refresh == "" || r.PostForm.Get("refresh_token") != ti.refresh {
				ti.log("refused POST refresh_token")
				http.Error(w, `{"error":"invalid_grant"}`, http.StatusUnauthorized)
				return
			}
			subject = "token-user"
		case "password":
			if r.PostForm.Get("username") != ti.user.name || r.PostForm.Get("password") != ti.user.password {
				ti.log("refused POST password")
				http.Error(w, `{"error":"invalid_grant"}`, http.StatusUnauthorized)
				return
			}
			subject = ti.user.name
		default:
			http.Error(w, `{"error":"unsupported_grant_type"}`, http.StatusBadRequest)
			return
		}
		scopes = strings.Fields(r.PostForm.Get("scope"))
		ti.log("POST grant_type=" + r.PostForm.Get("grant_type") + " scope=" + strings.Join(scopes, " "))
	default:
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	tok, err := ti.sign(subject, scopes)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"token": tok, "access_token": tok, "expires_in": 300, "issued_at": time.Now().UTC().Format(time.RFC3339),
	})
}

// mint is a token for the test's own reads of the registry.
func (ti *tokenIssuer) mint(t testing.TB, subject string, scopes []string) string {
	t.Helper()
	tok, err := ti.sign(subject, scopes)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

type accessEntry struct {
	Type    string   `json:"type"`
	Name    string   `json:"name"`
	Actions []string `json:"actions"`
}

// sign issues a JWT granting the scopes, `type:name:action,action` each.
func (ti *tokenIssuer) sign(subject string, scopes []string) (string, error) {
	access := []accessEntry{}
	for _, s := range scopes {
		i := strings.Index(s, ":")
		j := strings.LastIndex(s, ":")
		if i < 0 || j <= i {
			continue
		}
		access = append(access, accessEntry{Type: s[:i], Name: s[i+1 : j], Actions: strings.Split(s[j+1:], ",")})
	}
	now := time.Now()
	jti := make([]byte, 12)
	if _, err := rand.Read(jti); err != nil {
		return "", err
	}
	header, err := json.Marshal(map[string]any{
		"typ": "JWT", "alg": "ES256", "x5c": []string{base64.StdEncoding.EncodeToString(ti.cert)},
	})
	if err != nil {
		return "", err
	}
	claims, err := json.Marshal(map[string]any{
		"iss": ti.issuer, "sub": subject, "aud": ti.service,
		"exp": now.Add(5 * time.Minute).Unix(), "nbf": now.Add(-time.Minute).Unix(), "iat": now.Unix(),
		"jti": fmt.Sprintf("%x", jti), "access": access,
	})
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	input := enc.EncodeToString(header) + "." + enc.EncodeToString(claims)
	sum := sha256.Sum256([]byte(input))
	r, s, err := ecdsa.Sign(rand.Reader, ti.key, sum[:])
	if err != nil {
		return "", err
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return input + "." + enc.EncodeToString(sig), nil
}
