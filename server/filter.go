package server

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/scvhq/scv/customer"
)

// filterFields names the fields a ListProfiles filter may use.
const filterFields = "source, update_time"

// profileFilter is a parsed ListProfiles filter: conditions joined by
// AND. The zero value keeps every profile.
type profileFilter struct {
	conds []condition
}

// condition is one "field op value" of a filter.
type condition struct {
	field string // "source" or "update_time"
	op    string // "=", "!=", "<", "<=", ">", ">="
	str   string // the source name
	time  time.Time
}

// parseFilter parses an AIP-160 style filter of conditions joined by AND,
// or adds a violation to bad.
func parseFilter(bad *badRequestError, s string) profileFilter {
	var f profileFilter
	toks, err := lexFilter(s)
	if err != nil {
		bad.add("filter", err.Error())
		return f
	}
	fail := func(format string, args ...any) profileFilter {
		bad.add("filter", fmt.Sprintf(format, args...))
		return profileFilter{}
	}
	for i := 0; i < len(toks); {
		if i > 0 {
			if toks[i].text != "AND" || toks[i].quoted {
				if t := toks[i].text; t == "OR" || t == "NOT" || t == "(" || t == "-" {
					return fail("%s is not supported: join conditions with AND", t)
				}
				return fail("expected AND before %s", quote(toks[i].text))
			}
			i++
		}
		if i+3 > len(toks) {
			return fail(`a condition is "field op value", such as source = "crm"`)
		}
		field, op, val := toks[i], toks[i+1], toks[i+2]
		i += 3
		c := condition{field: field.text, op: op.text}
		if field.quoted || !isOp(op.text) || isOp(val.text) && !val.quoted {
			return fail(`a condition is "field op value", such as source = "crm"; got %s %s %s`, quote(field.text), quote(op.text), quote(val.text))
		}
		switch field.text {
		case "source":
			if c.op == ":" {
				c.op = "="
			}
			if c.op != "=" && c.op != "!=" {
				return fail("source takes = or !=, not %s", c.op)
			}
			c.str = val.text
		case "update_time":
			if c.op == ":" {
				return fail("update_time takes =, !=, <, <=, > or >=, not :")
			}
			t, err := time.Parse(time.RFC3339Nano, val.text)
			if err != nil {
				return fail("update_time %s is not an RFC 3339 time such as \"2026-01-01T00:00:00Z\"", quote(val.text))
			}
			c.time = t
		default:
			return fail("unknown field %s: the fields are %s", quote(field.text), filterFields)
		}
		f.conds = append(f.conds, c)
	}
	return f
}

func isOp(s string) bool {
	switch s {
	case "=", "!=", "<", "<=", ">", ">=", ":":
		return true
	}
	return false
}

// token is one lexical token of a filter.
type token struct {
	text   string
	quoted bool
}

// lexFilter splits a filter into words, quoted strings, operators and
// parentheses.
func lexFilter(s string) ([]token, error) {
	var toks []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '"':
			j := i + 1
			for j < len(s) && s[j] != '"' {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(s) {
				return nil, fmt.Errorf("unterminated string at offset %d", i)
			}
			v, err := strconv.Unquote(s[i : j+1])
			if err != nil {
				return nil, fmt.Errorf("bad string %s at offset %d", quote(s[i:j+1]), i)
			}
			toks = append(toks, token{text: v, quoted: true})
			i = j + 1
		case strings.IndexByte("=!<>:", c) >= 0:
			j := i + 1
			if j < len(s) && s[j] == '=' {
				j++
			}
			if s[i:j] == "!" {
				return nil, fmt.Errorf("unexpected ! at offset %d", i)
			}
			toks = append(toks, token{text: s[i:j]})
			i = j
		case c == '(' || c == ')' || c == '-':
			toks = append(toks, token{text: string(c)})
			i++
		default:
			j := i
			for j < len(s) && !unicode.IsSpace(rune(s[j])) && strings.IndexByte("=!<>:()\"", s[j]) < 0 {
				j++
			}
			toks = append(toks, token{text: s[i:j]})
			i = j
		}
	}
	return toks, nil
}

// match reports whether p meets every condition.
func (f profileFilter) match(p *customer.Profile) bool {
	for _, c := range f.conds {
		if !c.match(p) {
			return false
		}
	}
	return true
}

func (c condition) match(p *customer.Profile) bool {
	switch c.field {
	case "source":
		has := false
		for i := range p.Members {
			if p.Members[i].Source == c.str {
				has = true
				break
			}
		}
		return has == (c.op == "=")
	case "update_time":
		t := updateTime(p)
		if t.IsZero() {
			return false
		}
		switch c.op {
		case "=":
			return t.Equal(c.time)
		case "!=":
			return !t.Equal(c.time)
		case "<":
			return t.Before(c.time)
		case "<=":
			return !t.After(c.time)
		case ">":
			return t.After(c.time)
		case ">=":
			return !t.Before(c.time)
		}
	}
	return false
}

// updateTime is a profile's update time: the latest updated_at of its
// members, or the zero time when none has one.
func updateTime(p *customer.Profile) time.Time {
	var t time.Time
	for i := range p.Members {
		if u := p.Members[i].UpdatedAt; u.After(t) {
			t = u
		}
	}
	return t
}
