package customer

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// NormalizeEmail trims an email address, drops a "mailto:" prefix and
// lower-cases the whole address: domains are case-insensitive and so, in
// practice, are the mailboxes of nearly every provider, and customers
// expect "John.Smith@Example.com" and "john.smith@example.com" to be one
// address. Raw keeps the address as written.
//
// An address is invalid unless it has exactly one "@", a local part of
// at most 64 bytes with no spaces, no quotes and no leading, trailing or
// doubled dots, and a domain of at least two labels of letters, digits
// and inner hyphens, ending in an alphabetic top-level domain. Placeholders
// such as "n/a", "none" or "noemail@example.com" are missing, not invalid.
func NormalizeEmail(raw string) Value {
	raw = trim(raw)
	if missing(raw) {
		return Value{Raw: raw}
	}
	s := raw
	if len(s) > 7 && strings.EqualFold(s[:7], "mailto:") {
		s = trim(s[7:])
	}
	n := lowerEmail(s)
	local, domain, ok := strings.Cut(n, "@")
	if !ok {
		return invalid(raw, "email address has no @")
	}
	if strings.Contains(domain, "@") {
		return invalid(raw, "email address has more than one @")
	}
	if isNoEmail(local) {
		return Value{Raw: raw}
	}
	if reason := checkLocal(local); reason != "" {
		return invalid(raw, reason)
	}
	if reason := checkDomain(domain); reason != "" {
		return invalid(raw, reason)
	}
	return Value{Raw: raw, Norm: n, Status: Valid}
}

// lowerEmail lower-cases s and composes it to NFC, returning s itself when
// it is already lower-case ASCII.
func lowerEmail(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return norm.NFC.String(strings.ToLower(strings.ToValidUTF8(s, "\uFFFD")))
		}
	}
	return lowerASCII(s)
}

// isNoEmail reports whether local is the mailbox of a placeholder
// address such as "noemail@example.com".
func isNoEmail(local string) bool {
	switch local {
	case "noemail", "no-email", "no_email", "no.email", "nomail", "no-mail", "none", "null", "unknown", "na", "n/a":
		return true
	}
	return false
}

// checkLocal returns why local is not a valid local part, or "".
func checkLocal(local string) string {
	switch {
	case local == "":
		return "email address has nothing before the @"
	case len(local) > 64:
		return "email local part is longer than 64 bytes"
	case local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, ".."):
		return "email local part has a leading, trailing or doubled dot"
	}
	for _, r := range local {
		if r < utf8.RuneSelf {
			c := byte(r)
			if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte(".!#$%&'*+/=?^_`{|}~-", c) >= 0 {
				continue
			}
			if c == ' ' || c == '\t' {
				return "email address contains a space"
			}
			return "email local part contains " + strconv.QuoteRune(r)
		}
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.M, r) {
			if isBlank(r) {
				return "email address contains a space"
			}
			return "email local part contains " + strconv.QuoteRune(r)
		}
	}
	return ""
}

// checkDomain returns why domain is not a valid email domain, or "".
func checkDomain(domain string) string {
	if domain == "" {
		return "email address has no domain"
	}
	if len(domain) > 253 {
		return "email domain is longer than 253 bytes"
	}
	labels := 0
	last := ""
	for rest := domain; ; {
		label, tail, more := strings.Cut(rest, ".")
		if reason := checkLabel(label); reason != "" {
			return reason
		}
		labels++
		last = label
		if !more {
			break
		}
		rest = tail
	}
	if labels < 2 {
		return "email domain has no top-level domain"
	}
	if strings.HasPrefix(last, "xn--") {
		return ""
	}
	n := 0
	for _, r := range last {
		if !unicode.IsLetter(r) {
			return "email top-level domain " + strconv.Quote(last) + " is not alphabetic"
		}
		n++
	}
	if n < 2 {
		return "email top-level domain " + strconv.Quote(last) + " is shorter than two letters"
	}
	return ""
}

// checkLabel returns why label is not a valid domain label, or "".
func checkLabel(label string) string {
	if label == "" {
		return "email domain has an empty label"
	}
	if len(label) > 63 {
		return "email domain label is longer than 63 bytes"
	}
	if label[0] == '-' || label[len(label)-1] == '-' {
		return "email domain label " + strconv.Quote(label) + " starts or ends with a hyphen"
	}
	for _, r := range label {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-':
		case r == ' ' || isBlank(r):
			return "email address contains a space"
		case r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.M, r)):
		default:
			return "email domain contains " + strconv.QuoteRune(r)
		}
	}
	return ""
}
