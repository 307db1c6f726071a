// Package auth defines riskgraph's API roles and API keys: how a key is
// generated, how it is hashed for storage, and which roles may do what.
//
// A key is "rgk_<id>_<secret>": id is 8 random bytes in hex (public: it
// names the key in listings and the audit log), secret 32 random bytes in
// base64url. Only the hex SHA-256 of the whole key is stored; the key is
// shown once, when it is created.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"riskgraph/models"
)

// Role is what a key may do.
type Role string

// Roles.
const (
	// Dashboard reads scores, rankings and statistics; persons' names are masked.
	Dashboard Role = "dashboard"
	// Inspector reads full profiles, networks and paths.
	Inspector Role = "inspector"
	// Writer ingests data.
	Writer Role = "writer"
	// Checker is an approving officer in another department: it runs and
	// reads credit checks (with the evidence records they cite), and sees
	// no networks, persons' profiles or rankings.
	Checker Role = "checker"
	// Admin does everything, including keys, engine runs and the audit log.
	Admin Role = "admin"
)

// Roles lists every role.
var Roles = []Role{Dashboard, Inspector, Writer, Checker, Admin}

// ParseRole accepts a role name in any case.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if strings.EqualFold(strings.TrimSpace(s), string(r)) {
			return r, nil
		}
	}
	return "", fmt.Errorf("unknown role %q: use dashboard, inspector, writer, checker or admin", s)
}

// Masked reports whether answers to r hide persons' names.
func (r Role) Masked() bool { return r == Dashboard }

// In reports whether r is one of roles; admin is in every set.
func (r Role) In(roles []Role) bool {
	if r == Admin {
		return true
	}
	for _, x := range roles {
		if x == r {
			return true
		}
	}
	return false
}

const prefix = "rgk_"

// NewKey returns a new key and its public id.
func NewKey() (key, id string, err error) {
	var idb [8]byte
	var secret [32]byte
	if _, err := rand.Read(idb[:]); err != nil {
		return "", "", err
	}
	if _, err := rand.Read(secret[:]); err != nil {
		return "", "", err
	}
	id = hex.EncodeToString(idb[:])
	return prefix + id + "_" + base64.RawURLEncoding.EncodeToString(secret[:]), id, nil
}

// Hash returns the stored form of a key: hex SHA-256.
func Hash(key string) string { return Digest(key).Hex() }

// KeyDigest is the SHA-256 of a key: its stored form before hex encoding,
// comparable and usable as a map key without allocating.
type KeyDigest [sha256.Size]byte

// Digest returns the key's digest (Hash is its Hex).
func Digest(key string) KeyDigest { return sha256.Sum256([]byte(key)) }

// Hex is the stored form of the key the digest is of (Hash).
func (d KeyDigest) Hex() string { return hex.EncodeToString(d[:]) }

// WellFormed reports whether key has the shape NewKey gives, so that
// garbage is refused before any store look-up.
func WellFormed(key string) bool {
	rest, ok := strings.CutPrefix(key, prefix)
	if !ok || len(rest) != 16+1+43 || rest[16] != '_' {
		return false
	}
	if _, err := hex.DecodeString(rest[:16]); err != nil {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(rest[17:])
	return err == nil
}

// MaskName hides a person's name but its first character: "王小明" → "王*".
// One star whatever the length, so the mask says nothing about the rest of
// the name (not even how long it is).
// It is models.MaskName, the one rule the typed masking uses too.
func MaskName(name string) string { return models.MaskName(name) }
