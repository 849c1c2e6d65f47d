// wirekit/wire/http1/http1.hpp — the whole HTTP/1.1 message codec.
//
// Layer L2. Include this, or only the part you use:
//   parser.hpp      strict incremental head parser (requests, responses, trailers)
//   body.hpp        body framing (RFC 9112 §6), body decoder, persistence
//   fields.hpp      list splitting, token lookup
//   cookie.hpp      Cookie / Set-Cookie (RFC 6265)
//   date.hpp        HTTP-date (RFC 9110 §5.6.7)
//   status.hpp      status code registry
//   serializer.hpp  message_writer (requests, responses, chunked bodies)
// Guide: docs/http1.md.
#pragma once

#include "wirekit/wire/http1/body.hpp"        // body_framing, body_decoder
#include "wirekit/wire/http1/chars.hpp"       // character classes
#include "wirekit/wire/http1/cookie.hpp"      // cookies
#include "wirekit/wire/http1/date.hpp"        // HTTP-date
#include "wirekit/wire/http1/fields.hpp"      // list_elements
#include "wirekit/wire/http1/parser.hpp"      // request_parser, response_parser
#include "wirekit/wire/http1/serializer.hpp"  // message_writer
#include "wirekit/wire/http1/status.hpp"      // reason_phrase
