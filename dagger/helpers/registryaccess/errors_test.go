package registryaccess

import (
	"crypto/x509"
	"errors"
	"net"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"
)

func answer(method, rawURL string, status int, detail string) Answer {
	u, _ := url.Parse(rawURL)
	return Answer{Status: status, Method: method, URL: u, Detail: detail}
}

func TestDescribeAnswer(t *testing.T) {
	none := Target{Host: "registry.example.com"}
	given := Target{Host: "registry.example.com", Source: "REGISTRY_USERNAME/REGISTRY_PASSWORD"}
	push := Words{Request: "push", Requests: "pushes", NotFound: "no such repository, or will not create it"}
	for _, tc := range []struct {
		name   string
		answer Answer
		target Target
		kind   string
		msg    string
	}{
		{"401, no credentials", answer("HEAD", "https://registry.example.com/v2/x/blobs/sha256:aa", 401, ""), none, KindCredentialsRequired,
			"registry.example.com requires credentials and none were given (401 Unauthorized to HEAD registry.example.com/v2/x/blobs/sha256:aa): set REGISTRY_USERNAME and REGISTRY_PASSWORD, or pass -docker-config"},
		{"401 after auth", answer("POST", "https://registry.example.com/v2/x/blobs/uploads/", 401, "UNAUTHORIZED: authentication required"), given, KindCredentialsRefused,
			"registry.example.com refused the credentials from REGISTRY_USERNAME/REGISTRY_PASSWORD (401 Unauthorized to POST registry.example.com/v2/x/blobs/uploads/: UNAUTHORIZED: authentication required)"},
		{"token service refuses", answer("GET", "https://user:pw@auth.example.com/token?scope=repository:x:pull&service=r#f", 401, ""), given, KindCredentialsRefused,
			"the token service https://auth.example.com/token of registry.example.com refused the credentials from REGISTRY_USERNAME/REGISTRY_PASSWORD (401 Unauthorized to GET auth.example.com/token)"},
		{"token service on the registry host", answer("GET", "https://registry.example.com/token?scope=x", 403, ""), given, KindCredentialsRefused, "the token service https://registry.example.com/token of registry.example.com refused"},
		{"token service, 400", answer("GET", "https://auth.example.com/token", 400, ""), given, KindCredentialsRefused, "the token service"},
		{"token service, no credentials", answer("GET", "https://auth.example.com/token", 401, ""), none, KindCredentialsRequired,
			"the token service https://auth.example.com/token of registry.example.com requires credentials and none were given (401 Unauthorized to GET auth.example.com/token): set REGISTRY_USERNAME"},
		{"token service down", answer("GET", "https://auth.example.com/token", 503, ""), given, KindRegistry,
			"the token service https://auth.example.com/token of registry.example.com failed (503 Service Unavailable to GET auth.example.com/token)"},
		{"403 with credentials", answer("POST", "https://registry.example.com/v2/x/blobs/uploads/", 403, "DENIED: denied"), given, KindDenied,
			"registry.example.com accepted the credentials from REGISTRY_USERNAME/REGISTRY_PASSWORD but denied the push (403 Forbidden to POST registry.example.com/v2/x/blobs/uploads/: DENIED: denied)"},
		{"403 anonymous", answer("POST", "https://registry.example.com/v2/x/blobs/uploads/", 403, ""), none, KindCredentialsRequired,
			"registry.example.com denies anonymous pushes (403 Forbidden to POST registry.example.com/v2/x/blobs/uploads/): set REGISTRY_USERNAME"},
		{"404", answer("POST", "https://registry.example.com/v2/x/blobs/uploads/", 404, "NAME_UNKNOWN"), given, KindNotFound,
			"registry.example.com has no such repository, or will not create it (404 Not Found to POST registry.example.com/v2/x/blobs/uploads/: NAME_UNKNOWN)"},
		{"500 without its query", answer("PUT", "https://registry.example.com/v2/x/blobs/uploads/u?_state=secretstate", 500, ""), given, KindRegistry,
			"registry.example.com answered 500 Internal Server Error to PUT registry.example.com/v2/x/blobs/uploads/u"},
		{"no request", Answer{Status: 502}, given, KindRegistry, "registry.example.com answered 502 Bad Gateway"},
		{"no URL", Answer{Status: 502, Method: "GET"}, given, KindRegistry, "registry.example.com answered 502 Bad Gateway to GET"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kind, msg := tc.target.DescribeAnswer(tc.answer, push)
			if kind != tc.kind || !strings.HasPrefix(msg, tc.msg) {
				t.Errorf("%s %q, want %s %q", kind, msg, tc.kind, tc.msg)
			}
			if strings.Contains(msg, "secretstate") || strings.Contains(msg, "pw@") || strings.Contains(msg, "#f") {
				t.Errorf("message %q shows a query, user information or a fragment", msg)
			}
		})
	}
	request := Words{Request: "request", Requests: "requests", NotFound: "no such repository or manifest"}
	if _, msg := given.DescribeAnswer(answer("GET", "https://registry.example.com/v2/x/manifests/v1", 403, ""), request); !strings.Contains(msg, "but denied the request (") {
		t.Errorf("403 in the signer's words: %q", msg)
	}
	if _, msg := none.DescribeAnswer(answer("GET", "https://registry.example.com/v2/x/manifests/v1", 403, ""), request); !strings.Contains(msg, "denies anonymous requests (") {
		t.Errorf("anonymous 403 in the signer's words: %q", msg)
	}
	if _, msg := none.DescribeAnswer(answer("GET", "https://registry.example.com/v2/x/manifests/v1", 404, ""), request); !strings.Contains(msg, "has no such repository or manifest (404") {
		t.Errorf("404 in the signer's words: %q", msg)
	}
}

func TestDescribeUnreachable(t *testing.T) {
	refused := &url.Error{Op: "Head", URL: "http://localhost:5000/v2/", Err: &net.OpError{Op: "dial", Net: "tcp",
		Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}}
	for _, tc := range []struct {
		name     string
		err      error
		target   Target
		kind     string
		contains []string
	}{
		{"connection refused", refused, Target{Host: "localhost:5000", Connect: "registry:5000"}, KindUnreachable, []string{"cannot reach localhost:5000 (dialling registry:5000): ", "connection refused"}},
		{"DNS", &url.Error{Op: "Head", URL: "https://nowhere.example/v2/", Err: &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "nowhere.example", IsNotFound: true}}}, Target{Host: "nowhere.example"}, KindUnreachable, []string{"cannot reach nowhere.example: DNS", "no such host"}},
		{"TLS", &url.Error{Op: "Head", URL: "https://registry.example.com/v2/", Err: x509.UnknownAuthorityError{}}, Target{Host: "registry.example.com"}, KindUnreachable, []string{"cannot reach registry.example.com: TLS"}},
		{"scheme", &url.Error{Op: "Get", URL: "http://10.1.2.3:5000/v2/", Err: &SchemeError{"http", "10.1.2.3:5000"}}, Target{Host: "10.1.2.3:5000"}, KindUnreachable, []string{"refusing plain HTTP to 10.1.2.3:5000"}},
		{"other", errors.New("mismatch Docker-Content-Digest"), Target{Host: "registry.example.com"}, KindRegistry, []string{"mismatch Docker-Content-Digest"}},
	} {
		kind, msg := tc.target.Describe(tc.err)
		if kind != tc.kind {
			t.Errorf("%s: kind %q, want %q (%s)", tc.name, kind, tc.kind, msg)
		}
		for _, c := range tc.contains {
			if !strings.Contains(msg, c) {
				t.Errorf("%s: message %q does not contain %q", tc.name, msg, c)
			}
		}
	}
}

func TestClassifyPutsTheStepsFirst(t *testing.T) {
	describe := func(err error, t Target) (string, string) { return KindRegistry, t.Host + " said " + err.Error() }
	err := Step(Step(errors.New("boom"), "reading the referrers tag %s", "sha256-aa"), "attaching the SBOM of %s", "linux/amd64")
	kind, msg := Classify(err, Target{Host: "r.example"}, describe)
	if kind != KindRegistry || msg != "attaching the SBOM of linux/amd64: reading the referrers tag sha256-aa: r.example said boom" {
		t.Errorf("%s %q", kind, msg)
	}
	if err.Error() != "attaching the SBOM of linux/amd64: reading the referrers tag sha256-aa: boom" {
		t.Errorf("the step's own text: %q", err)
	}
	if Step(nil, "nothing") != nil {
		t.Error("a step of no error is an error")
	}
}

func TestCleanMakesOneLineWithoutSecrets(t *testing.T) {
	c := Credential{Username: "alice", Password: "hunter22"}
	msg := Clean("GET https://alice:hunter22@r.example/v2/\nfailed: Basic "+b64("alice:hunter22")+"\tpassword hunter22", c.Secrets())
	if strings.Contains(msg, "hunter22") || strings.Contains(msg, b64("alice:hunter22")) || strings.Contains(msg, "\n") || strings.Contains(msg, "\t") {
		t.Fatalf("clean left a secret or a line break: %q", msg)
	}
	if !strings.Contains(msg, "https://r.example/v2/") {
		t.Errorf("clean mangled the URL: %q", msg)
	}
	if got := Clean("GET https://user:pw@r.example/v2/\n  token s3cret here", []string{"s3cret"}); got != "GET https://r.example/v2/ token [redacted] here" {
		t.Fatalf("clean: %q", got)
	}
	if got := Clean(strings.Repeat("x", 2500), nil); got != strings.Repeat("x", 2000)+"…" {
		t.Errorf("a long message is %d bytes", len(got))
	}
}
