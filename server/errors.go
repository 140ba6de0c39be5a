package server

import (
	"context"
	"errors"
	"strings"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"

	"github.com/scvhq/scv/customer"
)

// profileResourceType names profiles in google.rpc.ResourceInfo details.
const profileResourceType = "scv.v1.Profile"

// badRequestError is a malformed request; it becomes INVALID_ARGUMENT with
// a google.rpc.BadRequest detail listing each field violation.
type badRequestError struct {
	violations []*errdetails.BadRequest_FieldViolation
}

// add records that the request field at path (such as "identifier.value")
// is wrong for the reason desc.
func (e *badRequestError) add(path, desc string) {
	e.violations = append(e.violations, &errdetails.BadRequest_FieldViolation{Field: path, Description: desc})
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
	return b.String()
}

// profileError is a store error about one profile resource. When it wraps
// customer.ErrNotFound it becomes NOT_FOUND with a google.rpc.ResourceInfo
// detail naming the resource.
type profileError struct {
	resource string // resource name: "profiles/{id}", or "kind:value" for a lookup
	what     string // the profile as a reader would name it, for the message
	err      error
}

func (e *profileError) Error() string { return e.what + ": " + e.err.Error() }

func (e *profileError) Unwrap() error { return e.err }

// preconditionError is a request the server cannot answer in its current
// state; it becomes FAILED_PRECONDITION with a google.rpc.PreconditionFailure
// detail.
type preconditionError struct {
	kind    string // the PreconditionFailure violation type, such as "MODEL"
	subject string // what failed the precondition
	desc    string // why, and how to fix it
}

func (e *preconditionError) Error() string { return e.subject + ": " + e.desc }

// toStatus maps an error returned by a handler to the gRPC status the
// client sees; it is the one place where errors get codes. It reports
// whether the status hides an internal error that must be logged.
func toStatus(err error) (st *status.Status, internal bool) {
	if st, ok := status.FromError(err); ok {
		return st, st.Code() == codes.Internal || st.Code() == codes.Unknown
	}
	var bad *badRequestError
	var pe *profileError
	var pre *preconditionError
	switch {
	case errors.As(err, &pre):
		return withDetails(status.New(codes.FailedPrecondition, pre.Error()), &errdetails.PreconditionFailure{
			Violations: []*errdetails.PreconditionFailure_Violation{{Type: pre.kind, Subject: pre.subject, Description: pre.desc}},
		}), false
	case errors.As(err, &bad):
		return withDetails(status.New(codes.InvalidArgument, bad.Error()), &errdetails.BadRequest{FieldViolations: bad.violations}), false
	case errors.Is(err, customer.ErrNotFound):
		if errors.As(err, &pe) {
			st := status.New(codes.NotFound, pe.what+" not found")
			return withDetails(st, &errdetails.ResourceInfo{
				ResourceType: profileResourceType,
				ResourceName: pe.resource,
				Description:  pe.what + " does not exist",
			}), false
		}
		return status.New(codes.NotFound, "not found"), false
	case errors.Is(err, context.Canceled):
		return status.New(codes.Canceled, "request canceled"), false
	case errors.Is(err, context.DeadlineExceeded):
		return status.New(codes.DeadlineExceeded, "request deadline exceeded"), false
	}
	return status.New(codes.Internal, "internal error"), true
}

// withDetails attaches details to st, a status with a code other than OK.
// Attaching can fail only if a detail cannot be marshaled; the client then
// still gets the code and message, without the detail.
func withDetails(st *status.Status, details ...protoadapt.MessageV1) *status.Status {
	if ds, err := st.WithDetails(details...); err == nil {
		return ds
	}
	return st
}

// intercept is the unary interceptor: it maps handler errors to statuses
// through toStatus, logs internal errors with their detail and logs every
// call at debug level with its method, code and duration.
func (s *Server) intercept(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	start := time.Now()
	resp, err := handler(ctx, req)
	code := codes.OK
	if err != nil {
		st, internal := toStatus(err)
		if internal {
			s.opts.Logger.Error("call failed", "method", info.FullMethod, "error", err)
		}
		code = st.Code()
		resp, err = nil, st.Err()
	}
	s.opts.Logger.Debug("call finished", "method", info.FullMethod, "code", code.String(), "took", time.Since(start))
	return resp, err
}
