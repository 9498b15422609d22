#pragma once

// Decoding of Loki push requests (POST /loki/api/v1/push) into LogStreams:
// JSON and snappy-compressed protobuf logproto.PushRequest. The shapes are in
// ../shared/conformance/loki/LOGQL.md §5.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/logs/log_store_api.h"
#include "core/util/status.h"

namespace vigil::logs::push {

// {"streams":[{"stream":{"k":"v"},"values":[["<ns>","line"],["<ns>","line",{"k":"v"}]]}]}
// Timestamps must be strings of decimal nanoseconds (Loki refuses numbers).
// Errors name the stream and value index. Invalid label names are left to
// the store (which counts them); a JSON syntax error names the byte offset.
Status decodePushJson(std::string_view body, std::vector<LogStream>& out);

// A snappy block-compressed logproto.PushRequest. Fails with
// kResourceExhausted when the body decompresses to more than `maxDecodedBytes`.
Status decodePushProtobuf(std::string_view body, std::uint64_t maxDecodedBytes,
                          std::vector<LogStream>& out);

// Parses a label set in selector syntax: `{app="shop", env="prod"}` (Go
// string escapes in values). The error names the position.
Result<model::Labels> parseLabelSelector(std::string_view text);

}  // namespace vigil::logs::push
