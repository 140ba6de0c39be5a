package resolver

import (
	"slices"
	"strings"
	"sync"
)

// nicknameGroups lists given names that people use for one another: each
// line is one group of a formal name and its usual short forms and
// variants. A name may sit in several groups ("alex", "sam", "chris").
const nicknameGroups = `
abigail abby abbie gail
albert al bert bertie
alexander alex alec alexis sandy xander lex
alexandra alex alexa sandra sandy lexi
alfred alf alfie fred
andrew andy drew
angela angie
anthony tony ant
annabelle anna bella belle annie
anne ann anna annie nan nancy hannah
arthur art artie
barbara barb barbie babs
benjamin ben benny benji
bradley brad
bridget bridie biddy
callum cal
cameron cam
caroline carol carrie lina
catherine katherine kathryn catharine kate katie kathy cathy kat kitty cath
charles charlie chas chuck chaz
charlotte charlie lottie lotte
christina christine chris tina chrissy kristina kristine
christopher chris kit topher
cynthia cindy
daniel dan danny dani
danielle dani
david dave davey davy
deborah debra deb debbie
dennis denny
donald don donnie
dorothy dot dottie dolly
douglas doug
edward ed eddie ted teddy ned
eleanor elinor ellie nell nora
elizabeth elisabeth liz lizzie beth betty bess eliza elsie libby lisa
emily em emmy millie
eugene gene
frances fran frankie
francis frank frankie
frederick frederic fred freddie freddy
gabrielle gabriella gabby gabi
geoffrey jeffrey geoff jeff
georgia georgina georgie gina
gerald gerry jerry
gregory greg
harold harry hal
henry harry hank hal
isabella isabelle isabel izzy bella isa
jacob jake
jacqueline jackie jacqui
james jim jimmy jamie
jennifer jen jenny
jessica jess jessie
joanne joanna jo
john jack johnny jon
jonathan jon jonny nathan
joseph joe joey
josephine jo josie
joshua josh
katrina kate kat trina
kenneth ken kenny
kimberley kimberly kim
lachlan lachie lockie
lawrence laurence larry laurie
leonard len lenny leo
louis lou louie
madeline madeleine madelyn maddie maddy
margaret maggie meg peggy marge madge greta
matthew matt matty
maxwell max
maximilian max
melissa mel missy
michael mike mick mickey mikey
mitchell mitch
natalie nat
nathaniel nathan nate nat
nicholas nicolas nick nicky nic nico
oliver ollie
olivia liv livvy
pamela pam
patricia pat patty trish tricia
patrick pat paddy
peter pete
philip phillip phil pip
raymond ray
rebecca becky becca
richard rick dick rich richie ricky
robert rob bob bobby robbie bert
ronald ron ronnie
russell russ
samantha sam sammy
samuel sam sammy
sandra sandy
sophia sophie soph
stanley stan
stephanie steph
stephen steven steve stevie
susan sue susie suzy suzanne
theodore ted teddy theo
theresa teresa terry tess tessa tere
thomas tom tommy
timothy tim timmy
valerie val
victoria vicky vicki tori
vincent vince
walter walt wally
william will bill billy willy liam
zachary zach zack
aleksandra ola
alessandro sandro ale
alejandro alex ale
alberto beto
amanda mandy
amelia millie amy
antonio toni tono
beatriz bea
brigitte gitte
concepcion concha conchi
dolores lola
enrique quique
fernando nando
florence flo florrie
florian flo
francesca fra
francisca paca paqui
francisco paco curro pancho
franziska franzi
friedrich fritz
gabriela gaby
gabriele gabi
gillian gill jill
giuseppe beppe peppe
guadalupe lupe
guillermo memo
harriet hattie
heinrich heinz
hildegard hilde
ignacio nacho
imogen immy
jasmine jas jazz
javier javi
jesus chuy
joaquin quino
johanna hanna hanne
johannes hans
jose pepe
josefa pepa
judith judy jude
katarzyna kasia
katharina kathi katja
kevin kev
lieselotte liselotte lilo
louise lou lulu
lucas luke
manuel manolo manu
maria mari
martin marty
matilda tilly tilda
maxime max
megan meg
mercedes merche
michelle shelley
nicola nicky nikki
pilar pili
rafael rafa
rosario charo
santiago santi
sebastian sebastien basti seb
stefanie steffi
stuart stewart stu
susanne susi
terence terry
tobias tobi
ursula uschi
vikram vicky vik
wolfgang wolf
`

// maxNickGroups is how many nickname groups a given name keeps.
const maxNickGroups = 3

// nicknames maps a folded given name to the nickname groups it belongs
// to, and finds the groups of a name one typo away from a listed one.
type nicknames struct {
	exact map[string][maxNickGroups]uint16
	// deletes maps every listed name, and every string that one deleted
	// byte makes of it, to the listed names it comes from: two names are
	// within one edit when they or one-byte deletions of them meet here
	// (the symmetric-delete method), so a look-up costs a few map reads
	// rather than a scan of the table.
	deletes map[string][]string
}

// minTypoName is the shortest given name whose typo is looked up in the
// nickname table (and the shortest listed name it may be taken for), and
// shortSub the length under which only a missing or
// an extra letter counts as a typo: a changed letter of a short name
// makes another name ("zed", "ted") more often than a typo of it.
const (
	minTypoName = 3
	shortSub    = 5
)

// groups returns the nickname groups of the folded given name: its own
// when the table lists it, else those of the listed names one edit away
// (a short form with a typo, "bil" for "bill"; see shortSub).
func (nn nicknames) groups(name string) [maxNickGroups]uint16 {
	if g, ok := nn.exact[name]; ok || len(name) < minTypoName {
		return g
	}
	var out [maxNickGroups]uint16
	n := 0
	add := func(listed string) {
		if len(listed) < minTypoName || !withinOneEdit(name, listed) || (len(name) < shortSub && len(name) == len(listed)) {
			return
		}
		for _, x := range nn.exact[listed] {
			if x == 0 || n == len(out) {
				return
			}
			if !slices.Contains(out[:n], x) {
				out[n] = x
				n++
			}
		}
	}
	var buf [maxCompare]byte
	for i := -1; i < len(name) && i < maxCompare; i++ {
		key := name
		if i >= 0 {
			key = string(append(append(buf[:0], name[:i]...), name[i+1:]...))
		}
		for _, listed := range nn.deletes[key] {
			add(listed)
		}
	}
	return out
}

// nicknameTable returns the nickname groups, parsed once; the table is
// read-only and shared.
var nicknameTable = sync.OnceValue(newNicknames)

// newNicknames parses nicknameGroups.
func newNicknames() nicknames {
	nn := nicknames{exact: make(map[string][maxNickGroups]uint16), deletes: make(map[string][]string)}
	group := uint16(0)
	for line := range strings.SplitSeq(nicknameGroups, "\n") {
		names := strings.Fields(line)
		if len(names) == 0 {
			continue
		}
		group++
		for _, name := range names {
			gs := nn.exact[name]
			for i := range gs {
				if gs[i] == 0 {
					gs[i] = group
					break
				}
			}
			nn.exact[name] = gs
		}
	}
	for name := range nn.exact {
		nn.deletes[name] = append(nn.deletes[name], name)
		for i := range len(name) {
			d := name[:i] + name[i+1:]
			if !slices.Contains(nn.deletes[d], name) {
				nn.deletes[d] = append(nn.deletes[d], name)
			}
		}
	}
	for _, names := range nn.deletes {
		slices.Sort(names)
	}
	return nn
}

// sameGroup reports whether two group lists share a group.
func sameGroup(a, b [maxNickGroups]uint16) bool {
	for _, x := range a {
		if x == 0 {
			break
		}
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}
