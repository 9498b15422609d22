#include "core/scrape/gzip.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <limits>

namespace vigil::scrape {

bool isGzipEncoding(std::string_view contentEncoding) {
    while (!contentEncoding.empty() && contentEncoding.front() == ' ')
        contentEncoding.remove_prefix(1);
    while (!contentEncoding.empty() && contentEncoding.back() == ' ')
        contentEncoding.remove_suffix(1);
    if (contentEncoding.size() != 4)
        return false;
    std::string lower(contentEncoding);
    for (char& c : lower)
        c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    return lower == "gzip";
}

Status gunzip(std::string_view compressed, std::size_t bodySizeLimit, std::string& out) {
    out.clear();
    if (compressed.empty())
        return Status::corruption("gzip: empty body");
    z_stream zs;
    std::memset(&zs, 0, sizeof(zs));
    // 16 + MAX_WBITS: expect a gzip header and trailer (not raw zlib).
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
        return Status::error(Status::Code::kInternal, "gzip: cannot initialise zlib");
    struct Guard {
        z_stream* zs;
        ~Guard() { inflateEnd(zs); }
    } guard{&zs};

    const std::size_t limit =
        bodySizeLimit > 0 ? bodySizeLimit : std::numeric_limits<std::size_t>::max();
    std::size_t inPos = 0;
    // Start with a guess of 4x the input, bounded by the limit (+1 to detect
    // going over it).
    std::size_t capacity =
        std::min<std::size_t>(std::max<std::size_t>(compressed.size() * 4, 4096),
                              limit == std::numeric_limits<std::size_t>::max() ? limit : limit + 1);
    out.resize(capacity);
    std::size_t produced = 0;
    for (;;) {
        const std::size_t inChunk = std::min<std::size_t>(compressed.size() - inPos, 1U << 30);
        zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data() + inPos));
        zs.avail_in = static_cast<uInt>(inChunk);
        if (produced == out.size()) {
            if (produced > limit) {
                out.clear();
                return Status::error(
                    Status::Code::kResourceExhausted,
                    "body size limit exceeded: the decompressed body is larger than " +
                        std::to_string(bodySizeLimit) + " bytes");
            }
            std::size_t grow = std::max<std::size_t>(out.size(), 4096);
            std::size_t next = out.size() + grow;
            if (limit != std::numeric_limits<std::size_t>::max())
                next = std::min(next, limit + 1);
            out.resize(next);
        }
        const std::size_t outChunk = std::min<std::size_t>(out.size() - produced, 1U << 30);
        zs.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
        zs.avail_out = static_cast<uInt>(outChunk);
        const int rc = inflate(&zs, Z_NO_FLUSH);
        inPos += inChunk - zs.avail_in;
        produced += outChunk - zs.avail_out;
        if (produced > limit) {
            out.clear();
            return Status::error(Status::Code::kResourceExhausted,
                                 "body size limit exceeded: the decompressed body is larger than " +
                                     std::to_string(bodySizeLimit) + " bytes");
        }
        if (rc == Z_STREAM_END) {
            // Another gzip member may follow (multistream, as Go reads it).
            if (inPos < compressed.size()) {
                if (inflateReset(&zs) != Z_OK)
                    return Status::error(Status::Code::kInternal, "gzip: cannot reset zlib");
                continue;
            }
            break;
        }
        if (rc == Z_BUF_ERROR && zs.avail_out != 0) {
            out.clear();
            return Status::corruption("gzip: unexpected end of data after " +
                                      std::to_string(inPos) + " compressed bytes");
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            out.clear();
            return Status::corruption("gzip: invalid data at compressed byte " +
                                      std::to_string(inPos) + ": " +
                                      (zs.msg ? zs.msg : "inflate failed"));
        }
        if (inPos >= compressed.size() && zs.avail_out != 0) {
            out.clear();
            return Status::corruption("gzip: unexpected end of data after " +
                                      std::to_string(inPos) + " compressed bytes");
        }
    }
    out.resize(produced);
    return Status::ok();
}

}  // namespace vigil::scrape
