package row

import (
	"encoding/json"
	"fmt"
	"strings"
)

// FromJSON makes a row of a decoded JSON object (decoded with UseNumber)
// with one value per column of cols, each a dotted path such as
// "contact.email". A key that itself holds dots is found before a path is
// walked. A null or missing value is empty; a number or boolean becomes its
// JSON text; an array becomes a list (Row.Lists) whose first element is also
// the value, and a path that walks into an array of objects collects the
// value of each. An object (or a nested array) where a value was expected is
// an *Error with ErrType naming the column.
func FromJSON(obj map[string]any, cols []string, line int64, raw string) (Row, error) {
	r := Row{Line: line, Raw: raw, Values: make([]string, len(cols))}
	for i, c := range cols {
		v := lookup(obj, c)
		switch v := v.(type) {
		case []any:
			list := make([]string, 0, len(v))
			for _, e := range v {
				s, ok := scalar(e)
				if !ok {
					return Row{}, typeError(line, c, raw, "a list of objects or lists where values were expected")
				}
				if s != "" {
					list = append(list, s)
				}
			}
			if r.Lists == nil {
				r.Lists = make([][]string, len(cols))
			}
			r.Lists[i] = list
			if len(list) > 0 {
				r.Values[i] = list[0]
			}
		default:
			s, ok := scalar(v)
			if !ok {
				return Row{}, typeError(line, c, raw, "an object where a value was expected")
			}
			r.Values[i] = s
		}
	}
	return r, nil
}

func typeError(line int64, col, raw, what string) *Error {
	return &Error{Line: line, Field: col, Raw: raw, Err: ErrType,
		Reason: fmt.Sprintf("unreadable value: %s", what)}
}

// scalar returns the text of a JSON scalar; ok is false for an object or
// an array.
func scalar(v any) (string, bool) {
	switch v := v.(type) {
	case nil:
		return "", true
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case float64:
		return fmt.Sprint(v), true
	case bool:
		if v {
			return "true", true
		}
		return "false", true
	}
	return "", false
}

// lookup walks a dotted path through objects, and through arrays by
// collecting the rest of the path from each element.
func lookup(v any, path string) any {
	for path != "" {
		switch o := v.(type) {
		case map[string]any:
			if x, ok := o[path]; ok {
				return x
			}
			head, rest, _ := strings.Cut(path, ".")
			v, path = o[head], rest
			if rest == "" {
				return v
			}
		case []any:
			var out []any
			for _, e := range o {
				x := lookup(e, path)
				if l, ok := x.([]any); ok {
					out = append(out, l...)
				} else if x != nil {
					out = append(out, x)
				}
			}
			return out
		default:
			return nil
		}
	}
	return v
}

// Lookup returns the value at a dotted path of a decoded JSON value, as
// FromJSON finds it; nil when there is none.
func Lookup(v any, path string) any { return lookup(v, path) }
