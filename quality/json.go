package quality

import (
	"encoding/json"
	"fmt"
	"io"
)

// WriteJSON writes r as indented JSON.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("quality: write JSON report: %w", err)
	}
	return nil
}
