package server

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
)

// Page sizes of AIP-158 list methods.
const (
	defaultPageSize = 50
	maxPageSize     = 1000
)

// pageSize returns the page size a request asks for, or adds a violation.
func pageSize(bad *badRequestError, n int32) int {
	switch {
	case n < 0:
		bad.add("page_size", "must not be negative")
		return 0
	case n == 0:
		return defaultPageSize
	case n > maxPageSize:
		return maxPageSize
	}
	return int(n)
}

// Token kinds: a token of one list method is not valid for another.
const (
	tokenProfiles  byte = 1
	tokenOverrides byte = 2
)

const (
	tokenVersion = 1
	tokenMACLen  = 16
	tokenHashLen = 8
)

// pageTokens issues and checks the opaque page tokens of list methods. A
// token is, in unpadded URL-safe base64: a version byte, the method's
// kind, a hash of the request parameters that must not change between
// pages (the filter), the cursor (the last key of the page), and an
// HMAC-SHA256 of all that under the store's key, cut to 16 bytes. So a
// client can neither forge a cursor nor carry a token to another filter.
type pageTokens struct {
	key []byte
}

// issue returns the token for the page after cursor.
func (p pageTokens) issue(kind byte, params, cursor string) string {
	b := []byte{tokenVersion, kind}
	b = append(b, paramsHash(params)...)
	b = append(b, cursor...)
	b = append(b, p.mac(b)...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// cursor returns the cursor of token, or adds a violation to bad. An
// empty token is the first page, with an empty cursor.
func (p pageTokens) cursor(bad *badRequestError, kind byte, params, token string) (string, bool) {
	if token == "" {
		return "", true
	}
	fail := func(desc string) (string, bool) {
		bad.add("page_token", desc)
		bad.reason = reasonBadPageToken
		return "", false
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	const head = 2 + tokenHashLen
	if err != nil || len(b) < head+tokenMACLen || b[0] != tokenVersion {
		return fail("is not a page token of this server: pass next_page_token back unchanged")
	}
	body, sum := b[:len(b)-tokenMACLen], b[len(b)-tokenMACLen:]
	if !hmac.Equal(sum, p.mac(body)) {
		return fail("is not a page token of this server, or was changed: pass next_page_token back unchanged")
	}
	if body[1] != kind {
		return fail("was issued by another list method")
	}
	if !hmac.Equal(body[2:head], paramsHash(params)) {
		return fail("was issued for another filter: keep the filter of the first page, or start again without a token")
	}
	return string(body[head:]), true
}

func (p pageTokens) mac(b []byte) []byte {
	h := hmac.New(sha256.New, p.key)
	h.Write(b)
	return h.Sum(nil)[:tokenMACLen]
}

func paramsHash(params string) []byte {
	sum := sha256.Sum256([]byte(params))
	return sum[:tokenHashLen]
}

// uintCursor formats a numeric cursor.
func uintCursor(n uint64) string { return fmt.Sprint(n) }
