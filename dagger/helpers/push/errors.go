package main

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

	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/errcode"
)

// The kinds of failure, in the JSON line on stderr.
const (
	kindCredentialsRequired = "credentials-required"
	kindCredentialsRefused  = "credentials-refused"
	kindDenied              = "denied"
	kindNotFound            = "not-found"
	kindUnreachable         = "unreachable"
	kindInvalidLayout       = "invalid-layout"
	kindRegistry            = "registry"
)

// stepError says which step of the push failed.
type stepError struct {
	step string
	err  error
}

func (e *stepError) Error() string { return e.step + ": " + e.err.Error() }
func (e *stepError) Unwrap() error { return e.err }

func step(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return &stepError{fmt.Sprintf(format, args...), err}
}

// target is what a failure is described against.
type target struct {
	host    string // the registry's host[:port], as in -repository
	connect string // -connect, or ""
	source  string // where the credentials came from; "" when none were given
}

// classify gives a failure its kind and a one-line, human-readable message.
func classify(err error, t target) (kind, message string) {
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

func describe(err error, t target) (string, string) {
	given := t.source != ""
	var le *layoutError
	if errors.As(err, &le) {
		return kindInvalidLayout, le.msg
	}
	if errors.Is(err, auth.ErrBasicCredentialNotFound) {
		return kindCredentialsRequired, fmt.Sprintf("%s requires credentials (Basic) and none were given: set REGISTRY_USERNAME and REGISTRY_PASSWORD, or pass -docker-config", t.host)
	}
	if strings.Contains(err.Error(), "missing username or password") {
		return kindCredentialsRequired, fmt.Sprintf("%s requires a username and password, which %s does not give", t.host, orNone(t.source))
	}
	var er *errcode.ErrorResponse
	if errors.As(err, &er) {
		return describeResponse(er, t, given)
	}
	if reached, ok := unreachable(err); ok {
		via := ""
		if t.connect != "" {
			via = " (dialling " + t.connect + ")"
		}
		return kindUnreachable, fmt.Sprintf("cannot reach %s%s: %s", t.host, via, reached)
	}
	return kindRegistry, err.Error()
}

func orNone(source string) string {
	if source == "" {
		return "nothing given"
	}
	return source
}

// describeResponse describes an error answer of the registry or of its token service.
func describeResponse(er *errcode.ErrorResponse, t target, given bool) (string, string) {
	answer := fmt.Sprintf("%d %s to %s", er.StatusCode, http.StatusText(er.StatusCode), requestLine(er.Method, er.URL))
	if len(er.Errors) > 0 {
		answer += ": " + er.Errors.Error()
	}
	if er.URL != nil && strings.HasPrefix(er.URL.Path, "/v2/") && !strings.EqualFold(er.URL.Host, t.host) {
		// A redirect to another host, which gets no credentials.
		return kindRegistry, fmt.Sprintf("%s redirected to %s, which answered %s (credentials are not sent to another host)", t.host, er.URL.Host, answer)
	}
	if er.URL != nil && !strings.HasPrefix(er.URL.Path, "/v2/") {
		service := "the token service " + urlWithoutQuery(er.URL) + " of " + t.host
		switch er.StatusCode {
		case http.StatusUnauthorized, http.StatusForbidden, http.StatusBadRequest:
			if given {
				return kindCredentialsRefused, fmt.Sprintf("%s refused the credentials from %s (%s)", service, t.source, answer)
			}
			return kindCredentialsRequired, fmt.Sprintf("%s requires credentials and none were given (%s): set REGISTRY_USERNAME and REGISTRY_PASSWORD, or pass -docker-config", service, answer)
		}
		return kindRegistry, fmt.Sprintf("%s failed (%s)", service, answer)
	}
	switch er.StatusCode {
	case http.StatusUnauthorized:
		if given {
			return kindCredentialsRefused, fmt.Sprintf("%s refused the credentials from %s (%s)", t.host, t.source, answer)
		}
		return kindCredentialsRequired, fmt.Sprintf("%s requires credentials and none were given (%s): set REGISTRY_USERNAME and REGISTRY_PASSWORD, or pass -docker-config", t.host, answer)
	case http.StatusForbidden:
		if given {
			return kindDenied, fmt.Sprintf("%s accepted the credentials from %s but denied the push (%s)", t.host, t.source, answer)
		}
		return kindCredentialsRequired, fmt.Sprintf("%s denies anonymous pushes (%s): set REGISTRY_USERNAME and REGISTRY_PASSWORD, or pass -docker-config", t.host, answer)
	case http.StatusNotFound:
		return kindNotFound, fmt.Sprintf("%s has no such repository, or will not create it (%s)", t.host, answer)
	}
	for _, e := range er.Errors {
		if e.Code == errcode.ErrorCodeDigestInvalid || e.Code == errcode.ErrorCodeSizeInvalid {
			return kindInvalidLayout, fmt.Sprintf("%s found content of the layout not matching its digest or size (%s)", t.host, answer)
		}
	}
	return kindRegistry, fmt.Sprintf("%s answered %s", t.host, answer)
}

// requestLine is `METHOD host/path`, without the query (an upload's state token).
func requestLine(method string, u *url.URL) string {
	if u == nil {
		return method
	}
	return method + " " + u.Host + u.EscapedPath()
}

func urlWithoutQuery(u *url.URL) string {
	c := *u
	c.RawQuery, c.User, c.Fragment = "", nil, ""
	return c.String()
}

// unreachable describes a failure to connect: DNS, refused or reset connections, timeouts, TLS.
func unreachable(err error) (string, bool) {
	var dns *net.DNSError
	var op *net.OpError
	var cert *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var record tls.RecordHeaderError
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
	}
	return "", false
}

var userinfo = regexp.MustCompile(`://[^/@\s"]+@`)

// clean makes a message one line and free of the secrets given.
func clean(msg string, secrets []string) string {
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
