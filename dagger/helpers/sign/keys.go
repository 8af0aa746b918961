package main

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"os"
	"strings"

	"github.com/sigstore/cosign/v2/pkg/cosign"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
)

// wrongPassword is the message for a key that does not decrypt with the password given.
const wrongPassword = "the signing key could not be decrypted: wrong --signing-password? (COSIGN_PASSWORD)"

// loadSigner reads a cosign private key (PEM "ENCRYPTED SIGSTORE PRIVATE KEY" or "ENCRYPTED
// COSIGN PRIVATE KEY", as `cosign generate-key-pair` writes it) and decrypts it with password,
// using cosign's own loader. It returns the signer and the strings of the file that must never
// appear in a message. No error says anything of the key's bytes.
func loadSigner(path string, password []byte) (signature.SignerVerifier, []string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, failKind(kindKey, "-key: %v", err)
	}
	secrets := pemSecrets(b)
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, secrets, failKind(kindKey, "-key %s: not a PEM file", path)
	}
	if block.Type != cosign.SigstorePrivateKeyPemType && block.Type != cosign.CosignPrivateKeyPemType {
		return nil, secrets, failKind(kindKey, "-key %s: a PEM %q, not a cosign private key (%q or %q, as cosign generate-key-pair writes)",
			path, block.Type, cosign.SigstorePrivateKeyPemType, cosign.CosignPrivateKeyPemType)
	}
	sv, err := cosign.LoadPrivateKey(b, password, nil)
	if err != nil {
		// cosign says "decrypt: encrypted: decryption failed" for a wrong password.
		if strings.Contains(err.Error(), "decryption failed") {
			return nil, secrets, failKind(kindKey, "-key %s: %s", path, wrongPassword)
		}
		if strings.HasPrefix(err.Error(), "decrypt") {
			return nil, secrets, failKind(kindKey, "-key %s: the signing key could not be decrypted: the file is damaged or not a cosign key", path)
		}
		return nil, secrets, failKind(kindKey, "-key %s: the signing key decrypted but could not be loaded", path)
	}
	return sv, secrets, nil
}

// pemSecrets are the base64 lines of a PEM file: whatever an error might quote of it.
func pemSecrets(b []byte) []string {
	var out []string
	for _, line := range bytes.Split(b, []byte("\n")) {
		l := strings.TrimSpace(string(line))
		if len(l) >= 16 && !strings.HasPrefix(l, "-----") && !strings.Contains(l, ":") {
			out = append(out, l)
		}
	}
	return out
}

// loadVerifier reads a PEM public key (cosign.pub) and makes the verifier cosign's CLI makes of
// it (SHA-256).
func loadVerifier(path string) (signature.Verifier, crypto.PublicKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, failKind(kindKey, "-public-key: %v", err)
	}
	pub, err := cryptoutils.UnmarshalPEMToPublicKey(b)
	if err != nil {
		return nil, nil, failKind(kindKey, "-public-key %s: not a PEM public key: %v", path, err)
	}
	v, err := signature.LoadVerifier(pub, crypto.SHA256)
	if err != nil {
		return nil, nil, failKind(kindKey, "-public-key %s: %v", path, err)
	}
	return v, pub, nil
}

// keyID is the public key's fingerprint: sha256:<hex> of its DER (PKIX SubjectPublicKeyInfo).
func keyID(pub crypto.PublicKey) (string, error) {
	der, err := cryptoutils.MarshalPublicKeyToDER(pub)
	if err != nil {
		return "", failKind(kindKey, "the public key cannot be encoded: %v", err)
	}
	sum := sha256.Sum256(der)
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}
