package server

import (
	"sync"

	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/mem"

	// Registers the "proto" codec that codec wraps.
	_ "google.golang.org/grpc/encoding/proto"
)

// codec is the server's protobuf codec. gRPC reports a request that its
// codec cannot decode (invalid UTF-8 in a string field, bytes that are no
// message) as INTERNAL, which blames the server for the client's input.
// So codec decodes as the standard codec does, but on failure it keeps the
// error for the message and returns nil; the interceptors find it by the
// message and answer INVALID_ARGUMENT.
type codec struct {
	encoding.CodecV2
	mu     sync.Mutex
	failed map[any]error // guarded by mu; an entry lives from decoding to the interceptor
}

func newCodec() *codec {
	return &codec{CodecV2: encoding.GetCodecV2("proto"), failed: make(map[any]error)}
}

// Unmarshal decodes data into v, keeping any error for decodeError.
func (c *codec) Unmarshal(data mem.BufferSlice, v any) error {
	if err := c.CodecV2.Unmarshal(data, v); err != nil {
		c.mu.Lock()
		c.failed[v] = err
		c.mu.Unlock()
	}
	return nil
}

// decodeError returns, once, the INVALID_ARGUMENT error of a message that
// failed to decode, or nil.
func (c *codec) decodeError(v any) error {
	c.mu.Lock()
	err, ok := c.failed[v]
	delete(c.failed, v)
	c.mu.Unlock()
	if !ok {
		return nil
	}
	bad := &badRequestError{reason: reasonMalformed}
	bad.add("", "the request is not a valid message of its type: "+clipTo(err.Error(), 2*maxEcho))
	return bad
}
