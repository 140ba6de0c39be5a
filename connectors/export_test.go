package connectors

import "github.com/scvhq/scv/customer"

// MapRow maps r with m as Read does, for the tests of connectors_test.
func MapRow(m *Mapping, r Row) (customer.Record, error) {
	rec, _, err := m.record(r)
	return rec, err
}
