package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/protoadapt"

	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/override"
)

// Resource types of google.rpc.ResourceInfo details.
const (
	profileResourceType  = "scv.v1.Profile"
	overrideResourceType = "scv.v1.Override"
	recordResourceType   = "scv.v1.Record"
)

// errorDomain is the google.rpc.ErrorInfo domain of every error.
const errorDomain = "scv.v1"

// Stable google.rpc.ErrorInfo reasons. Clients may switch on them; they
// never change meaning.
const (
	reasonBadRequest       = "BAD_REQUEST"        // a field violates its rule: see the BadRequest detail
	reasonMalformed        = "MALFORMED_REQUEST"  // the request message could not be decoded
	reasonBadPageToken     = "INVALID_PAGE_TOKEN" // a page_token this server did not issue for the request
	reasonProfileNotFound  = "PROFILE_NOT_FOUND"
	reasonOverrideNotFound = "OVERRIDE_NOT_FOUND"
	reasonRecordNotFound   = "RECORD_NOT_FOUND"
	reasonNotFound         = "NOT_FOUND"
	reasonNoModel          = "MODEL_NOT_TRAINED"
	reasonNoChangeLog      = "NO_CHANGE_LOG"
	reasonTooLarge         = "PROFILE_TOO_LARGE"
	reasonConfigConflict   = "CONFIG_OVERRIDE_CONFLICT"
	reasonTooManyPairs     = "TOO_MANY_OVERRIDES"
	reasonCanceled         = "CANCELED"
	reasonDeadline         = "DEADLINE_EXCEEDED"
	reasonInternal         = "INTERNAL"
)

// maxEcho is how many bytes of a request value an error message or
// detail repeats; a longer value is cut, so that no error echoes a huge
// input (gRPC sends them in trailers, whose size is limited).
const maxEcho = 64

// maxMessage bounds a status message whatever it is built from.
const maxMessage = 1024

// maxViolations is how many field violations one error lists; the rest
// are counted in the message.
const maxViolations = 10

// clip returns s made valid UTF-8 and cut to about maxEcho bytes, saying
// how long it was when cut.
func clip(s string) string {
	return clipTo(s, maxEcho)
}

func clipTo(s string, n int) string {
	if len(s) <= n && utf8.ValidString(s) {
		return s
	}
	full := len(s)
	if len(s) > n {
		cut := n
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut]
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	if full > n {
		s = fmt.Sprintf("%s…(%d bytes)", s, full)
	}
	return s
}

// quote returns clip(s) quoted, for messages.
func quote(s string) string { return fmt.Sprintf("%q", clip(s)) }

// badRequestError is a malformed request; it becomes INVALID_ARGUMENT with
// a google.rpc.BadRequest detail listing each field violation.
type badRequestError struct {
	violations []*errdetails.BadRequest_FieldViolation
	more       int    // violations beyond maxViolations, not listed
	reason     string // the ErrorInfo reason; empty means reasonBadRequest
}

// add records that the request field at path (such as "identifier.value")
// is wrong for the reason desc. Both must already be clipped where they
// hold request values.
func (e *badRequestError) add(path, desc string) {
	if len(e.violations) == maxViolations {
		e.more++
		return
	}
	e.violations = append(e.violations, &errdetails.BadRequest_FieldViolation{Field: clipTo(path, 2*maxEcho), Description: clipTo(desc, 4*maxEcho)})
}

// orNil returns e when it holds a violation and nil otherwise.
func (e *badRequestError) orNil() error {
	if len(e.violations) == 0 {
		return nil
	}
	return e
}

func (e *badRequestError) Error() string {
	var b strings.Builder
	b.WriteString("invalid request: ")
	for i, v := range e.violations {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(v.GetField())
		b.WriteString(": ")
		b.WriteString(v.GetDescription())
	}
	if e.more > 0 {
		fmt.Fprintf(&b, "; and %d more", e.more)
	}
	return b.String()
}

// resourceError is a store error about one resource. When it wraps
// customer.ErrNotFound it becomes NOT_FOUND with a google.rpc.ResourceInfo
// detail naming the resource.
type resourceError struct {
	typ      string // profileResourceType, overrideResourceType or recordResourceType
	resource string // resource name: "profiles/{id}", or "kind:value" for a lookup
	what     string // the resource as a reader would name it, for the message
	err      error
}

func (e *resourceError) Error() string { return e.what + ": " + e.err.Error() }
func (e *resourceError) Unwrap() error { return e.err }

// profileError returns a resourceError about the profile named name.
func profileError(name string, err error) *resourceError {
	return &resourceError{typ: profileResourceType, resource: name, what: "profile " + quote(name), err: err}
}

// preconditionError is a request the server cannot answer in its current
// state; it becomes FAILED_PRECONDITION with a google.rpc.PreconditionFailure
// detail.
type preconditionError struct {
	kind    string // the PreconditionFailure violation type, such as "MODEL"
	subject string // what failed the precondition
	desc    string // why, and how to fix it
	reason  string // the ErrorInfo reason
}

func (e *preconditionError) Error() string { return e.subject + ": " + e.desc }

// newStatus returns a status of code with msg (cut to maxMessage), the
// details and a google.rpc.ErrorInfo of reason.
func newStatus(code codes.Code, reason, msg string, details ...protoadapt.MessageV1) *status.Status {
	st := status.New(code, clipTo(msg, maxMessage))
	details = append(details, &errdetails.ErrorInfo{Reason: reason, Domain: errorDomain})
	if ds, err := st.WithDetails(details...); err == nil {
		return ds
	}
	// Attaching fails only if a detail cannot be marshaled; the client then
	// still gets the code and message.
	return st
}

// toStatus maps an error returned by a handler to the gRPC status the
// client sees; it is the one place where errors get codes. It reports
// whether the status hides an internal error that must be logged.
func toStatus(err error) (st *status.Status, internal bool) {
	if st, ok := status.FromError(err); ok {
		return st, st.Code() == codes.Internal || st.Code() == codes.Unknown
	}
	var (
		bad      *badRequestError
		re       *resourceError
		pre      *preconditionError
		pe       *override.ProfileError
		conflict *override.ConflictError
	)
	switch {
	case errors.As(err, &pre):
		return newStatus(codes.FailedPrecondition, pre.reason, pre.Error(), &errdetails.PreconditionFailure{
			Violations: []*errdetails.PreconditionFailure_Violation{{Type: pre.kind, Subject: pre.subject, Description: pre.desc}},
		}), false
	case errors.As(err, &conflict):
		return toStatus(&preconditionError{
			kind: "CONFIG", subject: conflict.Kind.String() + " " + quote(conflict.A) + ", " + quote(conflict.B),
			desc:   "the configuration's override forbids this change; edit the configuration file to lift it",
			reason: reasonConfigConflict,
		})
	case errors.Is(err, override.ErrTooManyPairs):
		return toStatus(&preconditionError{kind: "SIZE", subject: "overrides", desc: clipTo(err.Error(), 4*maxEcho), reason: reasonTooManyPairs})
	case errors.As(err, &bad):
		reason := bad.reason
		if reason == "" {
			reason = reasonBadRequest
		}
		return newStatus(codes.InvalidArgument, reason, err.Error(), &errdetails.BadRequest{FieldViolations: bad.violations}), false
	case errors.Is(err, context.Canceled):
		return newStatus(codes.Canceled, reasonCanceled, "request canceled"), false
	case errors.Is(err, context.DeadlineExceeded):
		return newStatus(codes.DeadlineExceeded, reasonDeadline, "request deadline exceeded"), false
	case errors.Is(err, customer.ErrNotFound):
		if errors.As(err, &pe) {
			re = profileError(profileNamePrefix+pe.ID, pe.Err)
		}
		if re != nil || errors.As(err, &re) {
			reason := reasonProfileNotFound
			switch re.typ {
			case overrideResourceType:
				reason = reasonOverrideNotFound
			case recordResourceType:
				reason = reasonRecordNotFound
			}
			return newStatus(codes.NotFound, reason, re.what+" not found", &errdetails.ResourceInfo{
				ResourceType: re.typ,
				ResourceName: clip(re.resource),
				Description:  re.what + " does not exist",
			}), false
		}
		return newStatus(codes.NotFound, reasonNotFound, "not found"), false
	}
	return newStatus(codes.Internal, reasonInternal, "internal error"), true
}

// intercept is the unary interceptor: it checks the caller's bearer
// token and scope (see authorize), refuses a request that could not be
// decoded (see codec) and one whose context is already done, maps handler
// errors to statuses through toStatus, masks contact values for a caller
// without profiles.read_pii, logs internal errors with their detail and
// logs one access line per call.
func (s *Server) intercept(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	start := time.Now()
	id := requestID(ctx)
	var resp any
	decodeErr := s.codec.decodeError(req) // always, so the codec forgets req
	who, err := s.authorize(ctx, info.FullMethod)
	if err == nil {
		err = decodeErr
	}
	if err == nil {
		err = ctx.Err()
	}
	if err == nil {
		resp, err = handler(ctx, req)
	}
	code := codes.OK
	if err != nil {
		st, internal := toStatus(err)
		if internal {
			s.opts.Logger.Error("call failed", "method", info.FullMethod, "request_id", id, "error", err)
		}
		code = st.Code()
		resp, err = nil, st.Err()
	}
	if m, ok := resp.(proto.Message); ok && !who.pii {
		mask(m)
	}
	s.access(info.FullMethod, code, start, id, who)
	return resp, err
}

// interceptStream is the stream interceptor: it checks the caller as
// intercept does, refuses messages that could not be decoded, masks sent
// messages for a caller without profiles.read_pii and maps errors as
// intercept does.
func (s *Server) interceptStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	start := time.Now()
	id := requestID(ss.Context())
	who, err := s.authorize(ss.Context(), info.FullMethod)
	if err == nil {
		err = handler(srv, &checkedStream{ServerStream: ss, codec: s.codec, mask: !who.pii})
	}
	code := codes.OK
	if err != nil {
		st, internal := toStatus(err)
		if internal {
			s.opts.Logger.Error("stream failed", "method", info.FullMethod, "request_id", id, "error", err)
		}
		code = st.Code()
		err = st.Err()
	}
	s.access(info.FullMethod, code, start, id, who)
	return err
}

// access logs the one line of a finished call: never a message body.
func (s *Server) access(method string, code codes.Code, start time.Time, id string, who caller) {
	s.opts.Logger.Info("request", "method", method, "code", code.String(),
		"duration", time.Since(start), "request_id", id, "client", who.name)
}

// requestID returns the caller's x-request-id, or a new random id.
func requestID(ctx context.Context) string {
	if md, ok := metadata.FromIncomingContext(ctx); ok {
		if v := md.Get("x-request-id"); len(v) == 1 && len(v[0]) <= 64 {
			return v[0]
		}
	}
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// checkedStream returns a decoding error of a received message from
// RecvMsg.
type checkedStream struct {
	grpc.ServerStream
	codec *codec
	mask  bool
}

func (c *checkedStream) SendMsg(m any) error {
	if pm, ok := m.(proto.Message); ok && c.mask {
		mask(pm)
	}
	return c.ServerStream.SendMsg(m)
}

func (c *checkedStream) RecvMsg(m any) error {
	if err := c.ServerStream.RecvMsg(m); err != nil {
		return err
	}
	return c.codec.decodeError(m)
}
