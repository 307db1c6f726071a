package models

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
)

// PIDHasher turns identity-document numbers into pids: HMAC-SHA256 under a
// secret key, hex-encoded and shortened to 32 characters (128 bits). The same
// key and number always give the same pid; without the key a pid cannot be
// tested against a guessed number.
type PIDHasher struct{ key []byte }

// MinPIDKeyLen is the shortest accepted HMAC key, in bytes.
const MinPIDKeyLen = 16

// NewPIDHasher returns a hasher for key, which must hold at least MinPIDKeyLen bytes.
func NewPIDHasher(key []byte) (*PIDHasher, error) {
	if len(key) < MinPIDKeyLen {
		return nil, errors.New("pid key: need at least 16 bytes")
	}
	return &PIDHasher{key: append([]byte(nil), key...)}, nil
}

// FromIDNumber returns the pid of an identity-document number. The number is
// normalised first (spaces trimmed, letters upper-cased) so that "…x" and "…X"
// agree.
func (h *PIDHasher) FromIDNumber(idNumber string) string {
	return h.sum("id\x00" + strings.ToUpper(strings.TrimSpace(idNumber)))
}

// FromSourceKey returns a deterministic pid for a person known only by a
// source's own key (no identity document).
func (h *PIDHasher) FromSourceKey(source, key string) string {
	return h.sum("src\x00" + source + "\x00" + strings.TrimSpace(key))
}

func (h *PIDHasher) sum(s string) string {
	m := hmac.New(sha256.New, h.key)
	m.Write([]byte(s))
	return hex.EncodeToString(m.Sum(nil))[:32]
}
