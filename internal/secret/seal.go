package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
)

// sealVersion starts every sealed value, so that the format can change.
const sealVersion = 1

// ErrOpen is returned for a sealed value that was tampered with, sealed
// with another key, or opened with other associated data.
var ErrOpen = errors.New("open sealed value: damaged, or sealed with another key or for another record")

func (k *Key) aead() (cipher.AEAD, error) {
	block, err := aes.NewCipher(k.seal)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// Seal encrypts plaintext with AES-256-GCM and a random nonce, bound to
// ad: the value opens only with the same ad, so a token sealed for one
// subscription cannot be moved to another's row. The result is a version
// byte, the nonce and the ciphertext with its tag.
func (k *Key) Seal(plaintext, ad []byte) ([]byte, error) {
	g, err := k.aead()
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	out := make([]byte, 1+g.NonceSize(), 1+g.NonceSize()+len(plaintext)+g.Overhead())
	out[0] = sealVersion
	rand.Read(out[1:])
	return g.Seal(out, out[1:], plaintext, ad), nil
}

// Open decrypts a value Seal made with the same ad; ErrOpen otherwise.
func (k *Key) Open(sealed, ad []byte) ([]byte, error) {
	g, err := k.aead()
	if err != nil {
		return nil, fmt.Errorf("open: %w", err)
	}
	if len(sealed) < 1+g.NonceSize()+g.Overhead() || sealed[0] != sealVersion {
		return nil, ErrOpen
	}
	nonce, ct := sealed[1:1+g.NonceSize()], sealed[1+g.NonceSize():]
	out, err := g.Open(nil, nonce, ct, ad)
	if err != nil {
		return nil, ErrOpen
	}
	return out, nil
}
