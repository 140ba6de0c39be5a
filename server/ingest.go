package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/pipeline"
	scvv1 "github.com/scvhq/scv/proto/scv/v1"
)

// Ingester stores records of api sources and resolves them;
// *pipeline.Pipeline satisfies it.
type Ingester interface {
	// Ingest stores and resolves recs, leaving out and listing the bad
	// ones; a record of a source that is not an api source fails the
	// call with a *pipeline.SourceError.
	Ingest(ctx context.Context, recs []customer.Record) (pipeline.IngestResult, error)
	// DeleteRecord marks source/id deleted and resolves, or returns an
	// error wrapping customer.ErrNotFound.
	DeleteRecord(ctx context.Context, source, id string) error
}

// maxIngestBatch bounds the records of one UpsertRecords request or one
// message of StreamUpsertRecords.
const maxIngestBatch = 10000

// ingestService implements scv.v1.IngestService over an Ingester. It
// converts records; normalization, storage and resolution are the
// Ingester's.
type ingestService struct {
	scvv1.UnimplementedIngestServiceServer
	ingest Ingester
}

// counts are what a batch did, summed over a stream.
type counts struct{ inserted, updated, unchanged int32 }

// upsert ingests one batch whose first record has index base in the call,
// adding what it did to c and its bad records to bad.
func (s *ingestService) upsert(ctx context.Context, in []*scvv1.RecordInput, base int, c *counts, bad *badRequestError) error {
	if len(in) > maxIngestBatch {
		bad.add("records", fmt.Sprintf("%d records; at most %d per request", len(in), maxIngestBatch))
		return bad
	}
	recs := make([]customer.Record, len(in))
	for i, r := range in {
		recs[i] = recordFromProto(r)
	}
	res, err := s.ingest.Ingest(ctx, recs)
	var se *pipeline.SourceError
	if errors.As(err, &se) {
		for i, r := range recs {
			if r.Source == se.Source {
				bad.add(fmt.Sprintf("records[%d].source", base+i), clipTo(se.Error(), 4*maxEcho))
				break
			}
		}
		return bad
	}
	if err != nil {
		return err
	}
	c.inserted += int32(res.Stats.Inserted)
	c.updated += int32(res.Stats.Updated)
	c.unchanged += int32(res.Stats.Unchanged)
	for _, re := range res.Rejected {
		bad.add(fmt.Sprintf("records[%d].%s", base+re.Index, protoFieldPath(re.Field)), re.Reason)
	}
	return nil
}

// protoFieldPath turns a pipeline field name ("email[1]", "phone") into
// the RecordInput field path ("emails[1]", "phones[0]").
func protoFieldPath(f string) string {
	for _, m := range []struct{ one, many string }{{"email", "emails"}, {"phone", "phones"}} {
		if f == m.one {
			return m.many + "[0]"
		}
		if rest, ok := strings.CutPrefix(f, m.one+"["); ok {
			return m.many + "[" + rest
		}
	}
	return f
}

// stored is the message of the error that reports bad records after the
// others were stored.
func stored(bad *badRequestError, c counts) error {
	if bad.orNil() == nil {
		return nil
	}
	return &storedPartly{bad: bad, n: c.inserted + c.updated + c.unchanged}
}

// storedPartly is a badRequestError after which n records were stored.
type storedPartly struct {
	bad *badRequestError
	n   int32
}

func (e *storedPartly) Error() string {
	return fmt.Sprintf("%d records stored; %s", e.n, e.bad.Error())
}

func (e *storedPartly) Unwrap() error { return e.bad }

// UpsertRecords stores a batch of records.
func (s *ingestService) UpsertRecords(ctx context.Context, req *scvv1.UpsertRecordsRequest) (*scvv1.UpsertRecordsResponse, error) {
	var bad badRequestError
	var c counts
	if err := s.upsert(ctx, req.GetRecords(), 0, &c, &bad); err != nil {
		return nil, err
	}
	if err := stored(&bad, c); err != nil {
		return nil, err
	}
	return &scvv1.UpsertRecordsResponse{Inserted: c.inserted, Updated: c.updated, Unchanged: c.unchanged}, nil
}

// StreamUpsertRecords stores each batch of a client stream as it arrives.
func (s *ingestService) StreamUpsertRecords(stream scvv1.IngestService_StreamUpsertRecordsServer) error {
	ctx := stream.Context()
	var bad badRequestError
	var c counts
	base := 0
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if err := s.upsert(ctx, req.GetRecords(), base, &c, &bad); err != nil {
			return err
		}
		base += len(req.GetRecords())
	}
	if err := stored(&bad, c); err != nil {
		return err
	}
	return stream.SendAndClose(&scvv1.StreamUpsertRecordsResponse{Inserted: c.inserted, Updated: c.updated, Unchanged: c.unchanged})
}

// DeleteRecord deletes one record of an api source.
func (s *ingestService) DeleteRecord(ctx context.Context, req *scvv1.DeleteRecordRequest) (*scvv1.DeleteRecordResponse, error) {
	var bad badRequestError
	if req.GetSource() == "" {
		bad.add("source", "required")
	}
	if req.GetId() == "" {
		bad.add("id", "required")
	}
	if err := bad.orNil(); err != nil {
		return nil, err
	}
	err := s.ingest.DeleteRecord(ctx, req.GetSource(), req.GetId())
	var se *pipeline.SourceError
	switch {
	case errors.As(err, &se):
		bad.add("source", clipTo(se.Error(), 4*maxEcho))
		return nil, &bad
	case errors.Is(err, customer.ErrNotFound):
		return nil, &resourceError{typ: recordResourceType, resource: req.GetSource() + "/" + req.GetId(), what: "record " + quote(req.GetSource()+"/"+req.GetId()), err: err}
	case err != nil:
		return nil, err
	}
	return &scvv1.DeleteRecordResponse{}, nil
}

// recordFromProto converts a RecordInput into a record of raw values, for
// the Ingester to check and normalize.
func recordFromProto(in *scvv1.RecordInput) customer.Record {
	r := customer.Record{Source: in.GetSource(), ID: in.GetId()}
	if in.GetUpdatedAt() != nil {
		r.UpdatedAt = in.GetUpdatedAt().AsTime().UTC()
	}
	set := func(f customer.Field, raw string) {
		if raw != "" {
			r.Add(f, customer.Value{Raw: raw})
		}
	}
	set(customer.GivenName, in.GetGivenName())
	set(customer.MiddleName, in.GetMiddleName())
	set(customer.FamilyName, in.GetFamilyName())
	set(customer.FullName, in.GetFullName())
	for _, e := range in.GetEmails() {
		set(customer.Email, e)
	}
	for _, p := range in.GetPhones() {
		set(customer.Phone, p)
	}
	set(customer.DateOfBirth, in.GetDateOfBirth())
	set(customer.AddressLine1, in.GetAddressLine1())
	set(customer.AddressLine2, in.GetAddressLine2())
	set(customer.Locality, in.GetLocality())
	set(customer.Region, in.GetRegion())
	set(customer.PostalCode, in.GetPostalCode())
	set(customer.Country, in.GetCountry())
	set(customer.Gender, in.GetGender())
	if ids := in.GetIdentifiers(); len(ids) > 0 {
		r.Identifiers = make(map[string]customer.Value, len(ids))
		for k, v := range ids {
			r.Identifiers[k] = customer.Value{Raw: v}
		}
	}
	if attrs := in.GetAttributes(); len(attrs) > 0 {
		r.Attributes = make(map[string]string, len(attrs))
		for k, v := range attrs {
			r.Attributes[k] = v
		}
	}
	if cs := in.GetConsent(); len(cs) > 0 {
		r.Consent = make(map[string]customer.Consent, len(cs))
		for ch, c := range cs {
			con := customer.Consent{Raw: c.GetStatus()}
			switch strings.ToLower(strings.TrimSpace(c.GetStatus())) {
			case "granted":
				con.Status = customer.ConsentGranted
			case "denied":
				con.Status = customer.ConsentDenied
			}
			if c.GetAt() != nil {
				con.At = c.GetAt().AsTime().UTC()
			}
			r.Consent[ch] = con
		}
	}
	return r
}
