package synth

// country describes how people of one country are written down: their
// address style, postcodes, phone numbers and the cultures of their names.
type country struct {
	code    string   // ISO 3166-1 alpha-2
	aliases []string // other ways forms write the country than its name
	weight  float64  // share of customers living there
	dial    string   // country calling code without "+"
	trunk   string   // national trunk prefix, "" when none

	cultures []weighted // name cultures of its residents
	culCum   []float64  // cumulative weights of cultures, set by newGenerator
	cities   []city
	streets  []string // street names without the kind ("High", "Station")
	kinds    []streetKind
	numFirst bool // "12 High Street" rather than "Hauptstraße 12"
	flat     string

	postcode func(g *generator, c *city) string
	mobile   func(g *generator) string // national significant number
	landline func(g *generator, c *city) string
	format   []phoneFormat // national formats of a national significant number
	emails   []weighted    // mail providers
}

// weighted is a name with a relative weight.
type weighted struct {
	name   string
	weight float64
}

// city is a locality with the postcode range and phone area of its
// district.
type city struct {
	name   string
	region string // state, county or land; "" when the country's addresses omit it
	pc     string // postcode prefix (GB outward area) or lowest postcode
	span   int    // number of postcodes (numeric countries) or districts (GB) above pc
	area   string // landline area code without the trunk prefix
}

// streetKind is a kind of street with its abbreviation, such as "Road"
// and "Rd".
type streetKind struct {
	full, short string
	before      bool // "rue de la Paix", "Calle Mayor": the kind comes first
}

// phoneFormat groups the digits of a national significant number: each
// entry is a group length; a trailing remainder forms the last group.
type phoneFormat struct {
	groups []int
	sep    string
	paren  bool // the first group (with the trunk prefix) in parentheses
}

func countries() []*country {
	return []*country{
		{
			code: "GB", aliases: []string{"UK", "England", "Great Britain", "UNITED KINGDOM"},
			weight: 0.55, dial: "44", trunk: "0", numFirst: true, flat: "Flat",
			cultures: []weighted{{"en", 0.82}, {"in", 0.1}, {"fr", 0.02}, {"es", 0.03}, {"de", 0.03}},
			cities: []city{
				{"London", "", "SW", 20, "20"}, {"London", "", "E", 18, "20"}, {"London", "", "N", 22, "20"},
				{"Manchester", "", "M", 40, "161"}, {"Birmingham", "", "B", 40, "121"}, {"Leeds", "", "LS", 29, "113"},
				{"Glasgow", "", "G", 40, "141"}, {"Edinburgh", "", "EH", 17, "131"}, {"Bristol", "", "BS", 16, "117"},
				{"Cardiff", "", "CF", 24, "29"}, {"Liverpool", "", "L", 38, "151"}, {"Sheffield", "", "S", 36, "114"},
				{"Newcastle upon Tyne", "", "NE", 15, "191"}, {"Nottingham", "", "NG", 25, "115"}, {"Leicester", "", "LE", 19, "116"},
				{"Brighton", "", "BN", 3, "1273"}, {"Oxford", "", "OX", 4, "1865"}, {"Cambridge", "", "CB", 5, "1223"},
				{"York", "", "YO", 32, "1904"}, {"Belfast", "", "BT", 17, "28"}, {"Norwich", "", "NR", 14, "1603"},
				{"Exeter", "", "EX", 6, "1392"}, {"Aberdeen", "", "AB", 25, "1224"}, {"Southampton", "", "SO", 19, "23"},
			},
			streets: []string{"High", "Station", "Church", "Victoria", "Park", "Mill", "Main", "Queen's", "King's", "Manor",
				"Green", "New", "School", "London", "Albert", "Windsor", "York", "Springfield", "Grange", "North",
				"Orchard", "Chapel", "Meadow", "Beech", "Oak", "Elm", "Cedar", "Willow", "St John's", "Highfield",
				"Kingsway", "Alexandra", "Stanley", "Richmond", "Cromwell", "Nelson", "Wellington", "Marlborough", "Derwent", "Coniston"},
			kinds: []streetKind{{"Street", "St", false}, {"Road", "Rd", false}, {"Lane", "Ln", false}, {"Avenue", "Ave", false},
				{"Close", "Cl", false}, {"Drive", "Dr", false}, {"Gardens", "Gdns", false}, {"Crescent", "Cres", false}, {"Terrace", "Terr", false}},
			postcode: gbPostcode,
			mobile:   func(g *generator) string { return "7" + string(rune('4'+g.rng.IntN(6))) + g.digits(8) },
			landline: func(g *generator, c *city) string { return c.area + g.digits(10-len(c.area)) },
			format:   []phoneFormat{{groups: []int{5}, sep: " "}, {groups: []int{5, 3}, sep: " "}, {groups: []int{0}}},
			emails: []weighted{{"gmail.com", 30}, {"hotmail.co.uk", 14}, {"yahoo.co.uk", 9}, {"outlook.com", 9}, {"btinternet.com", 7},
				{"icloud.com", 7}, {"sky.com", 5}, {"live.co.uk", 4}, {"aol.com", 2}, {"virginmedia.com", 3}, {"talktalk.net", 2}},
		},
		{
			code: "US", aliases: []string{"USA", "United States of America", "US"},
			weight: 0.12, dial: "1", numFirst: true, flat: "Apt",
			cultures: []weighted{{"en", 0.75}, {"es", 0.17}, {"in", 0.05}, {"de", 0.03}},
			cities: []city{
				{"New York", "NY", "10001", 280, "212"}, {"Los Angeles", "CA", "90001", 90, "213"}, {"Chicago", "IL", "60601", 60, "312"},
				{"Houston", "TX", "77001", 98, "713"}, {"Phoenix", "AZ", "85001", 85, "602"}, {"Seattle", "WA", "98101", 98, "206"},
				{"Boston", "MA", "02108", 30, "617"}, {"Denver", "CO", "80201", 90, "303"}, {"Austin", "TX", "78701", 59, "512"},
				{"San Francisco", "CA", "94102", 40, "415"}, {"Atlanta", "GA", "30301", 60, "404"}, {"Miami", "FL", "33101", 99, "305"},
				{"Portland", "OR", "97201", 40, "503"}, {"Minneapolis", "MN", "55401", 50, "612"},
			},
			streets: []string{"Main", "Oak", "Maple", "Pine", "Cedar", "Elm", "Washington", "Lake", "Hill", "Park",
				"Lincoln", "Jefferson", "Madison", "Franklin", "Sunset", "Highland", "Jackson", "Walnut", "Chestnut", "Ridge"},
			kinds: []streetKind{{"Street", "St", false}, {"Avenue", "Ave", false}, {"Boulevard", "Blvd", false}, {"Road", "Rd", false},
				{"Drive", "Dr", false}, {"Lane", "Ln", false}, {"Court", "Ct", false}, {"Place", "Pl", false}},
			postcode: numericPostcode(5),
			mobile:   func(g *generator) string { return usNumber(g, "") },
			landline: func(g *generator, c *city) string { return usNumber(g, c.area) },
			format:   []phoneFormat{{groups: []int{3, 3}, sep: "-", paren: true}, {groups: []int{3, 3}, sep: "-"}, {groups: []int{3, 3}, sep: "."}},
			emails:   []weighted{{"gmail.com", 40}, {"yahoo.com", 15}, {"hotmail.com", 8}, {"aol.com", 6}, {"outlook.com", 10}, {"icloud.com", 10}, {"comcast.net", 5}},
		},
		{
			code: "AU", aliases: []string{"AUSTRALIA", "AU"},
			weight: 0.07, dial: "61", trunk: "0", numFirst: true, flat: "Unit",
			cultures: []weighted{{"en", 0.88}, {"in", 0.07}, {"es", 0.02}, {"de", 0.03}},
			cities: []city{
				{"Sydney", "NSW", "2000", 234, "2"}, {"Melbourne", "VIC", "3000", 207, "3"}, {"Brisbane", "QLD", "4000", 179, "7"},
				{"Perth", "WA", "6000", 199, "8"}, {"Adelaide", "SA", "5000", 199, "8"}, {"Canberra", "ACT", "2600", 17, "2"},
				{"Hobart", "TAS", "7000", 99, "3"}, {"Darwin", "NT", "0800", 32, "8"},
			},
			streets: []string{"George", "Pitt", "Elizabeth", "Collins", "Flinders", "Queen", "King", "William", "Bourke", "Swanston",
				"Macquarie", "Hunter", "Anzac", "Bridge", "Beach", "Ocean", "Wattle", "Banksia", "Acacia", "Murray"},
			kinds: []streetKind{{"Street", "St", false}, {"Road", "Rd", false}, {"Avenue", "Ave", false}, {"Parade", "Pde", false},
				{"Crescent", "Cres", false}, {"Highway", "Hwy", false}},
			postcode: numericPostcode(4),
			mobile:   func(g *generator) string { return "4" + g.digits(8) },
			landline: func(g *generator, c *city) string { return c.area + g.digits(8) },
			format:   []phoneFormat{{groups: []int{4, 3}, sep: " "}, {groups: []int{2, 4}, sep: " ", paren: true}, {groups: []int{0}}},
			emails:   []weighted{{"gmail.com", 35}, {"bigpond.com", 15}, {"outlook.com.au", 10}, {"hotmail.com", 12}, {"yahoo.com.au", 10}, {"icloud.com", 8}, {"optusnet.com.au", 5}},
		},
		{
			code: "DE", aliases: []string{"Deutschland", "GERMANY"},
			weight: 0.07, dial: "49", trunk: "0", flat: "Whg.",
			cultures: []weighted{{"de", 0.92}, {"en", 0.03}, {"es", 0.02}, {"fr", 0.03}},
			cities: []city{
				{"Berlin", "", "10115", 4084, "30"}, {"Hamburg", "", "20095", 2674, "40"}, {"München", "", "80331", 1598, "89"},
				{"Köln", "", "50667", 482, "221"}, {"Frankfurt am Main", "", "60306", 293, "69"}, {"Stuttgart", "", "70173", 456, "711"},
				{"Düsseldorf", "", "40210", 419, "211"}, {"Leipzig", "", "04103", 254, "341"}, {"Dresden", "", "01067", 260, "351"},
				{"Nürnberg", "", "90402", 89, "911"},
			},
			streets: []string{"Haupt", "Bahnhof", "Schul", "Garten", "Berg", "Kirch", "Linden", "Wald", "Dorf", "Birken",
				"Goethe", "Schiller", "Mozart", "Friedrich", "Rosen", "Ring", "Feld", "Wiesen", "Mühlen", "Am Markt"},
			kinds:    []streetKind{{"straße", "str.", false}, {"weg", "weg", false}, {"gasse", "g.", false}, {"allee", "allee", false}, {"platz", "pl.", false}},
			postcode: numericPostcode(5),
			mobile: func(g *generator) string {
				return "1" + []string{"51", "52", "60", "62", "70", "71", "76"}[g.rng.IntN(7)] + g.digits(7+g.rng.IntN(2))
			},
			landline: func(g *generator, c *city) string { return c.area + g.digits(10-len(c.area)) },
			format:   []phoneFormat{{groups: []int{4}, sep: " "}, {groups: []int{4}, sep: "/"}, {groups: []int{4}, sep: "-"}},
			emails:   []weighted{{"gmx.de", 25}, {"web.de", 25}, {"t-online.de", 15}, {"gmail.com", 25}, {"freenet.de", 5}, {"posteo.de", 3}},
		},
		{
			code: "FR", aliases: []string{"FRANCE", "FR"},
			weight: 0.07, dial: "33", trunk: "0", numFirst: true, flat: "Apt",
			cultures: []weighted{{"fr", 0.92}, {"en", 0.02}, {"es", 0.03}, {"de", 0.03}},
			cities: []city{
				{"Paris", "", "75001", 19, "1"}, {"Marseille", "", "13001", 15, "4"}, {"Lyon", "", "69001", 8, "4"},
				{"Toulouse", "", "31000", 500, "5"}, {"Nice", "", "06000", 300, "4"}, {"Nantes", "", "44000", 300, "2"},
				{"Bordeaux", "", "33000", 800, "5"}, {"Lille", "", "59000", 800, "3"}, {"Strasbourg", "", "67000", 200, "3"},
				{"Montpellier", "", "34000", 90, "4"},
			},
			streets: []string{"de la République", "Victor Hugo", "de la Paix", "du Général de Gaulle", "Jean Jaurès", "Pasteur",
				"de la Gare", "des Écoles", "du Moulin", "de l'Église", "Gambetta", "Voltaire", "des Lilas", "du Château", "Émile Zola", "des Acacias"},
			kinds:    []streetKind{{"rue", "r.", true}, {"avenue", "av.", true}, {"boulevard", "bd", true}, {"place", "pl.", true}, {"allée", "all.", true}, {"impasse", "imp.", true}},
			postcode: numericPostcode(5),
			mobile:   func(g *generator) string { return string(rune('6'+g.rng.IntN(2))) + g.digits(8) },
			landline: func(g *generator, c *city) string { return c.area + g.digits(8) },
			format:   []phoneFormat{{groups: []int{2, 2, 2, 2}, sep: " "}, {groups: []int{2, 2, 2, 2}, sep: "."}, {groups: []int{0}}},
			emails:   []weighted{{"gmail.com", 30}, {"orange.fr", 20}, {"free.fr", 15}, {"laposte.net", 8}, {"sfr.fr", 8}, {"hotmail.fr", 10}, {"wanadoo.fr", 5}},
		},
		{
			code: "ES", aliases: []string{"España", "Espana", "SPAIN"},
			weight: 0.06, dial: "34", flat: "Piso",
			cultures: []weighted{{"es", 0.95}, {"en", 0.02}, {"fr", 0.01}, {"de", 0.02}},
			cities: []city{
				{"Madrid", "", "28001", 54, "91"}, {"Barcelona", "", "08001", 41, "93"}, {"Valencia", "", "46001", 25, "96"},
				{"Sevilla", "", "41001", 19, "95"}, {"Zaragoza", "", "50001", 20, "976"}, {"Málaga", "", "29001", 17, "95"},
				{"Bilbao", "", "48001", 14, "94"}, {"Palma", "", "07001", 15, "971"}, {"Alicante", "", "03001", 15, "96"},
			},
			streets: []string{"Mayor", "Real", "del Sol", "de la Constitución", "de Cervantes", "San Miguel", "de la Iglesia", "Nueva",
				"del Carmen", "de Goya", "Gran Vía", "de Alcalá", "San Juan", "de Colón", "del Mar", "Santa Ana"},
			kinds:    []streetKind{{"Calle", "C/", true}, {"Avenida", "Avda.", true}, {"Plaza", "Pza.", true}, {"Paseo", "Pº", true}, {"Camino", "Cno.", true}},
			postcode: numericPostcode(5),
			mobile:   func(g *generator) string { return string(rune('6'+g.rng.IntN(2))) + g.digits(8) },
			landline: func(g *generator, c *city) string { return c.area + g.digits(9-len(c.area)) },
			format:   []phoneFormat{{groups: []int{3, 3}, sep: " "}, {groups: []int{3, 2, 2}, sep: " "}, {groups: []int{0}}},
			emails:   []weighted{{"gmail.com", 40}, {"hotmail.es", 20}, {"yahoo.es", 10}, {"outlook.es", 10}, {"telefonica.net", 5}, {"icloud.com", 5}},
		},
		{
			code: "IN", aliases: []string{"INDIA", "IN"},
			weight: 0.06, dial: "91", numFirst: true, flat: "Flat",
			cultures: []weighted{{"in", 1}},
			cities: []city{
				{"Mumbai", "MH", "400001", 104, "22"}, {"Delhi", "DL", "110001", 96, "11"}, {"Bengaluru", "KA", "560001", 103, "80"},
				{"Chennai", "TN", "600001", 119, "44"}, {"Kolkata", "WB", "700001", 156, "33"}, {"Hyderabad", "TG", "500001", 96, "40"},
				{"Pune", "MH", "411001", 62, "20"}, {"Ahmedabad", "GJ", "380001", 61, "79"},
			},
			streets: []string{"MG", "Station", "Nehru", "Gandhi", "Link", "Ring", "Temple", "Church", "Market", "Lake",
				"Brigade", "Residency", "Park", "Hill", "Tilak", "Patel"},
			kinds:    []streetKind{{"Road", "Rd", false}, {"Marg", "Marg", false}, {"Street", "St", false}, {"Nagar", "Ngr", false}},
			postcode: numericPostcode(6),
			mobile:   func(g *generator) string { return string(rune('6'+g.rng.IntN(4))) + g.digits(9) },
			landline: func(g *generator, c *city) string { return c.area + g.digits(10-len(c.area)) },
			format:   []phoneFormat{{groups: []int{5}, sep: " "}, {groups: []int{0}}, {groups: []int{3, 3}, sep: "-"}},
			emails:   []weighted{{"gmail.com", 55}, {"yahoo.co.in", 15}, {"rediffmail.com", 10}, {"outlook.com", 10}, {"hotmail.com", 10}},
		},
	}
}

// gbPostcode draws a postcode of the city's area: outward code (area and
// district) and inward code (sector digit and two unit letters).
func gbPostcode(g *generator, c *city) string {
	const unit = "ABDEFGHJLNPQRSTUWXYZ"
	b := make([]byte, 0, 8)
	b = append(b, c.pc...)
	b = appendInt(b, 1+g.rng.IntN(c.span))
	b = append(b, ' ', byte('0'+g.rng.IntN(10)), unit[g.rng.IntN(len(unit))], unit[g.rng.IntN(len(unit))])
	return string(b)
}

// numericPostcode returns a postcode function for countries whose codes
// are n digits: the city's lowest code plus a draw within its span.
func numericPostcode(n int) func(g *generator, c *city) string {
	return func(g *generator, c *city) string {
		v := atoi(c.pc) + g.rng.IntN(c.span+1)
		b := appendInt(make([]byte, 0, n), v)
		for len(b) < n {
			b = append([]byte{'0'}, b...)
		}
		return string(b)
	}
}

// usNumber draws a ten-digit North American number in area (any when
// empty) with a valid exchange.
func usNumber(g *generator, area string) string {
	if area == "" {
		area = []string{"201", "206", "212", "213", "305", "312", "404", "415", "503", "512", "602", "612", "617", "646", "713", "718", "720", "773", "818", "917"}[g.rng.IntN(20)]
	}
	return area + string(rune('2'+g.rng.IntN(8))) + g.digits(6)
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
