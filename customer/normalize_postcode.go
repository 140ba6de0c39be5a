package customer

import (
	"strconv"
	"unicode/utf8"
)

// postcodeDigits is the number of digits of the all-digit postcodes of
// countries whose format is known and written without spaces.
var postcodeDigits = map[string]int{
	"AT": 4, "AU": 4, "BE": 4, "CH": 4, "DK": 4, "NO": 4, "NZ": 4,
	"DE": 5, "ES": 5, "FI": 5, "FR": 5, "IT": 5,
	"IN": 6,
}

// NormalizePostcode normalizes a postcode of country (an ISO 3166-1
// alpha-2 code, or "" when unknown): it upper-cases the postcode and
// spaces it as the country writes it where the format is known, and
// checks it against that format:
//   - GB: outward and inward code, "SW1A 1AA";
//   - US: five digits or ZIP+4, "12345" or "12345-6789";
//   - CA: "K1A 0B1"; NL: "1234 AB"; SE: "114 55";
//   - AU, AT, BE, CH, DK, NO, NZ: four digits; DE, ES, FI, FR, IT: five; IN: six.
//
// Other countries' postcodes are upper-cased with runs of spaces
// collapsed. A postcode may only hold ASCII letters, digits, spaces and
// hyphens.
func NormalizePostcode(raw, country string) Value {
	raw = trim(raw)
	if missing(raw) {
		return Value{Raw: raw}
	}
	var buf [16]byte
	compact := buf[:0]
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c >= '0' && c <= '9', c >= 'A' && c <= 'Z':
		case c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
		case c == ' ' || c == '-':
			continue
		case c == 0xC2 && i+1 < len(raw) && raw[i+1] == 0xA0: // no-break space
			i++
			continue
		default:
			r, _ := utf8.DecodeRuneInString(raw[i:])
			return invalid(raw, "postcode contains "+strconv.QuoteRune(r))
		}
		if len(compact) == cap(compact) {
			return invalid(raw, "postcode is longer than 16 characters")
		}
		compact = append(compact, c)
	}
	if len(compact) == 0 {
		return invalid(raw, "postcode has no letter or digit")
	}
	if len(country) != 2 {
		country, _ = CountryCode(country)
	}
	country = upperASCII(country)
	var out [20]byte
	var norm []byte
	var reason string
	switch country {
	case "GB":
		norm, reason = gbPostcode(out[:0], compact)
	case "US":
		switch {
		case len(compact) == 5 && digitsOnly(compact):
			norm = append(out[:0], compact...)
		case len(compact) == 9 && digitsOnly(compact):
			norm = append(append(append(out[:0], compact[:5]...), '-'), compact[5:]...)
		default:
			reason = "US ZIP code must have 5 or 9 digits"
		}
	case "CA":
		c := compact
		if len(c) == 6 && isUpper(c[0]) && isDigit(c[1]) && isUpper(c[2]) && isDigit(c[3]) && isUpper(c[4]) && isDigit(c[5]) {
			norm = append(append(append(out[:0], c[:3]...), ' '), c[3:]...)
		} else {
			reason = "Canadian postal code must look like A1A 1A1"
		}
	case "NL":
		c := compact
		if len(c) == 6 && digitsOnly(c[:4]) && c[0] != '0' && isUpper(c[4]) && isUpper(c[5]) {
			norm = append(append(append(out[:0], c[:4]...), ' '), c[4:]...)
		} else {
			reason = "Dutch postcode must look like 1234 AB"
		}
	case "SE":
		if len(compact) == 5 && digitsOnly(compact) {
			norm = append(append(append(out[:0], compact[:3]...), ' '), compact[3:]...)
		} else {
			reason = "Swedish postcode must have 5 digits"
		}
	default:
		if n, ok := postcodeDigits[country]; ok {
			if len(compact) == n && digitsOnly(compact) {
				norm = append(out[:0], compact...)
			} else {
				reason = CountryName(country) + " postcode must have " + strconv.Itoa(n) + " digits"
			}
			break
		}
		n := upperASCII(cleanText(raw))
		return Value{Raw: raw, Norm: n, Status: Valid}
	}
	if reason != "" {
		return invalid(raw, reason)
	}
	if string(norm) == raw {
		return Value{Raw: raw, Norm: raw, Status: Valid}
	}
	return Value{Raw: raw, Norm: string(norm), Status: Valid}
}

// gbPostcode spaces a compact British postcode as outward and inward code
// and checks its shape: A9, A99, A9A, AA9, AA99 or AA9A, then 9AA.
func gbPostcode(out, c []byte) ([]byte, string) {
	const reason = "UK postcode must look like SW1A 1AA"
	if string(c) == "GIR0AA" {
		return append(out, "GIR 0AA"...), ""
	}
	if len(c) < 5 || len(c) > 7 {
		return nil, reason
	}
	outward, inward := c[:len(c)-3], c[len(c)-3:]
	if !isDigit(inward[0]) || !isInwardLetter(inward[1]) || !isInwardLetter(inward[2]) {
		return nil, reason
	}
	ok := false
	switch len(outward) {
	case 2: // A9
		ok = isUpper(outward[0]) && isDigit(outward[1])
	case 3: // A99, A9A, AA9
		ok = isUpper(outward[0]) && (isDigit(outward[1]) && (isDigit(outward[2]) || isUpper(outward[2])) ||
			isUpper(outward[1]) && isDigit(outward[2]))
	case 4: // AA99, AA9A
		ok = isUpper(outward[0]) && isUpper(outward[1]) && isDigit(outward[2]) && (isDigit(outward[3]) || isUpper(outward[3]))
	}
	if !ok {
		return nil, reason
	}
	return append(append(append(out, outward...), ' '), inward...), ""
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

// isInwardLetter reports whether c may be a letter of a British inward
// code, which never uses C, I, K, M, O or V.
func isInwardLetter(c byte) bool {
	return isUpper(c) && c != 'C' && c != 'I' && c != 'K' && c != 'M' && c != 'O' && c != 'V'
}

// digitsOnly reports whether b is one or more ASCII digits.
func digitsOnly(b []byte) bool {
	for _, c := range b {
		if !isDigit(c) {
			return false
		}
	}
	return len(b) > 0
}
