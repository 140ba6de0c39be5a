package customer

import (
	"time"
)

// The date layouts of Options.DateFormat.
const (
	DateISO      = "iso"        // 2006-01-02; also 2006/01/02 and 2006.01.02
	DateYYYYMMDD = "yyyymmdd"   // 20060102
	DateDMY      = "dd/mm/yyyy" // 02/01/2006; also with "-" or "." and one-digit day or month
	DateMDY      = "mm/dd/yyyy" // 01/02/2006; also with "-" or "." and one-digit day or month
)

// defaultEarliest is the earliest date of birth when Options.EarliestDate
// is zero: a customer aged over 126 is flagged.
var defaultEarliest = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)

// NormalizeDate normalizes a date of birth written in opt.DateFormat (in
// any case; an unknown or empty format means DateISO) to ISO 8601
// ("2006-01-02"). A full ISO date is accepted whatever the format, and a time of day after the date ("1980-04-01 00:00:00",
// "1980-04-01T00:00:00Z") is ignored. The date is invalid when it does
// not follow the format, is not a real date (2001-02-31), is after
// opt.Now (zero means now) or before opt.EarliestDate (zero means
// 1900-01-01).
func NormalizeDate(raw string, opt Options) Value {
	raw = trim(raw)
	if missing(raw) {
		return Value{Raw: raw}
	}
	y, m, d, reason := parseDate(raw, opt.DateFormat)
	if reason != "" {
		return invalid(raw, reason)
	}
	if m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return invalid(raw, "not a real date")
	}
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	ny, nm, nd := now.Date()
	if cmpDate(y, m, d, ny, int(nm), nd) > 0 {
		return invalid(raw, "date of birth is in the future")
	}
	earliest := opt.EarliestDate
	if earliest.IsZero() {
		earliest = defaultEarliest
	}
	ey, em, ed := earliest.Date()
	if cmpDate(y, m, d, ey, int(em), ed) < 0 {
		return invalid(raw, "date of birth is before the earliest date "+earliest.Format(time.DateOnly))
	}
	return Value{Raw: raw, Norm: isoDate(raw, y, m, d), Status: Valid}
}

// parseDate reads year, month and day from s in format, or returns why it
// cannot.
func parseDate(s, format string) (y, m, d int, reason string) {
	if len(s) >= 10 && isISO(s[:10]) && (len(s) == 10 || s[10] == 'T' || s[10] == ' ') {
		return num(s[0:4]), num(s[5:7]), num(s[8:10]), ""
	}
	switch format = lowerASCII(format); format {
	case DateYYYYMMDD:
		if len(s) == 8 && allDigits(s) {
			return num(s[0:4]), num(s[4:6]), num(s[6:8]), ""
		}
		return 0, 0, 0, "date is not in the format YYYYMMDD"
	case DateDMY, DateMDY:
		a, b, c, ok := splitDate(s)
		if !ok {
			return 0, 0, 0, "date is not in the format " + upperASCII(format)
		}
		if len(c) != 4 {
			return 0, 0, 0, "date has no four-digit year"
		}
		if format == DateDMY {
			return num(c), num(b), num(a), ""
		}
		return num(c), num(a), num(b), ""
	}
	return 0, 0, 0, "date is not in the format YYYY-MM-DD"
}

// isISO reports whether s is "dddd-dd-dd" with "-", "/" or "." between
// the parts.
func isISO(s string) bool {
	return allDigits(s[0:4]) && allDigits(s[5:7]) && allDigits(s[8:10]) &&
		s[4] == s[7] && (s[4] == '-' || s[4] == '/' || s[4] == '.')
}

// splitDate splits "1/2/2006", "01-02-2006" or "01.02.2006", ignoring a
// time of day after the year, into its three digit runs.
func splitDate(s string) (a, b, c string, ok bool) {
	var parts [3]string
	sep := byte(0)
	for i := range parts {
		j := 0
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == 0 || j > 4 {
			return "", "", "", false
		}
		parts[i], s = s[:j], s[j:]
		if i == 2 {
			break
		}
		if s == "" || s[0] != '/' && s[0] != '-' && s[0] != '.' || sep != 0 && s[0] != sep {
			return "", "", "", false
		}
		sep, s = s[0], s[1:]
	}
	if s != "" && s[0] != ' ' && s[0] != 'T' {
		return "", "", "", false
	}
	if len(parts[0]) > 2 || len(parts[1]) > 2 {
		return "", "", "", false
	}
	return parts[0], parts[1], parts[2], true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// num returns the value of the decimal digits s.
func num(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// cmpDate compares two dates: -1, 0 or +1.
func cmpDate(y1, m1, d1, y2, m2, d2 int) int {
	a, b := y1*10000+m1*100+d1, y2*10000+m2*100+d2
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// isoDate formats y-m-d as "2006-01-02", returning raw itself when it is
// already that.
func isoDate(raw string, y, m, d int) string {
	var b [10]byte
	b[0], b[1], b[2], b[3] = byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10)
	b[4], b[7] = '-', '-'
	b[5], b[6] = byte('0'+m/10), byte('0'+m%10)
	b[8], b[9] = byte('0'+d/10), byte('0'+d%10)
	if raw == string(b[:]) {
		return raw
	}
	return string(b[:])
}
