#ifndef VMQ_EXPOSE_HTTP_CONTENT_H_
#define VMQ_EXPOSE_HTTP_CONTENT_H_

// Pieces of HTTP handling that need no network library, kept out of the Beast translation
// unit (which compiles slowly) and tested on their own.

#include <optional>
#include <string>
#include <string_view>

namespace vmq::expose::detail {

// gzip (RFC 1952) of `text`, as a scraper asking `Accept-Encoding: gzip` expects.
std::string Gzip(std::string_view text);

// Whether an Accept-Encoding value allows gzip (a `gzip` or `*` token not given q=0).
bool AcceptsGzip(std::string_view accept_encoding);

// The path of a request target: the query is dropped and %XX escapes decoded. Nullopt for a
// malformed escape or a target that is not an absolute path.
std::optional<std::string> RequestPath(std::string_view target);

}  // namespace vmq::expose::detail

#endif  // VMQ_EXPOSE_HTTP_CONTENT_H_
