package customer

import (
	"strings"
	"time"
)

// Some date layouts of Options.DateFormat; ParseDateFormat reads every
// other layout made of dd, mm and yyyy and a separator.
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
// ("2006-01-02"). A full ISO date (also with "/" or ".") is accepted
// whatever the format, unless the format puts the year first and the day
// before the month ("yyyy.dd.mm"), and a time of day after the date ("1980-04-01 00:00:00",
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
		// Its parts stay as its Norm (see Value.WrittenDate): a typo
		// such as a month of 81 stays comparable with the right date
		// for matching, though never usable. A real date out of range
		// (1900-01-01, 2099-12-31) is more often a placeholder than a
		// typo and keeps nothing.
		v := invalid(raw, "not a real date")
		if m < 100 && d < 100 {
			v.Norm = isoDate("", y, m, d)
		}
		return v
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

// DateLayout is a parsed date format: the order of the day, month and
// year parts and the separator between them.
type DateLayout struct {
	Order [3]byte // 'd', 'm' and 'y' in the order written
	Sep   byte    // '/', '-' or '.'; 0 when the parts are not separated
}

// ParseDateFormat parses a date format made of dd, mm and yyyy (each
// once, in any order, in any case) and one separator ("/", "-" or ".")
// or none: "dd.mm.yyyy", "yyyy/mm/dd", "mm-dd-yyyy", "ddmmyyyy". "iso"
// (and "") means "yyyy-mm-dd".
func ParseDateFormat(format string) (DateLayout, bool) {
	f := lowerASCII(format)
	if f == "" || f == DateISO {
		return DateLayout{Order: [3]byte{'y', 'm', 'd'}, Sep: '-'}, true
	}
	var l DateLayout
	for i := range 3 {
		switch {
		case strings.HasPrefix(f, "yyyy"):
			l.Order[i], f = 'y', f[4:]
		case strings.HasPrefix(f, "mm"):
			l.Order[i], f = 'm', f[2:]
		case strings.HasPrefix(f, "dd"):
			l.Order[i], f = 'd', f[2:]
		default:
			return DateLayout{}, false
		}
		if i == 2 {
			break
		}
		var sep byte
		if f != "" && (f[0] == '/' || f[0] == '-' || f[0] == '.') {
			sep, f = f[0], f[1:]
		}
		if i == 0 {
			l.Sep = sep
		} else if sep != l.Sep {
			return DateLayout{}, false
		}
	}
	o := l.Order
	if f != "" || o[0] == o[1] || o[1] == o[2] || o[0] == o[2] {
		return DateLayout{}, false
	}
	return l, true
}

// GoLayout returns the layout of l for time.Parse, such as "02.01.2006".
func (l DateLayout) GoLayout() string {
	var b []byte
	for i, p := range l.Order {
		if i > 0 && l.Sep != 0 {
			b = append(b, l.Sep)
		}
		switch p {
		case 'y':
			b = append(b, "2006"...)
		case 'm':
			b = append(b, "01"...)
		default:
			b = append(b, "02"...)
		}
	}
	return string(b)
}

// parseDate reads year, month and day from s in format, or returns why it
// cannot.
func parseDate(s, format string) (y, m, d int, reason string) {
	l, ok := ParseDateFormat(format)
	ymd := l.Order == [3]byte{'y', 'm', 'd'}
	if len(s) >= 10 && isISO(s[:10]) && (len(s) == 10 || s[10] == 'T' || s[10] == ' ') && (!ok || ymd || l.Order[0] != 'y') {
		return num(s[0:4]), num(s[5:7]), num(s[8:10]), ""
	}
	if !ok || ymd && l.Sep == '-' {
		return 0, 0, 0, "date is not in the format YYYY-MM-DD"
	}
	want := "date is not in the format " + upperASCII(format)
	var parts [3]string
	if l.Sep == 0 {
		if len(s) != 8 || !allDigits(s) {
			return 0, 0, 0, want
		}
		at := 0
		for i, p := range l.Order {
			n := 2
			if p == 'y' {
				n = 4
			}
			parts[i], at = s[at:at+n], at+n
		}
	} else {
		var ok bool
		if parts[0], parts[1], parts[2], ok = splitDate(s); !ok {
			return 0, 0, 0, want
		}
	}
	for i, p := range l.Order {
		switch {
		case p == 'y' && len(parts[i]) != 4:
			return 0, 0, 0, "date has no four-digit year"
		case p == 'y':
			y = num(parts[i])
		case len(parts[i]) > 2:
			return 0, 0, 0, want
		case p == 'm':
			m = num(parts[i])
		default:
			d = num(parts[i])
		}
	}
	return y, m, d, ""
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
