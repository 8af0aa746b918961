package registryaccess

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// The kinds of registry failure both helpers report in their JSON failure line. Each helper has
// kinds of its own besides (its inputs, its keys).
const (
	KindCredentialsRequired = "credentials-required" // the registry wants credentials and none were given
	KindCredentialsRefused  = "credentials-refused"  // the registry refused the credentials given
	KindDenied              = "denied"               // the registry accepted the credentials but denied the request
	KindNotFound            = "not-found"            // no such repository (or tag, or manifest)
	KindUnreachable         = "unreachable"          // the registry cannot be reached
	KindRegistry            = "registry"             // any other registry failure
)

// stepError says which step failed.
type stepError struct {
	step string
	err  error
}

func (e *stepError) Error() string { return e.step + ": " + e.err.Error() }
func (e *stepError) Unwrap() error { return e.err }

// Step wraps err, when not nil, with what was being done; nil stays nil. Classify puts the steps
// before the description of the failure.
func Step(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return &stepError{fmt.Sprintf(format, args...), err}
}

// Target is what a failure is described against.
type Target struct {
	Host    string // the registry's host[:port], as the reference names it
	Connect string // -connect, or ""
	Source  string // where the credentials came from; "" when none were given
}

// Given tells whether credentials were given.
func (t Target) Given() bool { return t.Source != "" }

// Classify gives a failure its kind and a one-line, human-readable message: the steps (Step),
// outermost first, then what describe says of the error they wrap.
func Classify(err error, t Target, describe func(error, Target) (kind, msg string)) (kind, message string) {
	var steps []string
	for {
		se, ok := err.(*stepError)
		if !ok {
			break
		}
		steps = append(steps, se.step)
		err = se.err
	}
	kind, msg := describe(err, t)
	return kind, strings.Join(append(steps, msg), ": ")
}

// Describe is the description of a failure no rule of a helper's took: a failure to connect is
// KindUnreachable ("cannot reach host (dialling connect): …"), anything else KindRegistry with
// its own text.
func (t Target) Describe(err error) (kind, msg string) {
	if reached, ok := unreachable(err); ok {
		via := ""
		if t.Connect != "" {
			via = " (dialling " + t.Connect + ")"
		}
		return KindUnreachable, fmt.Sprintf("cannot reach %s%s: %s", t.Host, via, reached)
	}
	return KindRegistry, err.Error()
}

// unreachable describes a failure to connect: DNS, refused or reset connections, timeouts, TLS,
// or a scheme the transport will not speak to that host (SchemeError).
func unreachable(err error) (string, bool) {
	var dns *net.DNSError
	var op *net.OpError
	var cert *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var record tls.RecordHeaderError
	var scheme *SchemeError
	var ne net.Error
	switch {
	case errors.As(err, &dns):
		return "DNS: " + dns.Error(), true
	case errors.As(err, &cert):
		return "TLS: " + cert.Error(), true
	case errors.As(err, &unknownCA):
		return "TLS: " + unknownCA.Error(), true
	case errors.As(err, &hostname):
		return "TLS: " + hostname.Error(), true
	case errors.As(err, &record):
		return "TLS: " + record.Error() + " (is it plain HTTP?)", true
	case errors.As(err, &op):
		return op.Error(), true
	case errors.As(err, &ne) && ne.Timeout():
		return "timed out: " + ne.Error(), true
	case errors.As(err, &scheme):
		return scheme.Error(), true
	}
	return "", false
}

// Answer is an error answer of a registry or of its token service, as a client library reports
// it.
type Answer struct {
	Status int      // the HTTP status
	Method string   // the request's method; "" when unknown
	URL    *url.URL // the request's URL; nil when unknown
	Detail string   // the error details of the body, on one line; "" when none
}

// String is `401 Unauthorized to GET host/path: details`, without the request's query (an
// upload's state token) or what is unknown.
func (a Answer) String() string {
	s := fmt.Sprintf("%d %s", a.Status, http.StatusText(a.Status))
	switch {
	case a.URL != nil:
		s += " to " + a.Method + " " + a.URL.Host + a.URL.EscapedPath()
	case a.Method != "":
		s += " to " + a.Method
	}
	if a.Detail != "" {
		s += ": " + a.Detail
	}
	return s
}

// FromTokenService tells an answer of the token service (any path outside /v2/) from one of the
// registry.
func (a Answer) FromTokenService() bool {
	return a.URL != nil && !strings.HasPrefix(a.URL.Path, "/v2/")
}

// Words are what a helper's messages call its requests.
type Words struct {
	Request  string // what is asked, in "denied the push"
	Requests string // the same, in "denies anonymous pushes"
	NotFound string // what a 404 says after "<host> has ": "no such repository or manifest"
}

// DescribeAnswer gives an error answer its kind and message: the token service's 400, 401 and
// 403 are its refusal of the credentials given, or its demand for some; the registry's 401 is the
// same, its 403 a denial (or a demand for credentials when none were given), its 404 KindNotFound;
// anything else is KindRegistry.
func (t Target) DescribeAnswer(a Answer, w Words) (kind, msg string) {
	if a.FromTokenService() {
		service := "the token service " + urlWithoutQuery(a.URL) + " of " + t.Host
		switch a.Status {
		case http.StatusUnauthorized, http.StatusForbidden, http.StatusBadRequest:
			if t.Given() {
				return KindCredentialsRefused, fmt.Sprintf("%s refused the credentials from %s (%s)", service, t.Source, a)
			}
			return KindCredentialsRequired, fmt.Sprintf("%s requires credentials and none were given (%s): %s", service, a, CredentialsHint)
		}
		return KindRegistry, fmt.Sprintf("%s failed (%s)", service, a)
	}
	switch a.Status {
	case http.StatusUnauthorized:
		if t.Given() {
			return KindCredentialsRefused, fmt.Sprintf("%s refused the credentials from %s (%s)", t.Host, t.Source, a)
		}
		return KindCredentialsRequired, fmt.Sprintf("%s requires credentials and none were given (%s): %s", t.Host, a, CredentialsHint)
	case http.StatusForbidden:
		if t.Given() {
			return KindDenied, fmt.Sprintf("%s accepted the credentials from %s but denied the %s (%s)", t.Host, t.Source, w.Request, a)
		}
		return KindCredentialsRequired, fmt.Sprintf("%s denies anonymous %s (%s): %s", t.Host, w.Requests, a, CredentialsHint)
	case http.StatusNotFound:
		return KindNotFound, fmt.Sprintf("%s has %s (%s)", t.Host, w.NotFound, a)
	}
	return KindRegistry, fmt.Sprintf("%s answered %s", t.Host, a)
}

// urlWithoutQuery is u without its query, user information and fragment.
func urlWithoutQuery(u *url.URL) string {
	c := *u
	c.RawQuery, c.User, c.Fragment = "", nil, ""
	return c.String()
}

var userinfo = regexp.MustCompile(`://[^/@\s"]+@`)

// Clean makes a message one line (white space folded), without the user information of URLs or
// any of secrets, and at most 2000 bytes (then "…").
func Clean(msg string, secrets []string) string {
	msg = strings.Join(strings.Fields(msg), " ")
	msg = userinfo.ReplaceAllString(msg, "://")
	for _, s := range secrets {
		msg = strings.ReplaceAll(msg, s, "[redacted]")
	}
	if len(msg) > 2000 {
		msg = msg[:2000] + "…"
	}
	return msg
}
