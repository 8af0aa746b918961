package main

import (
	"errors"
	"fmt"
	"strings"

	"goscratch.example/registryaccess"
	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/errcode"
)

// kindInvalidLayout is the kind, in the JSON line on stderr, of a failure of the pusher's inputs;
// the registry's kinds are registryaccess's (credentials-required, credentials-refused, denied,
// not-found, unreachable, registry).
const kindInvalidLayout = "invalid-layout"

// pushWords are what messages call the pusher's requests.
var pushWords = registryaccess.Words{Request: "push", Requests: "pushes", NotFound: "no such repository, or will not create it"}

// classify gives a failure its kind and a one-line, human-readable message.
func classify(err error, t registryaccess.Target) (kind, message string) {
	return registryaccess.Classify(err, t, describe)
}

// describe describes what oras-go and the layout report; the rest is registryaccess's.
func describe(err error, t registryaccess.Target) (string, string) {
	var le *layoutError
	if errors.As(err, &le) {
		return kindInvalidLayout, le.msg
	}
	if errors.Is(err, auth.ErrBasicCredentialNotFound) {
		return registryaccess.KindCredentialsRequired, fmt.Sprintf("%s requires credentials (Basic) and none were given: %s", t.Host, registryaccess.CredentialsHint)
	}
	if strings.Contains(err.Error(), "missing username or password") {
		return registryaccess.KindCredentialsRequired, fmt.Sprintf("%s requires a username and password, which %s does not give", t.Host, orNone(t.Source))
	}
	var er *errcode.ErrorResponse
	if errors.As(err, &er) {
		return describeResponse(er, t)
	}
	return t.Describe(err)
}

func orNone(source string) string {
	if source == "" {
		return "nothing given"
	}
	return source
}

// describeResponse describes an error answer of the registry or of its token service: a redirect
// to another host and content the registry finds not matching its digest or size are the
// pusher's own cases, the rest registryaccess's.
func describeResponse(er *errcode.ErrorResponse, t registryaccess.Target) (string, string) {
	a := registryaccess.Answer{Status: er.StatusCode, Method: er.Method, URL: er.URL}
	if len(er.Errors) > 0 {
		a.Detail = er.Errors.Error()
	}
	if er.URL != nil && strings.HasPrefix(er.URL.Path, "/v2/") && !registryaccess.SameHost(t.Host, er.URL.Host) {
		// A redirect to another host, which gets no credentials.
		return registryaccess.KindRegistry, fmt.Sprintf("%s redirected to %s, which answered %s (credentials are not sent to another host)", t.Host, er.URL.Host, a)
	}
	kind, msg := t.DescribeAnswer(a, pushWords)
	if kind == registryaccess.KindRegistry && !a.FromTokenService() {
		for _, e := range er.Errors {
			if e.Code == errcode.ErrorCodeDigestInvalid || e.Code == errcode.ErrorCodeSizeInvalid {
				return kindInvalidLayout, fmt.Sprintf("%s found content of the layout not matching its digest or size (%s)", t.Host, a)
			}
		}
	}
	return kind, msg
}
