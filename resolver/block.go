package resolver

import (
	"cmp"
	"context"
	"fmt"
	"hash/fnv"
	"runtime"
	"slices"
	"sync"

	"golang.org/x/sync/errgroup"
)

// The blocking rules. Two records become a candidate pair when any rule
// gives them the same key; each rule needs the fields it names.
const (
	RuleIdentifier     = "identifier"      // same strong identifier, per kind
	RuleEmail          = "email"           // same email address
	RuleEmailLocal     = "email_local"     // same email local part
	RulePhone          = "phone"           // same phone number
	RuleDOBFamily      = "dob_family"      // same date of birth and family-name sound
	RuleDOBGiven       = "dob_given"       // same date of birth and given-name sound
	RuleDOBInitials    = "dob_initials"    // same date of birth and name initials, in either order
	RulePostcodeFamily = "postcode_family" // same postcode and family-name initial
	RuleName           = "name"            // same given- and family-name sounds, in either order
	RuleLocalityFamily = "locality_family" // same locality and family-name sound
	RuleDOBPostcode    = "dob_postcode"    // same date of birth and postcode
	RuleDOBLocality    = "dob_locality"    // same date of birth and locality
	RuleAddress        = "address"         // same house number (first word of the first address line) and postcode
	RuleStreet         = "street"          // same first address line
	RuleDOBNumber      = "dob_number"      // same date of birth and house number
	RuleGivenPostcode  = "given_postcode"  // same given-name sound and postcode
	RuleNamePrefix     = "name_prefix"     // same first three letters of the given and the family name, in either order
)

// BlockingRules returns the names of all blocking rules, in the order the
// default set applies them.
func BlockingRules() []string {
	return []string{RuleIdentifier, RuleEmail, RuleEmailLocal, RulePhone, RuleDOBFamily, RuleDOBGiven, RuleDOBInitials,
		RulePostcodeFamily, RuleName, RuleLocalityFamily, RuleDOBPostcode, RuleDOBLocality, RuleAddress, RuleStreet, RuleDOBNumber,
		RuleGivenPostcode, RuleNamePrefix}
}

// ruleNeeds lists the comparison kinds a rule's key is made of.
var ruleNeeds = map[string][]kind{
	RuleIdentifier:     {kIdentifier},
	RuleEmail:          {kEmail},
	RuleEmailLocal:     {kEmail},
	RulePhone:          {kPhone},
	RuleDOBFamily:      {kDOB, kFamily},
	RuleDOBGiven:       {kDOB, kGiven},
	RuleDOBInitials:    {kDOB, kGiven, kFamily},
	RulePostcodeFamily: {kPostcode, kFamily},
	RuleName:           {kGiven, kFamily},
	RuleLocalityFamily: {kLocality, kFamily},
	RuleDOBPostcode:    {kDOB, kPostcode},
	RuleDOBLocality:    {kDOB, kLocality},
	RuleAddress:        {kAddress1, kPostcode},
	RuleStreet:         {kAddress1},
	RuleDOBNumber:      {kDOB, kAddress1},
	RuleGivenPostcode:  {kGiven, kPostcode},
	RuleNamePrefix:     {kGiven, kFamily},
}

// blockRule is one applied rule; the identifier rule applies once per
// identifier slot.
type blockRule struct {
	name string
	slot int
	seed hash64 // the hash of String(), which every key of the rule starts from
}

// newBlockRule returns the rule name, applied to identifier slot slot.
func newBlockRule(name string, slot int) blockRule {
	r := blockRule{name: name, slot: slot}
	h := fnv.New64a()
	h.Write([]byte(r.String()))
	r.seed = hash64(h.Sum64())
	return r
}

func (r blockRule) String() string {
	if r.name == RuleIdentifier {
		return fmt.Sprintf("%s[%d]", r.name, r.slot)
	}
	return r.name
}

// OversizedBlock is a block that held more records than the limit, so
// that its pairs were not compared (a shared default email, a household
// phone, a placeholder postcode).
type OversizedBlock struct {
	Rule    string // blocking rule
	Key     string // the shared key, as one of its records has it
	Records int    // records in the block
}

// hash64 is FNV-1a, 64 bits, inlined: every record's key under every rule
// hashes a few strings, and hash/fnv behind its interface costs about
// ten times as much per key and allocates (BenchmarkKeyHash), seconds of a
// million-record resolution; hash/fnv serves where speed does not matter.
type hash64 uint64

func (h hash64) str(s string) hash64 {
	for i := 0; i < len(s); i++ {
		h ^= hash64(s[i])
		h *= 1099511628211
	}
	h ^= 0xff // separator
	h *= 1099511628211
	return h
}

// keys returns the rule's keys of record f, at most two (two emails or
// phones); zero means no key.
func (r blockRule) keys(f *features) [2]uint64 {
	h := r.seed
	var out [2]uint64
	one := func(parts ...string) {
		for _, p := range parts {
			if p == "" {
				return
			}
			h = h.str(p)
		}
		out[0] = uint64(h) | 1
	}
	switch r.name {
	case RuleIdentifier:
		if r.slot < len(f.ids) {
			one(f.ids[r.slot])
		}
	case RuleEmail, RuleEmailLocal, RulePhone:
		vals := f.phones
		if r.name != RulePhone {
			vals = f.emails
		}
		for i := 0; i < len(vals) && i < len(out); i++ {
			v := vals[i]
			if r.name == RuleEmailLocal {
				v = localPart(v)
			}
			if v != "" {
				out[i] = uint64(h.str(v)) | 1
			}
		}
		if out[0] == out[1] {
			out[1] = 0
		}
	case RuleDOBFamily:
		one(f.dob, f.familyPh)
	case RuleDOBGiven:
		one(f.dob, f.givenPh)
	case RuleDOBInitials:
		a, b := initial(f.given), initial(f.family)
		if b < a {
			a, b = b, a
		}
		one(f.dob, a, b)
	case RulePostcodeFamily:
		one(f.postcode, initial(f.family))
	case RuleName:
		a, b := f.givenPh, f.familyPh
		if b < a {
			a, b = b, a
		}
		one(a, b)
	case RuleLocalityFamily:
		one(f.locality, f.familyPh)
	case RuleDOBPostcode:
		one(f.dob, f.postcode)
	case RuleDOBLocality:
		one(f.dob, f.locality)
	case RuleAddress:
		one(firstWord(f.addr1), f.postcode)
	case RuleStreet:
		one(f.addr1)
	case RuleDOBNumber:
		if n := firstWord(f.addr1); n != "" && n[0] >= '0' && n[0] <= '9' {
			one(f.dob, n)
		}
	case RuleGivenPostcode:
		one(f.givenPh, f.postcode)
	case RuleNamePrefix:
		a, b := prefix(f.given, 3), prefix(f.family, 3)
		if b < a {
			a, b = b, a
		}
		one(a, b)
	}
	return out
}

// splits reports whether the rule's blocks are split when they grow past
// splitAt records. The rules on a name or a place are: their blocks grow
// with the population (every Smith of a town), so their pairs would grow
// with its square. The rules on a strong identifier, an email or a phone
// are not: a block of those that grows is a placeholder or a shared
// mailbox, and is skipped instead.
func (r blockRule) splits() bool {
	switch r.name {
	case RuleIdentifier, RuleEmail, RuleEmailLocal, RulePhone:
		return false
	}
	return true
}

// splitAt is the block size past which a rule that splits (see
// blockRule.splits) splits a block into sub-blocks that add one more field
// to the key, and splits a sub-block that is still too large again by a
// further field, up to splitDepth fields: so the pairs of one block stay
// under splitAt²/2 and the pairs per record grow far slower than the
// records. A true pair that disagrees on the added field leaves the
// block; the other rules find nearly all such pairs (two overlapping
// chains of sub-blocks, one per added field, found no more true pairs on
// Febrl or scv gen data, for a second key per record in every split
// block).
const (
	splitAt    = 16
	splitDepth = 3
)

// refineFields returns the fields that the sub-blocks of rule r add to a
// split block's key, in order.
func (r blockRule) refineFields(f *features) [splitDepth]string {
	gi, fi, yr, pc := initial(f.given), initial(f.family), year(f.dob), prefix(f.postcode, 3)
	switch r.name {
	case RulePostcodeFamily, RuleLocalityFamily:
		return [...]string{gi, yr, prefix(f.given, 3)}
	case RuleName, RuleNamePrefix:
		return [...]string{yr, pc, monthDay(f.dob)}
	case RuleGivenPostcode, RuleAddress:
		return [...]string{fi, yr, prefix(f.family, 3)}
	case RuleStreet:
		return [...]string{f.locality, fi, gi}
	}
	// The rules on a date of birth.
	return [...]string{pc, fi, gi}
}

// refine returns the key of the sub-block that record f goes to when its
// block with key k splits, or zero (f lacks the field). A sub-block split
// again (split holds its key) gives way to its own sub-block.
func (r blockRule) refine(k uint64, f *features, split map[uint64]bool) [2]uint64 {
	h := hash64(k)
	for d, v := range r.refineFields(f) {
		if v == "" {
			return [2]uint64{}
		}
		h = h.str(v)
		if d == splitDepth-1 || !split[uint64(h)|1] {
			break
		}
	}
	return [2]uint64{uint64(h) | 1}
}

// monthDay returns the month and day of an eight-digit date of birth.
func monthDay(dob string) string {
	if len(dob) < 8 {
		return ""
	}
	return dob[4:8]
}

// year returns the year of an eight-digit date of birth, or "".
func year(dob string) string {
	if len(dob) < 4 {
		return ""
	}
	return dob[:4]
}

// prefix returns the first n bytes of s (all of a shorter s).
func prefix(s string, n int) string {
	return s[:min(n, len(s))]
}

// describe returns rule r's key of f for a person to read.
func (r blockRule) describe(f *features) string {
	switch r.name {
	case RuleIdentifier:
		if r.slot < len(f.ids) {
			return f.ids[r.slot]
		}
	case RuleEmail, RuleEmailLocal:
		if len(f.emails) > 0 {
			return f.emails[0]
		}
	case RulePhone:
		if len(f.phones) > 0 {
			return f.phones[0]
		}
	case RuleDOBFamily:
		return f.dob + " " + f.familyPh
	case RuleDOBGiven:
		return f.dob + " " + f.givenPh
	case RuleDOBInitials:
		return f.dob + " " + initial(f.given) + initial(f.family)
	case RulePostcodeFamily:
		return f.postcode + " " + f.family
	case RuleName:
		return f.givenPh + " " + f.familyPh
	case RuleLocalityFamily:
		return f.locality + " " + f.familyPh
	case RuleDOBPostcode:
		return f.dob + " " + f.postcode
	case RuleDOBLocality:
		return f.dob + " " + f.locality
	case RuleAddress:
		return firstWord(f.addr1) + " " + f.postcode
	case RuleStreet:
		return f.addr1
	case RuleDOBNumber:
		return f.dob + " " + firstWord(f.addr1)
	case RuleGivenPostcode:
		return f.givenPh + " " + f.postcode
	case RuleNamePrefix:
		return prefix(f.given, 3) + " " + prefix(f.family, 3)
	}
	return ""
}

// initial returns the first byte of s, or "" for an empty s.
func initial(s string) string {
	if s == "" {
		return ""
	}
	return s[:1]
}

// firstWord returns s up to its first space.
func firstWord(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' {
			return s[:i]
		}
	}
	return s
}

// candidate is a compared pair of records (indices into the records) and
// its comparison levels.
type candidate struct {
	a, b  int32
	rules uint32 // bit q set: the pair shares a block of rule q
	g     uint64
}

// blocker generates deduplicated candidate pairs.
type blocker struct {
	rules []blockRule
	keys  [][][2]uint64     // per rule, per record
	over  []map[uint64]bool // per rule: oversized keys
	// split holds the keys of the blocks that were split (see splitAt),
	// of every rule. A model keeps them (Model.Split), so that the keys of
	// one record (Keyer) are those of a full resolution.
	split map[uint64]bool
	// fixed says split is given (by a trained model) rather than found
	// from the sizes of the blocks.
	fixed bool
}

// group is one block: the records sharing a key under a rule.
type group struct {
	rule    int
	key     uint64
	members []int32
}

// keyRec is one record's key under a rule.
type keyRec struct {
	key uint64
	rec int32
}

// recordKeys returns rule r's keys of f, the sub-block keys for a key
// whose block was split.
func (bl *blocker) recordKeys(r int, f *features) [2]uint64 {
	rule := bl.rules[r]
	k := rule.keys(f)
	if len(bl.split) > 0 && k[0] != 0 && bl.split[k[0]] {
		return rule.refine(k[0], f, bl.split)
	}
	return k
}

// build computes every record's keys and the blocks, splitting the
// blocks of a rule that splits once they pass splitAt records (unless
// the split blocks are fixed) and skipping blocks of more than maxBlock
// records. It returns the blocks and the skipped ones.
func (bl *blocker) build(fs []features, maxBlock int) ([]group, []OversizedBlock) {
	bl.keys = make([][][2]uint64, len(bl.rules))
	bl.over = make([]map[uint64]bool, len(bl.rules))
	if bl.split == nil {
		bl.split = make(map[uint64]bool)
	}
	var groups []group
	var over []OversizedBlock
	// One key list serves every rule, and each rule's blocks share one
	// array of members, so that a million records make a few large
	// allocations rather than millions of small ones.
	list := make([]keyRec, 0, len(fs))
	for r, rule := range bl.rules {
		keys := make([][2]uint64, len(fs))
		for i := range fs {
			keys[i] = bl.recordKeys(r, &fs[i])
		}
		list = sortedKeys(list, keys)
		if !bl.fixed && rule.splits() {
			bl.splitRuns(r, fs, keys, list, 0)
		}
		bl.keys[r] = keys
		bl.over[r] = make(map[uint64]bool)
		size := 0
		for s := 0; s < len(list); {
			e := blockEnd(list, s)
			if n := e - s; n > 1 && n <= maxBlock && list[s].key != 0 {
				size += n
			}
			s = e
		}
		arena := make([]int32, 0, size)
		for s := 0; s < len(list); {
			e := blockEnd(list, s)
			switch n := e - s; {
			case list[s].key == 0: // records that a split left without a sub-block
			case n > maxBlock:
				bl.over[r][list[s].key] = true
				over = append(over, OversizedBlock{Rule: rule.name, Key: rule.describe(&fs[list[s].rec]), Records: n})
			case n > 1:
				start := len(arena)
				for i := s; i < e; i++ {
					arena = append(arena, list[i].rec)
				}
				groups = append(groups, group{rule: r, key: list[s].key, members: arena[start:len(arena):len(arena)]})
			}
			s = e
		}
	}
	slices.SortStableFunc(over, func(a, b OversizedBlock) int { return b.Records - a.Records })
	return groups, over
}

// splitRuns splits, in place, every block of list (sorted by key) of
// rule r that holds more than splitAt records: its key joins the split
// keys, its records take their sub-block keys (zero for a record that
// lacks the added field), and it is sorted again on its own, so that its
// sub-blocks lie together within it and a sub-block still too large
// splits in turn, up to splitDepth fields deep. keys follows list.
func (bl *blocker) splitRuns(r int, fs []features, keys [][2]uint64, list []keyRec, depth int) {
	for s := 0; s < len(list); {
		e := blockEnd(list, s)
		if e-s > splitAt && depth < splitDepth && list[s].key != 0 {
			bl.split[list[s].key] = true
			sub := list[s:e]
			for i := range sub {
				k := bl.recordKeys(r, &fs[sub[i].rec])
				sub[i].key, keys[sub[i].rec] = k[0], k
			}
			sortKeyRecs(sub)
			bl.splitRuns(r, fs, keys, sub, depth+1)
		}
		s = e
	}
}

// sortedKeys refills list with the non-zero keys of every record, sorted
// by key and record.
func sortedKeys(list []keyRec, keys [][2]uint64) []keyRec {
	list = list[:0]
	for i, ks := range keys {
		for _, k := range ks {
			if k != 0 {
				list = append(list, keyRec{k, int32(i)})
			}
		}
	}
	sortKeyRecs(list)
	return list
}

// sortKeyRecs sorts list by key and record.
func sortKeyRecs(list []keyRec) {
	slices.SortFunc(list, func(a, b keyRec) int {
		if c := cmp.Compare(a.key, b.key); c != 0 {
			return c
		}
		return cmp.Compare(a.rec, b.rec)
	})
}

// blockEnd returns the end of the block of sorted list that starts at s.
func blockEnd(list []keyRec, s int) int {
	e := s + 1
	for e < len(list) && list[e].key == list[s].key {
		e++
	}
	return e
}

// splitKeys returns the keys of the split blocks, sorted.
func (bl *blocker) splitKeys() []uint64 {
	out := make([]uint64, 0, len(bl.split))
	for k := range bl.split {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// seenBefore reports whether records i and j already share a block that
// comes before block (r, key): a non-oversized key of an earlier rule, or
// a smaller non-oversized key of the same rule.
func (bl *blocker) seenBefore(r int, key uint64, i, j int32) bool {
	for q := 0; q <= r; q++ {
		ki, kj := bl.keys[q][i], bl.keys[q][j]
		for _, x := range ki {
			if x == 0 || (x != kj[0] && x != kj[1]) || (q == r && x >= key) {
				continue
			}
			if !bl.over[q][x] {
				return true
			}
		}
	}
	return false
}

// shared returns the mask of rules under which records i and j share a
// block that was not oversized.
func (bl *blocker) shared(i, j int32) uint32 {
	var mask uint32
	for q := range bl.rules {
		ki, kj := bl.keys[q][i], bl.keys[q][j]
		for _, x := range ki {
			if x != 0 && (x == kj[0] || x == kj[1]) && !bl.over[q][x] {
				mask |= 1 << q
				break
			}
		}
	}
	return mask
}

// walk calls visit for every deduplicated pair of the blocks, on all
// cores; each call appends what it keeps of the pair to out and returns
// it. walk returns everything kept and the number of pairs visited.
func walk[T any](ctx context.Context, bl *blocker, groups []group, visit func(i, j int32, out []T) []T) ([]T, int, error) {
	workers := runtime.GOMAXPROCS(0)
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	var mu sync.Mutex
	var out []T
	visited := 0
	// Hand blocks out in chunks of roughly equal pair counts.
	const chunkPairs = 1 << 14
	for s := 0; s < len(groups); {
		e, n := s, 0
		for e < len(groups) && n < chunkPairs {
			k := len(groups[e].members)
			n += k * (k - 1) / 2
			e++
		}
		chunk := groups[s:e]
		s = e
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			var local []T
			seen := 0
			for _, gr := range chunk {
				m := gr.members
				for x := 0; x < len(m); x++ {
					for y := x + 1; y < len(m); y++ {
						i, j := m[x], m[y]
						if bl.seenBefore(gr.rule, gr.key, i, j) {
							continue
						}
						seen++
						local = visit(i, j, local)
					}
				}
			}
			mu.Lock()
			out = append(out, local...)
			visited += seen
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, 0, err
	}
	return out, visited, nil
}

// pairBound returns an upper bound of the pairs the blocks hold.
func pairBound(groups []group) int {
	n := 0
	for _, g := range groups {
		k := len(g.members)
		n += k * (k - 1) / 2
	}
	return n
}

// sampled reports whether pair (i, j) belongs to a deterministic sample
// holding about rate of all pairs.
func sampled(i, j int32, rate float64) bool {
	if rate >= 1 {
		return true
	}
	h := uint64(i)*0x9e3779b97f4a7c15 ^ uint64(j)*0xc2b2ae3d27d4eb4f
	h ^= h >> 29
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 32
	return float64(h%1000000) < rate*1000000
}
