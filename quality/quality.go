// Package quality scores customer data along five dimensions and renders
// the audit report as text, JSON and HTML.
//
// # Scores
//
// Every score is in 0..1 (1 is best) and comes from exact counts over all
// live records, never from samples.
//
//   - Field completeness: records with a value of the field / records.
//     Placeholders such as "n/a" count as missing.
//   - Field validity: values that pass the field's rule / values present
//     (1 when none is present). A multi-valued field (email, phone) is
//     present in a record when any of its values is, and invalid when any
//     present value is invalid.
//   - Record score: the share of a record's mapped fields and identifiers
//     that are present and valid; a source reports the mean. The worst rows of the report have the most invalid
//     values, then the most missing mapped fields.
//
// A source has up to five dimensions:
//
//   - Completeness: present values of the mapped fields and strong
//     identifiers / (records × (mapped fields + identifiers)), which is
//     the mean completeness of those columns.
//   - Validity: valid values / present values, over the same columns.
//   - Uniqueness: 1 − the within-source duplicate rate, that is distinct
//     profiles / records, where a profile holding k records of the source
//     counts k − 1 duplicates. It needs the resolver's profiles.
//   - Consistency: the source's values that agree with their profile's
//     golden value / the source's values compared. A record's field is
//     compared when another member of its profile also has a valid value
//     of the field, and agrees when one of its usable values folds like
//     the golden (for email and phone, the primary) value. It needs the
//     resolver's profiles and their golden profiles.
//   - Timeliness: records whose updated_at is within the source's
//     freshness window of the report time / records. Records without
//     updated_at are not timely. Only for sources that map updated_at and
//     set freshness.
//
// The source score is the plain mean of the dimensions that apply. The
// overall score is the mean of the source scores weighted by their live
// records. Quarantined rows (rows that could not become records) are
// counted and listed beside the scores, not in them.
//
// Because every dimension is a ratio of counts, the gap between the
// overall score and 1 splits exactly into "drags": the points lost to
// each source dimension and, for completeness, validity and consistency,
// to each field. The report lists the largest.
package quality
