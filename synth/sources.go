package synth

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/scvhq/scv/customer"
)

// homeCountry is every source's default country: the silos belong to a
// British business with customers abroad.
const homeCountry = "GB"

// sourceDef is one generated silo: its file, columns, how a person's
// record becomes a row, and its scv configuration.
type sourceDef struct {
	name, file   string
	header       []string
	idCol        int
	id           func(seq int) string
	weight       float64 // relative chance that a person's record is here
	bothSurnames float64 // chance a Spanish person's record has both surnames
	row          func(g *generator, v *view, vals []string)
	config       string // the source block's body after type and path
}

// sourceDefs returns the four silos: a CRM, a web shop, a support desk and
// a newsletter tool, each with its own columns, formats and habits.
func sourceDefs() []*sourceDef {
	return []*sourceDef{crm(), shop(), support(), newsletter()}
}

func crm() *sourceDef {
	return &sourceDef{
		name: "crm", file: "crm.csv",
		header: []string{"customer_id", "title", "first_name", "last_name", "gender", "email", "mobile", "dob",
			"house_no", "street", "city", "postcode", "country", "modified_at", "loyalty_id"},
		idCol:        0,
		id:           func(n int) string { return "C" + pad(100000+n, 7) },
		weight:       0.75,
		bothSurnames: 0.8,
		row: func(g *generator, v *view, vals []string) {
			p := v.p
			vals[1] = title(g, p)
			vals[2], vals[3] = g.optional(v.given, 0.3), g.optional(v.family, 0.2)
			switch x := g.rng.IntN(10); {
			case x < 5:
				vals[4] = sex(p, "M", "F")
			case x < 8:
				vals[4] = sex(p, "Male", "Female")
			}
			vals[4] = g.optional(vals[4], 1)
			vals[5] = g.email(v, 1)
			vals[6] = g.phone(v, homeCountry, 1.5)
			vals[7] = g.birthDate(v, "dd/mm/yyyy", 2)
			vals[8] = g.optional(v.number, 0.5)
			vals[9] = g.optional(v.street, 0.5)
			vals[10] = g.optional(v.city, 0.5)
			vals[11] = g.optional(v.postcode, 0.5)
			vals[12] = p.h.c.code
			if p.h.c.code == "GB" && g.chance(0.15) {
				vals[12] = "UK"
			}
			vals[12] = g.optional(vals[12], 0.5)
			vals[13] = v.at.Format(time.DateTime)
			if p.loyalty != "" && g.chance(0.9) {
				vals[14] = p.loyalty
			}
		},
		config: `  id              = "customer_id"
  updated_at      = "modified_at"
  trust           = 0.9
  default_country = "GB"
  date_format     = "dd/mm/yyyy"

  map {
    given_name    = "first_name"
    family_name   = "last_name"
    gender        = "gender"
    email         = "email"
    phone         = "mobile"
    date_of_birth = "dob"
    address_line1 = ["house_no", "street"]
    locality      = "city"
    postal_code   = "postcode"
    country       = "country"
  }
  identifiers = { loyalty_id = "loyalty_id" }
  attributes  = { title = "title" }
`,
	}
}

// sex returns male or female as p is.
func sex(p *person, male, female string) string {
	if p.male {
		return male
	}
	return female
}

// title is the salutation a CRM form offers, or nothing.
func title(g *generator, p *person) string {
	if g.chance(0.25) {
		return ""
	}
	if p.male {
		if g.chance(0.05) {
			return "Dr"
		}
		return "Mr"
	}
	return one(g, []string{"Mrs", "Ms", "Miss", "Ms", "Dr"})
}

func shop() *sourceDef {
	return &sourceDef{
		name: "shop", file: "shop.csv",
		header: []string{"order_customer_ref", "Name", "E-mail", "Phone", "Birthday", "address_1", "address_2",
			"zip", "town", "region", "country", "last_order_at", "loyalty_no", "total_spent"},
		idCol: 0,
		// Shop references look random: a multiplier that permutes 10^8.
		id:           func(n int) string { return "WS" + pad(int(uint64(n)*2654435761%100_000_000), 8) },
		weight:       0.6,
		bothSurnames: 0.3,
		row: func(g *generator, v *view, vals []string) {
			p := v.p
			c := p.h.c
			vals[1] = fullName(g, v)
			vals[2] = g.email(v, 0)
			vals[3] = g.phone(v, homeCountry, 1)
			if g.chance(0.6) {
				vals[4] = g.birthDate(v, "iso", 1)
			}
			street := v.street
			if g.chance(0.3) {
				street = v.short
			}
			vals[5] = g.optional(line1(c, v.number, street), 0.3)
			vals[6] = v.flat
			pc := v.postcode
			if c.code == "GB" {
				switch x := g.rng.IntN(10); {
				case x == 0:
					pc = strings.ToLower(pc)
				case x == 1:
					pc = strings.ReplaceAll(pc, " ", "")
				}
			}
			vals[7] = g.optional(pc, 0.5)
			vals[8] = g.optional(v.city, 0.5)
			vals[9] = v.addr.city.region
			vals[10] = customer.CountryName(c.code)
			if g.chance(0.12) {
				vals[10] = one(g, c.aliases)
			}
			vals[11] = v.at.Format(time.RFC3339)
			if p.loyalty != "" && g.chance(0.3) {
				vals[12] = p.loyalty
			}
			vals[13] = strconv.FormatFloat(round2(5+g.rng.ExpFloat64()*180), 'f', 2, 64)
		},
		config: `  id              = "order_customer_ref"
  updated_at      = "last_order_at"
  trust           = 0.7
  default_country = "GB"
  date_format     = "iso"

  map {
    full_name     = "Name"
    email         = "E-mail"
    phone         = "Phone"
    date_of_birth = "Birthday"
    address_line1 = "address_1"
    address_line2 = "address_2"
    postal_code   = "zip"
    locality      = "town"
    region        = "region"
    country       = "country"
  }
  identifiers = { loyalty_id = "loyalty_no" }
  attributes  = { lifetime_value = "total_spent" }
`,
	}
}

// fullName writes v's name in one of the shapes a one-field form gets.
func fullName(g *generator, v *view) string {
	switch x := g.rng.IntN(100); {
	case x < 55:
		return v.given + " " + v.family
	case x < 78:
		return v.family + ", " + v.given
	case x < 83:
		return strings.ToUpper(v.family) + ", " + v.given
	case x < 93 && v.middle != "":
		return v.given + " " + v.middle[:1] + ". " + v.family
	case x < 96:
		return strings.ToLower(v.given + " " + v.family)
	}
	return strings.ToUpper(v.given + " " + v.family)
}

func support() *sourceDef {
	return &sourceDef{
		name: "support", file: "support.csv",
		header: []string{"ticket_contact_id", "contact_name", "contact_email", "contact_phone", "contact_dob",
			"city", "postcode", "country_code", "created", "last_contact", "open_tickets"},
		idCol:        0,
		id:           func(n int) string { return "ZD-" + pad(200000+n, 6) },
		weight:       0.35,
		bothSurnames: 0.5,
		row: func(g *generator, v *view, vals []string) {
			c := v.p.h.c
			switch x := g.rng.IntN(100); {
			case x < 3:
				vals[1] = v.given
			case x < 80:
				vals[1] = v.given + " " + v.family
			case x < 90:
				vals[1] = strings.ToLower(v.given + " " + v.family)
			default:
				vals[1] = strings.ToUpper(v.given + " " + v.family)
			}
			vals[2] = g.email(v, 0.3)
			vals[3] = g.phone(v, homeCountry, 2)
			if g.chance(0.25) {
				// Identity checks ask for the date of birth, and the
				// helpdesk, made in America, stores it month first.
				vals[4] = g.birthDate(v, "mm/dd/yyyy", 0)
			}
			vals[5] = g.optional(v.city, 3)
			vals[6] = g.optional(v.postcode, 6)
			vals[7] = language.MustParseRegion(c.code).ISO3()
			created := v.at.Add(-time.Duration(g.rng.IntN(400*24)) * time.Hour)
			vals[8] = created.Format("2006-01-02T15:04:05Z")
			vals[9] = v.at.Format("2006-01-02T15:04:05Z")
			vals[10] = strconv.Itoa(g.rng.IntN(3))
		},
		config: `  id              = "ticket_contact_id"
  updated_at      = "last_contact"
  trust           = 0.5
  default_country = "GB"
  date_format     = "mm/dd/yyyy"

  map {
    full_name     = "contact_name"
    email         = "contact_email"
    phone         = "contact_phone"
    date_of_birth = "contact_dob"
    locality      = "city"
    postal_code   = "postcode"
    country       = "country_code"
  }
  attributes = { open_tickets = "open_tickets" }
`,
	}
}

func newsletter() *sourceDef {
	return &sourceDef{
		name: "newsletter", file: "newsletter.csv",
		header:       []string{"subscriber_id", "email_address", "given", "surname", "birth_date", "postal_code", "country", "subscribed_at", "consent"},
		idCol:        0,
		id:           func(n int) string { return strconv.Itoa(500000 + n) },
		weight:       0.3,
		bothSurnames: 0.2,
		row: func(g *generator, v *view, vals []string) {
			vals[1] = g.email(v, 0)
			vals[2] = g.optional(v.given, 1)
			vals[3] = g.optional(v.family, 2)
			if g.chance(0.5) {
				vals[4] = g.birthDate(v, "yyyymmdd", 0)
			}
			vals[5] = g.optional(strings.ReplaceAll(v.postcode, " ", ""), 2)
			vals[6] = strings.ToLower(v.p.h.c.code)
			vals[7] = v.at.Format(time.DateOnly)
			vals[8] = one(g, []string{"opt-in", "opt-in", "opt-in", "yes", "opt-out", "no"})
		},
		config: `  id              = "subscriber_id"
  updated_at      = "subscribed_at"
  trust           = 0.4
  default_country = "GB"
  date_format     = "yyyymmdd"

  map {
    given_name    = "given"
    family_name   = "surname"
    email         = "email_address"
    date_of_birth = "birth_date"
    postal_code   = "postal_code"
    country       = "country"
  }
  consent = { email = "consent" }
`,
	}
}

// config returns the scv.hcl for the generated files.
func (g *generator) config() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Generated by scv gen for %d customers, seed %d.\n", g.options.Customers, g.options.Seed)
	b.WriteString("# Ground truth: truth.csv (source,record_id,entity_id).\n\n")
	b.WriteString("data_dir = \"./scv-data\"\n\nserver {\n  listen = \"127.0.0.1:7070\"\n}\n")
	for _, s := range g.srcs {
		fmt.Fprintf(&b, "\nsource %q {\n  type            = \"csv\"\n  path            = %q\n", s.def.name, s.def.file)
		b.WriteString(s.def.config)
		b.WriteString("}\n")
	}
	b.WriteString("\nresolver {\n  match_threshold = 0.9\n}\n")
	return b.Bytes()
}

// pad writes n in decimal, zero-padded to width digits.
func pad(n, width int) string {
	s := strconv.Itoa(n)
	if len(s) >= width {
		return s
	}
	return strings.Repeat("0", width-len(s)) + s
}
