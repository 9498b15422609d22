#pragma once

// Decompression of gzip-encoded scrape responses (Content-Encoding: gzip).
// Concatenated gzip members are read one after another, like Go's
// gzip.Reader. The output is bounded so that a small compressed body cannot
// expand without limit (Prometheus's body_size_limit applies to the
// decompressed size).

#include <cstddef>
#include <string>
#include <string_view>

#include "core/util/status.h"

namespace vigil::scrape {

// True for a Content-Encoding header value that asks for gunzip.
bool isGzipEncoding(std::string_view contentEncoding);

// Decompresses `compressed` into `out` (replacing its contents). With
// `bodySizeLimit` > 0, fails with kResourceExhausted once the output would
// exceed that many bytes. Corrupt or truncated input fails with kCorruption
// and a message naming the compressed byte offset.
Status gunzip(std::string_view compressed, std::size_t bodySizeLimit, std::string& out);

}  // namespace vigil::scrape
