package customer

// The normal forms of a gender.
const (
	GenderMale   = "male"
	GenderFemale = "female"
	GenderOther  = "other"
)

// NormalizeGender maps the ways sources write a gender to "male",
// "female" or "other": "M", "Male", "man", "Mr" and "H" (homme); "F",
// "Female", "woman", "W", "Mrs", "Ms"; "X", "other", "non-binary", "NB",
// "diverse", "D". "U", "unknown", "prefer not to say" and other
// placeholders are missing; anything else is invalid.
func NormalizeGender(raw string) Value {
	raw = trim(raw)
	if missing(raw) {
		return Value{Raw: raw}
	}
	var buf [32]byte
	switch string(appendFold(buf[:0], raw)) {
	case "m", "male", "man", "mr", "h", "homme", "masculin", "mannlich", "maennlich", "masculino", "boy":
		return Value{Raw: raw, Norm: GenderMale, Status: Valid}
	case "f", "female", "woman", "w", "mrs", "ms", "miss", "femme", "feminin", "weiblich", "femenino", "girl":
		return Value{Raw: raw, Norm: GenderFemale, Status: Valid}
	case "x", "o", "other", "non binary", "nonbinary", "nb", "enby", "diverse", "divers", "d", "genderqueer", "agender", "intersex":
		return Value{Raw: raw, Norm: GenderOther, Status: Valid}
	case "u", "unspecified", "not specified", "prefer not to say", "prefer not to answer", "not stated", "withheld":
		return Value{Raw: raw}
	}
	return invalid(raw, "unrecognized gender")
}
