#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/util/status.h"

namespace vigil {

// Parses a Prometheus duration: "1h30m", "15s", "500ms", "2d", "1w", "1y".
// Units: ms, s, m, h, d, w, y; several may follow each other, largest first.
Result<std::chrono::milliseconds> parseDuration(std::string_view text);

// Formats a duration the way Prometheus prints it ("1h30m", "15s", "0s").
std::string formatDuration(std::chrono::milliseconds duration);

// Parses a byte size: "512", "64KB", "10GiB", "1.5MB". Prometheus's units
// (B, KB, MB, GB, TB, PB, EB, all powers of 1024) and the explicit IEC forms
// (KiB, MiB, GiB, TiB) are accepted.
Result<std::uint64_t> parseByteSize(std::string_view text);

// Formats a byte size with the largest IEC unit that keeps it whole ("10GiB").
std::string formatByteSize(std::uint64_t bytes);

}  // namespace vigil
