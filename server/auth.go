package server

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"net"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	scvv1 "github.com/scvhq/scv/proto/scv/v1"
)

// The scopes a Client may hold.
const (
	ScopeRead    = "profiles.read"     // ProfileService, contact values masked, no date of birth
	ScopeReadPII = "profiles.read_pii" // ProfileService unmasked; implies ScopeRead
	ScopeIngest  = "ingest"            // IngestService
	ScopeAdmin   = "admin"             // AdminService
)

// Client is a caller of the server, known by the SHA-256 digest of its
// bearer token.
type Client struct {
	Name        string
	TokenSHA256 [32]byte
	Scopes      []string
}

// methodScopes maps every scv.v1 method to the scope it needs. A scv.v1
// method missing here is refused; other services (health, reflection)
// are open.
var methodScopes = map[string]string{
	scvv1.ProfileService_GetProfile_FullMethodName:         ScopeRead,
	scvv1.ProfileService_BatchGetProfiles_FullMethodName:   ScopeRead,
	scvv1.ProfileService_ListProfiles_FullMethodName:       ScopeRead,
	scvv1.ProfileService_LookupProfile_FullMethodName:      ScopeRead,
	scvv1.ProfileService_ExplainProfile_FullMethodName:     ScopeRead,
	scvv1.ProfileService_WatchProfiles_FullMethodName:      ScopeRead,
	scvv1.IngestService_UpsertRecords_FullMethodName:       ScopeIngest,
	scvv1.IngestService_StreamUpsertRecords_FullMethodName: ScopeIngest,
	scvv1.IngestService_DeleteRecord_FullMethodName:        ScopeIngest,
	scvv1.AdminService_MergeProfiles_FullMethodName:        ScopeAdmin,
	scvv1.AdminService_SplitProfile_FullMethodName:         ScopeAdmin,
	scvv1.AdminService_ListOverrides_FullMethodName:        ScopeAdmin,
	scvv1.AdminService_DeleteOverride_FullMethodName:       ScopeAdmin,
}

// caller is who made a call.
type caller struct {
	name string // "" when the server has no clients
	pii  bool   // may see contact values and dates of birth
}

// authorize checks the bearer token of a call to method and its scope,
// and returns the caller. With no clients every call is allowed and
// unmasked.
func (s *Server) authorize(ctx context.Context, method string) (caller, error) {
	if len(s.opts.Clients) == 0 || !strings.HasPrefix(method, "/scv.v1.") {
		return caller{pii: true}, nil
	}
	need, known := methodScopes[method]
	md, _ := metadata.FromIncomingContext(ctx)
	auth := md.Get("authorization")
	if len(auth) != 1 {
		return caller{}, status.Error(codes.Unauthenticated, "missing bearer token: send the header authorization: Bearer <token>")
	}
	token, ok := strings.CutPrefix(auth[0], "Bearer ")
	if !ok {
		return caller{}, status.Error(codes.Unauthenticated, "the authorization header is not a bearer token")
	}
	digest := sha256.Sum256([]byte(token))
	var found *Client
	for i := range s.opts.Clients {
		// Every client is compared, so the time taken says nothing of
		// which one matched.
		if subtle.ConstantTimeCompare(digest[:], s.opts.Clients[i].TokenSHA256[:]) == 1 {
			found = &s.opts.Clients[i]
		}
	}
	if found == nil {
		return caller{}, status.Error(codes.Unauthenticated, "invalid bearer token")
	}
	c := caller{name: found.Name}
	has := func(scope string) bool {
		for _, s := range found.Scopes {
			if s == scope {
				return true
			}
		}
		return false
	}
	c.pii = has(ScopeReadPII)
	switch {
	case !known:
		return c, status.Errorf(codes.PermissionDenied, "method %s needs a scope no client holds", method)
	case has(need), need == ScopeRead && c.pii:
	default:
		return c, status.Errorf(codes.PermissionDenied, "client %q lacks the scope %q that %s needs", c.name, need, method)
	}
	return c, nil
}

// checkOpen refuses to serve on an address beyond loopback without
// clients: anyone who could reach it would read every profile.
func checkOpen(addr net.Addr, clients []Client) error {
	if len(clients) > 0 {
		return nil
	}
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || tcp.IP.IsLoopback() {
		return nil
	}
	return &OpenError{Addr: addr.String()}
}

// OpenError is returned by Serve for a listener beyond loopback when
// Options.Clients is empty.
type OpenError struct {
	Addr string
}

func (e *OpenError) Error() string {
	return "refusing to serve on " + e.Addr + " without client blocks: anyone who can reach it could read every profile; " +
		"add a client \"NAME\" { token = env(\"…\"), scopes = […] } block or listen on a loopback address such as 127.0.0.1"
}
