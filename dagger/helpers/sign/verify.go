package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/in-toto/in-toto-golang/in_toto"
	slsa1 "github.com/in-toto/in-toto-golang/in_toto/slsa_provenance/v1"
	ssldsse "github.com/secure-systems-lab/go-securesystemslib/dsse"
	"github.com/sigstore/cosign/v2/pkg/cosign"
	"github.com/sigstore/cosign/v2/pkg/oci"
	ociremote "github.com/sigstore/cosign/v2/pkg/oci/remote"
	"github.com/sigstore/sigstore/pkg/signature"
	"goscratch.example/registryaccess"
)

// slsaProvenanceV1 is the predicate type of SLSA v1 provenance (cosign's slsaprovenance1).
const slsaProvenanceV1 = slsa1.PredicateSLSAProvenance

// VerifyOutput is the JSON document `sign verify` prints on success.
type VerifyOutput struct {
	Reference    string     `json:"reference"`    // as given with -reference
	Digest       string     `json:"digest"`       // what it resolved to, the digest verified
	KeyID        string     `json:"keyId"`        // sha256:<hex> of the public key's DER
	Signatures   int        `json:"signatures"`   // signatures of the digest that verify with the key
	Attestations int        `json:"attestations"` // SLSA v1 provenance attestations that verify with the key
	Provenance   Provenance `json:"provenance"`   // the newest of those attestations
}

// Provenance is what a verified SLSA v1 provenance attestation says.
type Provenance struct {
	PredicateType        string                     `json:"predicateType"`
	Builder              string                     `json:"builder"` // runDetails.builder.id
	BuildType            string                     `json:"buildType"`
	Subject              []in_toto.Subject          `json:"subject"`
	ExternalParameters   any                        `json:"externalParameters,omitempty"`
	InternalParameters   any                        `json:"internalParameters,omitempty"`
	ResolvedDependencies []slsa1.ResourceDescriptor `json:"resolvedDependencies,omitempty"`
	Metadata             *slsa1.BuildMetadata       `json:"metadata,omitempty"`
}

// verifyJob is a checked `sign verify`.
type verifyJob struct {
	ref      name.Reference
	verifier signature.Verifier
	keyID    string
	reg      *registry
}

// run resolves the reference to a digest and verifies the digest's signatures and SLSA v1
// provenance with the key.
func (j *verifyJob) run(ctx context.Context) (*VerifyOutput, error) {
	// A tag is resolved by the registry; a digest is checked to be there (cosign would take it
	// as it is, and call a missing image unsigned).
	d, err := ociremote.ResolveDigest(j.ref, j.reg.cosign...)
	if byDigest, ok := j.ref.(name.Digest); ok {
		_, err = remote.Head(byDigest, j.reg.remote...)
	}
	var te *transport.Error
	if errors.As(err, &te) && te.StatusCode == http.StatusNotFound {
		return nil, failKind(registryaccess.KindNotFound, "%s: no such tag or manifest in %s", j.ref, j.ref.Context())
	}
	if err != nil {
		return nil, registryaccess.Step(err, "resolving %s", j.ref)
	}
	hint := "the image is unsigned, or was signed with another key"
	if t, ok := j.ref.(name.Tag); ok {
		hint = fmt.Sprintf("the tag may have been moved (%s now names %s) to an image not signed with this key", t.TagStr(), d.DigestStr())
	}
	sigs, err := verifySignatures(ctx, j.reg, d, j.verifier, j.keyID, hint)
	if err != nil {
		return nil, err
	}
	atts, err := verifyProvenance(ctx, j.reg, d, j.verifier, j.keyID, hint)
	if err != nil {
		return nil, err
	}
	p, err := summarize(atts[len(atts)-1].statement)
	if err != nil {
		return nil, registryaccess.Step(err, "reading the provenance of %s", d.DigestStr())
	}
	return &VerifyOutput{Digest: d.DigestStr(), KeyID: j.keyID, Signatures: len(sigs), Attestations: len(atts), Provenance: p}, nil
}

// otherKey is what a signature that does not verify with the key means: the image was signed, by
// another key (the wrong -public-key, or someone else's signature).
const otherKey = "it was signed with another key (check the public key given)"

// checkOpts are cosign's options for key-based verification: the verifier, no transparency log,
// no certificate, no SCT (nothing of sigstore's public services is used), and the registry.
func checkOpts(reg *registry, v signature.Verifier) *cosign.CheckOpts {
	co := &cosign.CheckOpts{SigVerifier: v, IgnoreTlog: true, IgnoreSCT: true, Offline: true}
	if reg != nil {
		co.RegistryClientOpts = reg.cosign
	}
	return co
}

// attestationCheckOpts also check that the statement's subject is the digest, as
// `cosign verify-attestation` does.
func attestationCheckOpts(reg *registry, v signature.Verifier) *cosign.CheckOpts {
	co := checkOpts(reg, v)
	co.ClaimVerifier = cosign.IntotoSubjectClaimVerifier
	return co
}

// verifySignatures returns the signatures at the digest's signature tag that verify with v and
// whose payload names the digest (cosign.VerifyImageSignatures with cosign's SimpleClaimVerifier,
// as `cosign verify --key` does). None is an error of kind unsigned or invalid-signature.
func verifySignatures(ctx context.Context, reg *registry, d name.Digest, v signature.Verifier, keyID, hint string) ([]oci.Signature, error) {
	co := checkOpts(reg, v)
	co.ClaimVerifier = cosign.SimpleClaimVerifier
	sigs, _, err := cosign.VerifyImageSignatures(ctx, d, co)
	var none *cosign.ErrNoSignaturesFound
	var mismatch *cosign.ErrNoMatchingSignatures
	switch {
	case errors.As(err, &none):
		return nil, failKind(kindUnsigned, "no signature made with this key for %s; %s: %s holds no cosign signature", d.DigestStr(), hint, sigTagName(d))
	case errors.As(err, &mismatch):
		return nil, failKind(kindInvalidSignature, "no signature made with this key for %s; %s: the signatures at %s do not verify with the public key %s (%v)", d.DigestStr(), otherKey, sigTagName(d), keyID, err)
	case err != nil:
		return nil, registryaccess.Step(err, "reading the signatures of %s", d.DigestStr())
	}
	return sigs, nil
}

// provenance is a verified attestation: its layer's digest, its in-toto statement and the
// statement's predicate type.
type provenance struct {
	layer         string
	statement     []byte
	predicateType string
}

// verifyProvenance returns the SLSA v1 provenance attestations at the digest's attestation tag
// that verify with v and whose subject is the digest (cosign.VerifyImageAttestation with cosign's
// IntotoSubjectClaimVerifier, as `cosign verify-attestation --type slsaprovenance1 --key` does),
// oldest first. None is an error of kind unsigned or invalid-signature.
func verifyProvenance(ctx context.Context, reg *registry, d name.Digest, v signature.Verifier, keyID, hint string) ([]provenance, error) {
	tag := attTagName(d)
	atts, err := ociremote.Signatures(tag, reg.cosign...)
	if err != nil {
		return nil, registryaccess.Step(err, "reading %s", tag)
	}
	list, err := atts.Get()
	if err != nil {
		return nil, registryaccess.Step(err, "reading %s", tag)
	}
	if len(list) == 0 {
		return nil, failKind(kindUnsigned, "no attestation made with this key for %s; %s: %s holds no attestation", d.DigestStr(), hint, tag)
	}
	all, err := verifiedStatements(ctx, atts, d, attestationCheckOpts(reg, v))
	var mismatch *cosign.ErrNoMatchingAttestations
	if errors.As(err, &mismatch) {
		return nil, failKind(kindInvalidSignature, "no attestation made with this key for %s; %s: the %d attestation(s) at %s do not verify with the public key %s (%v)", d.DigestStr(), otherKey, len(list), tag, keyID, err)
	}
	if err != nil {
		return nil, registryaccess.Step(err, "verifying the attestations of %s", d.DigestStr())
	}
	var out []provenance
	for _, a := range all {
		if a.predicateType == slsaProvenanceV1 {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		return nil, failKind(kindUnsigned, "no SLSA v1 provenance made with this key for %s: the attestations at %s that verify have no predicateType %s", d.DigestStr(), tag, slsaProvenanceV1)
	}
	return out, nil
}

// verifiedStatements verifies the attestations atts with cosign.VerifyImageAttestation and
// returns, in their order, the in-toto statements of those that verify.
func verifiedStatements(ctx context.Context, atts oci.Signatures, d name.Digest, co *cosign.CheckOpts) ([]provenance, error) {
	h, err := v1.NewHash(d.DigestStr())
	if err != nil {
		return nil, err
	}
	checked, _, err := cosign.VerifyImageAttestation(ctx, atts, h, co)
	if err != nil {
		return nil, err
	}
	out := make([]provenance, 0, len(checked))
	for _, a := range checked {
		layer, err := a.Digest()
		if err != nil {
			return nil, err
		}
		st, pt, err := statementOf(a)
		if err != nil {
			return nil, err
		}
		out = append(out, provenance{layer: layer.String(), statement: st, predicateType: pt})
	}
	return out, nil
}

// statementOf is the in-toto statement in an attestation's DSSE envelope, and its predicate type.
func statementOf(att oci.Signature) ([]byte, string, error) {
	payload, err := att.Payload()
	if err != nil {
		return nil, "", err
	}
	var env ssldsse.Envelope
	if err := json.Unmarshal(payload, &env); err != nil {
		return nil, "", fmt.Errorf("the attestation is not a DSSE envelope: %v", err)
	}
	st, err := base64.StdEncoding.DecodeString(env.Payload)
	if err != nil {
		return nil, "", fmt.Errorf("the DSSE payload is not base64: %v", err)
	}
	var h in_toto.StatementHeader
	if err := json.Unmarshal(st, &h); err != nil {
		return nil, "", fmt.Errorf("the DSSE payload is not an in-toto statement: %v", err)
	}
	return st, h.PredicateType, nil
}

// summarize reads a SLSA v1 provenance statement.
func summarize(statement []byte) (Provenance, error) {
	var st in_toto.ProvenanceStatementSLSA1
	if err := json.Unmarshal(statement, &st); err != nil {
		return Provenance{}, fmt.Errorf("not a SLSA v1 provenance statement: %v", err)
	}
	p := Provenance{
		PredicateType:        st.PredicateType,
		Builder:              st.Predicate.RunDetails.Builder.ID,
		BuildType:            st.Predicate.BuildDefinition.BuildType,
		Subject:              st.Subject,
		ExternalParameters:   st.Predicate.BuildDefinition.ExternalParameters,
		InternalParameters:   st.Predicate.BuildDefinition.InternalParameters,
		ResolvedDependencies: st.Predicate.BuildDefinition.ResolvedDependencies,
	}
	if m := st.Predicate.RunDetails.BuildMetadata; m != (slsa1.BuildMetadata{}) {
		p.Metadata = &m
	}
	if p.Subject == nil {
		p.Subject = []in_toto.Subject{}
	}
	return p, nil
}

// sigTagName and attTagName are cosign's tags for the digest's signatures and attestations
// (sha256-<hex>.sig, sha256-<hex>.att) in its repository.
func sigTagName(d name.Digest) name.Tag {
	t, _ := ociremote.SignatureTag(d) // only an unparsable digest fails, and d parsed
	return t
}

func attTagName(d name.Digest) name.Tag {
	t, _ := ociremote.AttestationTag(d)
	return t
}
