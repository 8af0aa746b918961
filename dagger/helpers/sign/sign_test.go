package main

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/sigstore/sigstore/pkg/signature"
	"goscratch.example/registryaccess"
)

// TestSignThenVerify signs an index with a key pair of cosign's GenerateKeyPair through the
// command, then verifies it by tag and by digest, with the wrong key, and after the tag moved.
func TestSignThenVerify(t *testing.T) {
	t.Parallel()
	k := mustKeys(t)
	reg := newTestRegistry(t, "", "")
	dgst := reg.pushIndex(t, "team/service", "v1")
	repo := reg.host + "/team/service"
	predicate := writeFile(t, "provenance.json", testPredicate)
	env := map[string]string{"COSIGN_PASSWORD": testPassword}

	var out SignOutput
	runCmd(t, env, "sign", "-repository", repo, "-digest", dgst, "-key", k.private, "-predicate", predicate, "-public-key", k.public).okJSON(t, &out)
	hex := strings.TrimPrefix(dgst, "sha256:")
	if out.Repository != repo || out.Digest != dgst || !out.Verified || out.PredicateType != "https://slsa.dev/provenance/v1" ||
		out.Signature != repo+":sha256-"+hex+".sig" || out.Attestation != repo+":sha256-"+hex+".att" ||
		!strings.HasPrefix(out.SignatureDigest, "sha256:") || !strings.HasPrefix(out.AttestationDigest, "sha256:") ||
		!strings.HasPrefix(out.KeyID, "sha256:") || out.Signatures != 1 || out.Attestations != 1 {
		t.Fatalf("sign output %+v", out)
	}

	t.Run("verify by tag", func(t *testing.T) {
		var v VerifyOutput
		runCmd(t, nil, "verify", "-reference", repo+":v1", "-public-key", k.public).okJSON(t, &v)
		if v.Reference != repo+":v1" || v.Digest != dgst || v.Signatures != 1 || v.Attestations != 1 || v.KeyID != out.KeyID {
			t.Fatalf("verify output %+v", v)
		}
		p := v.Provenance
		if p.PredicateType != slsaProvenanceV1 || p.Builder != "https://goscratch.example/builder/dagger@v1" ||
			p.BuildType != "https://goscratch.example/buildtypes/dagger-go-scratch/v1" ||
			len(p.Subject) != 1 || p.Subject[0].Name != repo || p.Subject[0].Digest["sha256"] != hex ||
			len(p.ResolvedDependencies) != 2 || p.ResolvedDependencies[0].Digest["gitCommit"] == "" ||
			p.ExternalParameters.(map[string]any)["source"] != "git+https://example.com/service@refs/tags/v1.0.0" ||
			p.Metadata == nil || p.Metadata.InvocationID != "run-42" {
			t.Fatalf("provenance %+v", p)
		}
	})
	t.Run("verify by digest", func(t *testing.T) {
		var v VerifyOutput
		runCmd(t, nil, "verify", "-reference", repo+"@"+dgst, "-public-key", k.public).okJSON(t, &v)
		if v.Digest != dgst || v.Signatures != 1 || v.Attestations != 1 {
			t.Fatalf("verify output %+v", v)
		}
	})
	t.Run("verify through -connect", func(t *testing.T) {
		// The reference names a host nobody listens on; -connect dials the registry.
		var v VerifyOutput
		runCmd(t, nil, "verify", "-reference", "localhost:9/team/service@"+dgst, "-public-key", k.public, "-connect", reg.host).okJSON(t, &v)
		if v.Digest != dgst || v.Signatures != 1 {
			t.Fatalf("verify output %+v", v)
		}
	})
	t.Run("wrong public key", func(t *testing.T) {
		runCmd(t, nil, "verify", "-reference", repo+":v1", "-public-key", otherPublicKey(t)).
			failure(t, kindInvalidSignature, "no signature made with this key for "+dgst, "sha256-"+hex+".sig", "signed with another key")
	})
	t.Run("tag moved", func(t *testing.T) {
		moved := reg.pushIndex(t, "team/service", "v1")
		runCmd(t, nil, "verify", "-reference", repo+":v1", "-public-key", k.public).
			failure(t, kindUnsigned, "no signature made with this key for "+moved, "the tag may have been moved")
		// The signed digest still verifies.
		var v VerifyOutput
		runCmd(t, nil, "verify", "-reference", repo+"@"+dgst, "-public-key", k.public).okJSON(t, &v)
	})
	t.Run("no such tag or digest", func(t *testing.T) {
		runCmd(t, nil, "verify", "-reference", repo+":nope", "-public-key", k.public).failure(t, registryaccess.KindNotFound, "nope")
		missing := "sha256:" + strings.Repeat("0", 64)
		runCmd(t, nil, "verify", "-reference", repo+"@"+missing, "-public-key", k.public).failure(t, registryaccess.KindNotFound, missing)
	})
}

// TestWrongPassword: a wrong COSIGN_PASSWORD fails with kind key before anything is written, and
// no key material or password is printed.
func TestWrongPassword(t *testing.T) {
	t.Parallel()
	k := mustKeys(t)
	reg := newTestRegistry(t, "", "")
	dgst := reg.pushIndex(t, "app", "v1")
	predicate := writeFile(t, "provenance.json", testPredicate)
	wrong := "not the password"
	r := runCmd(t, map[string]string{"COSIGN_PASSWORD": wrong}, "sign", "-repository", reg.host+"/app", "-digest", dgst, "-key", k.private, "-predicate", predicate)
	r.failure(t, kindKey, "the signing key could not be decrypted: wrong --signing-password?")
	r.noSecrets(t, append(pemSecrets(k.privateBytes), wrong, testPassword, "PRIVATE KEY")...)
	runCmd(t, nil, "verify", "-reference", reg.host+"/app:v1", "-public-key", k.public).failure(t, kindUnsigned, "no signature made with this key")
}

// TestBasicAuth signs and verifies against a registry behind Basic authentication with
// REGISTRY_USERNAME/REGISTRY_PASSWORD, and with a Docker config.json; without credentials, or
// with wrong ones, it fails with the right kind and never prints the password. It signs with a
// key pair the real `cosign generate-key-pair` wrote (v2.6.5, COSIGN_PASSWORD=cli-test-password,
// kept in testdata), so that the CLI's key format is proven too: each decryption of a key costs
// seconds of scrypt under -race, so this test does both jobs with one.
func TestBasicAuth(t *testing.T) {
	t.Parallel()
	const key, pub = "testdata/cosign-cli.key", "testdata/cosign-cli.pub"
	reg := newTestRegistry(t, "ci", "s3cret-registry-password")
	dgst := reg.pushIndex(t, "private/app", "v1")
	repo := reg.host + "/private/app"
	predicate := writeFile(t, "provenance.json", testPredicate)
	creds := map[string]string{"REGISTRY_USERNAME": "ci", "REGISTRY_PASSWORD": "s3cret-registry-password", "COSIGN_PASSWORD": "cli-test-password"}

	var out SignOutput
	r := runCmd(t, creds, "sign", "-repository", repo, "-digest", dgst, "-key", key, "-predicate", predicate, "-public-key", pub)
	r.okJSON(t, &out)
	r.noSecrets(t, append(pemSecrets(mustRead(t, key)), "s3cret-registry-password", "cli-test-password")...)
	if !out.Verified || out.Signatures != 1 || out.Attestations != 1 {
		t.Fatalf("sign output %+v", out)
	}
	var v VerifyOutput
	runCmd(t, creds, "verify", "-reference", repo+":v1", "-public-key", pub).okJSON(t, &v)
	if v.Digest != dgst || v.Signatures != 1 || v.Attestations != 1 {
		t.Fatalf("verify output %+v", v)
	}

	config := writeFile(t, "config.json", `{"auths":{"`+reg.host+`":{"auth":"`+base64.StdEncoding.EncodeToString([]byte("ci:s3cret-registry-password"))+`"}}}`)
	runCmd(t, nil, "verify", "-reference", repo+":v1", "-public-key", pub, "-docker-config", config).okJSON(t, &v)

	runCmd(t, nil, "verify", "-reference", repo+":v1", "-public-key", pub).
		failure(t, registryaccess.KindCredentialsRequired, "REGISTRY_USERNAME")
	r = runCmd(t, map[string]string{"REGISTRY_USERNAME": "ci", "REGISTRY_PASSWORD": "wrong-password"}, "verify", "-reference", repo+":v1", "-public-key", pub)
	r.failure(t, registryaccess.KindCredentialsRefused, "REGISTRY_USERNAME/REGISTRY_PASSWORD")
	r.noSecrets(t, "wrong-password", base64.StdEncoding.EncodeToString([]byte("ci:wrong-password")))

	reg.mu.Lock()
	defer reg.mu.Unlock()
	for _, h := range reg.authSeen {
		if h != reg.host {
			t.Errorf("credentials sent to %s", h)
		}
	}
}

// TestSignJob drives the signing job with in-memory keys (no scrypt): signing again adds nothing,
// another key's signature and attestation are kept beside the first's, and each key verifies
// only its own.
func TestSignJob(t *testing.T) {
	t.Parallel()
	reg := newTestRegistry(t, "", "")
	dgst := reg.pushIndex(t, "app", "v1")
	ctx := context.Background()
	d, err := name.NewDigest(reg.host+"/app@"+dgst, nameOptions(reg.host)...)
	if err != nil {
		t.Fatal(err)
	}
	client := newRegistry(ctx, d.Registry, "", registryaccess.Credential{})
	job := func(sv signature.SignerVerifier) *signJob {
		pub, _ := sv.PublicKey()
		id, _ := keyID(pub)
		return &signJob{digest: d, signer: sv, verifier: sv, keyID: id, predicate: []byte(testPredicate), reg: client}
	}
	first, second := memorySigner(t), memorySigner(t)
	for i := 0; i < 2; i++ {
		out, err := job(first).run(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if out.Signatures != 1 || out.Attestations != 1 {
			t.Fatalf("run %d: %+v", i, out)
		}
	}
	out, err := job(second).run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if out.Signatures != 1 || out.Attestations != 1 {
		t.Fatalf("second key: %+v", out)
	}
	for _, tag := range []name.Tag{sigTagName(d), attTagName(d)} {
		img, err := remote.Image(tag)
		if err != nil {
			t.Fatal(err)
		}
		layers, _ := img.Layers()
		if len(layers) != 2 {
			t.Errorf("%s has %d layers, want 2 (one per key)", tag, len(layers))
		}
	}
	if _, err := verifySignatures(ctx, client, d, first, "k", "h"); err != nil {
		t.Errorf("first key no longer verifies: %v", err)
	}

	t.Run("missing digest", func(t *testing.T) {
		missing, _ := name.NewDigest(reg.host+"/app@sha256:"+strings.Repeat("0", 64), nameOptions(reg.host)...)
		j := job(first)
		j.digest = missing
		_, err := j.run(ctx)
		if kind, msg := classify(err, registryaccess.Target{Host: reg.host}); kind != registryaccess.KindNotFound || !strings.Contains(msg, "push the image before signing") {
			t.Fatalf("%s: %s", kind, msg)
		}
	})
	t.Run("predicate without runDetails", func(t *testing.T) {
		j := job(first)
		j.predicate = []byte(`{"buildDefinition":{"buildType":"x","externalParameters":{}}}`)
		_, err := j.run(ctx)
		if kind, msg := classify(err, registryaccess.Target{Host: reg.host}); kind != kindInvalidInput || !strings.Contains(msg, "runDetails") {
			t.Fatalf("%s: %s", kind, msg)
		}
	})
}
