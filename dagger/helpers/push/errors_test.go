package main

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"

	"goscratch.example/registryaccess"
	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/errcode"
)

func response(method, rawURL string, status int, errs ...errcode.Error) error {
	u, _ := url.Parse(rawURL)
	return &errcode.ErrorResponse{Method: method, URL: u, StatusCode: status, Errors: errs}
}

func TestClassifyGivesEachFailureItsKind(t *testing.T) {
	none := registryaccess.Target{Host: "registry.example.com"}
	given := registryaccess.Target{Host: "registry.example.com", Source: "REGISTRY_USERNAME/REGISTRY_PASSWORD"}
	connected := registryaccess.Target{Host: "localhost:5000", Connect: "registry:5000"}
	refused := &url.Error{Op: "Head", URL: "http://localhost:5000/v2/", Err: &net.OpError{Op: "dial", Net: "tcp",
		Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}}
	for _, tc := range []struct {
		name     string
		err      error
		target   registryaccess.Target
		kind     string
		contains []string
	}{
		{"layout", invalid("blob sha256:aa is missing from the layout"), none, kindInvalidLayout, []string{"missing"}},
		{"basic challenge, no credentials", fmt.Errorf(`HEAD "https://registry.example.com/v2/x/blobs/sha256:aa": %w`, auth.ErrBasicCredentialNotFound), none, registryaccess.KindCredentialsRequired, []string{"registry.example.com", "REGISTRY_USERNAME"}},
		{"401, no credentials", response("HEAD", "https://registry.example.com/v2/x/blobs/sha256:aa", 401), none, registryaccess.KindCredentialsRequired, []string{"401"}},
		{"401 after auth", response("POST", "https://registry.example.com/v2/x/blobs/uploads/", 401, errcode.Error{Code: "UNAUTHORIZED", Message: "authentication required"}), given, registryaccess.KindCredentialsRefused, []string{"refused", "REGISTRY_USERNAME/REGISTRY_PASSWORD", "authentication required"}},
		{"token service refuses", response("GET", "https://auth.example.com/token?scope=repository:x:pull&service=r", 401), given, registryaccess.KindCredentialsRefused, []string{"token service https://auth.example.com/token"}},
		{"token service on the registry host", response("GET", "https://registry.example.com/token?scope=x", 403), given, registryaccess.KindCredentialsRefused, []string{"token service"}},
		{"token service, no credentials", response("GET", "https://auth.example.com/token", 401), none, registryaccess.KindCredentialsRequired, []string{"token service"}},
		{"token service down", response("GET", "https://auth.example.com/token", 503), given, registryaccess.KindRegistry, []string{"token service", "503"}},
		{"403 with credentials", response("POST", "https://registry.example.com/v2/x/blobs/uploads/", 403, errcode.Error{Code: "DENIED", Message: "denied"}), given, registryaccess.KindDenied, []string{"accepted the credentials", "denied"}},
		{"403 anonymous", response("POST", "https://registry.example.com/v2/x/blobs/uploads/", 403), none, registryaccess.KindCredentialsRequired, []string{"anonymous"}},
		{"404", response("POST", "https://registry.example.com/v2/x/blobs/uploads/", 404, errcode.Error{Code: "NAME_UNKNOWN", Message: "repository name not known to registry"}), given, registryaccess.KindNotFound, []string{"no such repository"}},
		{"digest invalid", response("PUT", "https://registry.example.com/v2/x/blobs/uploads/u?_state=secretstate&digest=sha256:aa", 400, errcode.Error{Code: "DIGEST_INVALID", Message: "provided digest did not match uploaded content"}), given, kindInvalidLayout, []string{"digest"}},
		{"500", response("PUT", "https://registry.example.com/v2/x/manifests/v1", 500), given, registryaccess.KindRegistry, []string{"500 Internal Server Error to PUT registry.example.com/v2/x/manifests/v1"}},
		{"redirect to another host", response("GET", "https://storage.example.com/v2/x/blobs/sha256:aa", 401), given, registryaccess.KindRegistry, []string{"redirected to storage.example.com"}},
		{"connection refused", refused, connected, registryaccess.KindUnreachable, []string{"cannot reach localhost:5000 (dialling registry:5000)", "connection refused"}},
		{"DNS", &url.Error{Op: "Head", URL: "https://nowhere.example/v2/", Err: &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "nowhere.example", IsNotFound: true}}}, registryaccess.Target{Host: "nowhere.example"}, registryaccess.KindUnreachable, []string{"cannot reach nowhere.example", "DNS", "no such host"}},
		{"TLS", &url.Error{Op: "Head", URL: "https://registry.example.com/v2/", Err: x509.UnknownAuthorityError{}}, none, registryaccess.KindUnreachable, []string{"TLS"}},
		{"other", errors.New("mismatch Docker-Content-Digest"), none, registryaccess.KindRegistry, []string{"mismatch"}},
		{"steps", registryaccess.Step(registryaccess.Step(response("GET", "https://registry.example.com/v2/x/manifests/sha256-aa", 500), "reading the referrers tag sha256-aa"), "attaching the SBOM of linux/amd64"), given, registryaccess.KindRegistry, []string{"attaching the SBOM of linux/amd64: reading the referrers tag sha256-aa: registry.example.com answered 500"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kind, msg := classify(tc.err, tc.target)
			if kind != tc.kind {
				t.Errorf("kind %q, want %q (%s)", kind, tc.kind, msg)
			}
			for _, c := range tc.contains {
				if !strings.Contains(msg, c) {
					t.Errorf("message %q does not contain %q", msg, c)
				}
			}
			if strings.Contains(msg, "secretstate") {
				t.Errorf("message %q shows an upload's query", msg)
			}
		})
	}
}
