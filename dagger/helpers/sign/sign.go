package main

import (
	"bytes"
	"context"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"errors"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/sigstore/cosign/v2/pkg/cosign/attestation"
	cremote "github.com/sigstore/cosign/v2/pkg/cosign/remote"
	"github.com/sigstore/cosign/v2/pkg/oci"
	"github.com/sigstore/cosign/v2/pkg/oci/mutate"
	ociremote "github.com/sigstore/cosign/v2/pkg/oci/remote"
	"github.com/sigstore/cosign/v2/pkg/oci/static"
	"github.com/sigstore/cosign/v2/pkg/types"
	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/sigstore/sigstore/pkg/signature/dsse"
	"github.com/sigstore/sigstore/pkg/signature/options"
	sigpayload "github.com/sigstore/sigstore/pkg/signature/payload"
	"goscratch.example/registryaccess"
)

// SignOutput is the JSON document `sign sign` prints on success.
type SignOutput struct {
	Repository        string `json:"repository"`        // as given with -repository
	Digest            string `json:"digest"`            // the image signed
	Signature         string `json:"signature"`         // the signature tag, host/path:sha256-<hex>.sig
	SignatureDigest   string `json:"signatureDigest"`   // the manifest digest that tag holds now
	Attestation       string `json:"attestation"`       // the attestation tag, host/path:sha256-<hex>.att
	AttestationDigest string `json:"attestationDigest"` // the manifest digest that tag holds now
	Verified          bool   `json:"verified"`          // both read back and verified with the public key
	Signatures        int    `json:"signatures"`        // signatures of the digest that verify with the key
	Attestations      int    `json:"attestations"`      // SLSA v1 provenance attestations that verify with the key
	KeyID             string `json:"keyId"`             // sha256:<hex> of the public key's DER
	PredicateType     string `json:"predicateType"`     // https://slsa.dev/provenance/v1
}

// readBack is why a signature just written would not be found or not verify.
const readBack = "the registry did not keep what was written, or answered with other content"

// signJob is a checked `sign sign`: the image, the key, the predicate, the registry.
type signJob struct {
	digest    name.Digest
	signer    signature.SignerVerifier
	verifier  signature.Verifier // the -public-key's, or the signer's own
	keyID     string
	predicate []byte
	reg       *registry
}

// run signs the image, attests its provenance, then reads both back and verifies them.
func (j *signJob) run(ctx context.Context) (*SignOutput, error) {
	se, err := ociremote.SignedEntity(j.digest, j.reg.cosign...)
	var nf *ociremote.EntityNotFoundError
	if errors.As(err, &nf) {
		return nil, failKind(registryaccess.KindNotFound, "%s has no manifest %s: push the image before signing it", j.digest.Repository, j.digest.DigestStr())
	}
	if err != nil {
		return nil, registryaccess.Step(err, "reading %s", j.digest)
	}
	payload, err := j.writeSignature(ctx, se)
	if err != nil {
		return nil, err
	}
	statement, err := j.writeAttestation(ctx, se)
	if err != nil {
		return nil, err
	}

	// Read back: what the registry now holds, verified as `cosign verify` and
	// `cosign verify-attestation` do, must include what was just written.
	sigs, err := verifySignatures(ctx, j.reg, j.digest, j.verifier, j.keyID, readBack)
	if err != nil {
		return nil, registryaccess.Step(err, "verifying the signature read back")
	}
	if !hasPayload(sigs, payload) {
		return nil, failKind(kindInvalidSignature, "verifying the signature read back: the registry's %s holds no signature of this payload that verifies with the public key %s", sigTagName(j.digest), j.keyID)
	}
	atts, err := verifyProvenance(ctx, j.reg, j.digest, j.verifier, j.keyID, readBack)
	if err != nil {
		return nil, registryaccess.Step(err, "verifying the attestation read back")
	}
	if !hasStatement(atts, statement) {
		return nil, failKind(kindInvalidSignature, "verifying the attestation read back: the registry's %s holds no attestation of this statement that verifies with the public key %s", attTagName(j.digest), j.keyID)
	}

	out := &SignOutput{Digest: j.digest.DigestStr(), Verified: true, Signatures: len(sigs), Attestations: len(atts),
		KeyID: j.keyID, PredicateType: slsaProvenanceV1}
	for _, t := range []struct {
		tag          name.Tag
		name, digest *string
	}{{sigTagName(j.digest), &out.Signature, &out.SignatureDigest}, {attTagName(j.digest), &out.Attestation, &out.AttestationDigest}} {
		desc, err := remote.Head(t.tag, j.reg.remote...)
		if err != nil {
			return nil, registryaccess.Step(err, "reading back %s", t.tag)
		}
		*t.name, *t.digest = t.tag.String(), desc.Digest.String()
	}
	return out, nil
}

// writeSignature signs the simple-signing payload of the digest (sigstore's payload.Cosign, as
// `cosign sign` makes it) with the key and writes it to the signature tag, keeping the signatures
// already there; a signature of the same payload by the same key is not added twice (cosign's
// dupe detector). It returns the payload.
func (j *signJob) writeSignature(ctx context.Context, se oci.SignedEntity) ([]byte, error) {
	payload, err := (&sigpayload.Cosign{Image: j.digest}).MarshalJSON()
	if err != nil {
		return nil, registryaccess.Step(err, "making the signature payload")
	}
	raw, err := j.signer.SignMessage(bytes.NewReader(payload), options.WithContext(ctx))
	if err != nil {
		return nil, failKind(kindKey, "signing the payload: %v", err)
	}
	sig, err := static.NewSignature(payload, base64.StdEncoding.EncodeToString(raw))
	if err != nil {
		return nil, registryaccess.Step(err, "making the signature layer")
	}
	signed, err := mutate.AttachSignatureToEntity(se, sig, mutate.WithDupeDetector(cremote.NewDupeDetector(j.signer)))
	if err != nil {
		return nil, registryaccess.Step(err, "attaching the signature")
	}
	if err := ociremote.WriteSignatures(j.digest.Repository, signed, j.reg.cosign...); err != nil {
		return nil, registryaccess.Step(err, "writing %s", sigTagName(j.digest))
	}
	return payload, nil
}

// writeAttestation wraps the predicate into an in-toto statement about the digest (cosign's
// attestation.GenerateStatement, type slsaprovenance1), signs it into a DSSE envelope (sigstore's
// dsse.WrapSigner) and writes it to the attestation tag as `cosign attest` does. An earlier SLSA
// v1 attestation of the same key is replaced (cosign attest --replace, limited to this key), so
// signing a reproducible image again leaves one. It returns the statement.
func (j *signJob) writeAttestation(ctx context.Context, se oci.SignedEntity) ([]byte, error) {
	st, err := attestation.GenerateStatement(attestation.GenerateOpts{
		Predicate: bytes.NewReader(j.predicate),
		Type:      "slsaprovenance1",
		Digest:    j.digest.DigestStr()[len("sha256:"):],
		Repo:      j.digest.Repository.String(),
	})
	if err != nil {
		return nil, invalid("-predicate: %v", err)
	}
	statement, err := json.Marshal(st)
	if err != nil {
		return nil, registryaccess.Step(err, "encoding the statement")
	}
	envelope, err := dsse.WrapSigner(j.signer, types.IntotoPayloadType).SignMessage(bytes.NewReader(statement), options.WithContext(ctx))
	if err != nil {
		return nil, failKind(kindKey, "signing the statement: %v", err)
	}
	att, err := static.NewAttestation(envelope,
		static.WithLayerMediaType(types.DssePayloadType),
		static.WithAnnotations(map[string]string{"predicateType": slsaProvenanceV1}))
	if err != nil {
		return nil, registryaccess.Step(err, "making the attestation layer")
	}
	attested, err := mutate.AttachAttestationToEntity(se, att,
		mutate.WithReplaceOp(&replaceOwn{digest: j.digest, verifier: j.signer}))
	if err != nil {
		return nil, registryaccess.Step(err, "attaching the attestation")
	}
	if err := ociremote.WriteAttestations(j.digest.Repository, attested, j.reg.cosign...); err != nil {
		return nil, registryaccess.Step(err, "writing %s", attTagName(j.digest))
	}
	return statement, nil
}

// replaceOwn is a mutate.ReplaceOp: the attestations already there, less the SLSA v1 provenance
// ones this key made for this digest, then the new one.
type replaceOwn struct {
	digest   name.Digest
	verifier signature.Verifier
}

func (r *replaceOwn) Replace(base oci.Signatures, add oci.Signature) (oci.Signatures, error) {
	list, err := base.Get()
	if err != nil {
		return nil, err
	}
	drop := map[string]bool{}
	if len(list) > 0 {
		// An error is none verifying: none is ours, all are kept.
		own, _ := verifiedStatements(context.Background(), base, r.digest, attestationCheckOpts(nil, r.verifier))
		for _, a := range own {
			if a.predicateType == slsaProvenanceV1 {
				drop[a.layer] = true
			}
		}
	}
	kept := make([]oci.Signature, 0, len(list)+1)
	for _, s := range list {
		if d, err := s.Digest(); err == nil && drop[d.String()] {
			continue
		}
		kept = append(kept, s)
	}
	return &signatureList{Signatures: base, list: append(kept, add)}, nil
}

// signatureList is an oci.Signatures whose Get answers list.
type signatureList struct {
	oci.Signatures
	list []oci.Signature
}

func (s *signatureList) Get() ([]oci.Signature, error) { return s.list, nil }

// hasPayload tells whether one of sigs signs payload.
func hasPayload(sigs []oci.Signature, payload []byte) bool {
	for _, s := range sigs {
		if p, err := s.Payload(); err == nil && bytes.Equal(p, payload) {
			return true
		}
	}
	return false
}

// hasStatement tells whether one of atts carries statement.
func hasStatement(atts []provenance, statement []byte) bool {
	for _, a := range atts {
		if bytes.Equal(a.statement, statement) {
			return true
		}
	}
	return false
}

// sameKey checks that the -public-key is the signing key's: signing with one key to verify with
// another would publish signatures nobody can check.
func sameKey(signer signature.SignerVerifier, pub crypto.PublicKey) error {
	own, err := signer.PublicKey()
	if err != nil {
		return failKind(kindKey, "the signing key has no public key: %v", err)
	}
	a, err := keyID(own)
	if err != nil {
		return err
	}
	b, err := keyID(pub)
	if err != nil {
		return err
	}
	if a != b {
		return failKind(kindKey, "-public-key (keyId %s) is not the public key of -key (keyId %s): nothing was signed", b, a)
	}
	return nil
}
