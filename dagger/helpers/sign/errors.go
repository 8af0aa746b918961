package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"goscratch.example/registryaccess"
)

// The signer's own kinds of failure, in the JSON line on stderr; the registry's kinds are
// registryaccess's (unreachable, credentials-required, credentials-refused, denied, not-found,
// registry).
const (
	kindInvalidInput     = "invalid-input"     // a flag, a file or an environment variable is unusable
	kindKey              = "key"               // a key cannot be read, decrypted or used
	kindUnsigned         = "unsigned"          // no signature or attestation at all for the digest
	kindInvalidSignature = "invalid-signature" // signatures or attestations exist, none verifies with the key
)

// kindError is a failure whose kind is already known, with its message.
type kindError struct {
	kind string
	msg  string
}

func (e *kindError) Error() string { return e.msg }

func failKind(kind, format string, args ...any) error {
	return &kindError{kind: kind, msg: fmt.Sprintf(format, args...)}
}

func invalid(format string, args ...any) error { return failKind(kindInvalidInput, format, args...) }

// signWords are what messages call the signer's requests.
var signWords = registryaccess.Words{Request: "request", Requests: "requests", NotFound: "no such repository or manifest"}

// classify gives a failure its kind and a one-line, human-readable message: the steps
// (registryaccess.Step), outermost first, then what went wrong.
func classify(err error, t registryaccess.Target) (kind, message string) {
	return registryaccess.Classify(err, t, describe)
}

// describe describes a failure of a known kind and an error answer as go-containerregistry
// reports it; the rest is registryaccess's.
func describe(err error, t registryaccess.Target) (string, string) {
	var ke *kindError
	if errors.As(err, &ke) {
		return ke.kind, ke.msg
	}
	var te *transport.Error
	if errors.As(err, &te) {
		return t.DescribeAnswer(answerOf(te), signWords)
	}
	return t.Describe(err)
}

// answerOf is go-containerregistry's error answer of the registry or of its token service.
func answerOf(te *transport.Error) registryaccess.Answer {
	a := registryaccess.Answer{Status: te.StatusCode}
	if te.Request != nil && te.Request.URL != nil {
		a.Method, a.URL = te.Request.Method, te.Request.URL
	}
	var ds []string
	for _, d := range te.Errors {
		ds = append(ds, strings.TrimSpace(string(d.Code)+" "+d.Message))
	}
	a.Detail = strings.Join(ds, "; ")
	return a
}
