package connectors

import (
	"strings"

	"github.com/scvhq/scv/config"
	"github.com/scvhq/scv/customer"
)

// ParseConsent reads a consent answer with the default words, as a
// source whose consent block names none does.
func ParseConsent(s string) customer.ConsentStatus {
	return consentWords(config.Consent{})[strings.ToLower(strings.TrimSpace(s))]
}

// MapRow maps r with m as Read does, for the tests of connectors_test.
func MapRow(m *Mapping, r Row) (customer.Record, error) {
	rec, _, err := m.record(r)
	return rec, err
}
