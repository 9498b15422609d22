#include "core/util/human_units.h"

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

namespace vigil {
namespace {

struct DurationUnit {
    std::string_view suffix;
    std::int64_t millis;
};

// Largest first: the order Prometheus requires them to appear in.
constexpr std::array<DurationUnit, 7> kDurationUnits = {{
    {"y", 365LL * 24 * 3600 * 1000},
    {"w", 7LL * 24 * 3600 * 1000},
    {"d", 24LL * 3600 * 1000},
    {"h", 3600LL * 1000},
    {"m", 60LL * 1000},
    {"s", 1000},
    {"ms", 1},
}};

}  // namespace

Result<std::chrono::milliseconds> parseDuration(std::string_view text) {
    const std::string quoted = "'" + std::string(text) + "'";
    if (text.empty())
        return Status::error("empty duration string");
    if (text == "0")
        return std::chrono::milliseconds(0);

    std::int64_t total = 0;
    std::size_t nextUnit = 0;  // index into kDurationUnits: units must descend
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t digitsEnd = pos;
        while (digitsEnd < text.size() &&
               std::isdigit(static_cast<unsigned char>(text[digitsEnd]))) {
            ++digitsEnd;
        }
        if (digitsEnd == pos)
            return Status::error("not a valid duration string: " + quoted);
        std::int64_t number = 0;
        auto [ptr, ec] = std::from_chars(text.data() + pos, text.data() + digitsEnd, number);
        if (ec != std::errc())
            return Status::error("duration out of range: " + quoted);
        (void)ptr;

        std::size_t unitEnd = digitsEnd;
        while (unitEnd < text.size() && std::isalpha(static_cast<unsigned char>(text[unitEnd]))) {
            ++unitEnd;
        }
        const std::string_view suffix = text.substr(digitsEnd, unitEnd - digitsEnd);
        std::size_t unit = nextUnit;
        while (unit < kDurationUnits.size() && kDurationUnits[unit].suffix != suffix)
            ++unit;
        if (unit == kDurationUnits.size()) {
            return Status::error("not a valid duration string: " + quoted +
                                 " (units are y, w, d, h, m, s, ms, largest first)");
        }
        if (number > std::numeric_limits<std::int64_t>::max() / kDurationUnits[unit].millis) {
            return Status::error("duration out of range: " + quoted);
        }
        total += number * kDurationUnits[unit].millis;
        if (total < 0)
            return Status::error("duration out of range: " + quoted);
        nextUnit = unit + 1;
        pos = unitEnd;
    }
    return std::chrono::milliseconds(total);
}

std::string formatDuration(std::chrono::milliseconds duration) {
    std::int64_t ms = duration.count();
    if (ms == 0)
        return "0s";
    std::string out;
    if (ms < 0) {
        out = "-";
        ms = -ms;
    }
    for (const auto& unit : kDurationUnits) {
        // Prometheus folds weeks and years back only when they divide exactly.
        if ((unit.suffix == "y" || unit.suffix == "w") && ms % unit.millis != 0)
            continue;
        if (ms >= unit.millis) {
            out += std::to_string(ms / unit.millis);
            out += unit.suffix;
            ms %= unit.millis;
        }
    }
    return out;
}

Result<std::uint64_t> parseByteSize(std::string_view text) {
    const std::string quoted = "'" + std::string(text) + "'";
    std::size_t end = 0;
    while (end < text.size() &&
           (std::isdigit(static_cast<unsigned char>(text[end])) || text[end] == '.')) {
        ++end;
    }
    if (end == 0)
        return Status::error("not a valid byte size: " + quoted);
    double number = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + end, number);
    if (ec != std::errc() || ptr != text.data() + end) {
        return Status::error("not a valid byte size: " + quoted);
    }
    std::string unit(text.substr(end));
    for (char& c : unit)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    struct SizeUnit {
        const char* name;
        int power;
    };
    static constexpr SizeUnit kUnits[] = {
        {"", 0},    {"B", 0},  {"KB", 1},  {"KIB", 1}, {"MB", 2},  {"MIB", 2}, {"GB", 3},
        {"GIB", 3}, {"TB", 4}, {"TIB", 4}, {"PB", 5},  {"PIB", 5}, {"EB", 6},  {"EIB", 6},
    };
    for (const auto& candidate : kUnits) {
        if (unit == candidate.name) {
            const double bytes = number * std::pow(1024.0, candidate.power);
            if (bytes >= 18446744073709551615.0)
                return Status::error("byte size out of range: " + quoted);
            return static_cast<std::uint64_t>(std::llround(bytes));
        }
    }
    return Status::error("unknown unit in byte size " + quoted +
                         " (use B, KB, MB, GB, TB or KiB, MiB, GiB, TiB)");
}

std::string formatByteSize(std::uint64_t bytes) {
    static constexpr const char* kNames[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    int unit = 0;
    while (unit < 6 && bytes != 0 && bytes % 1024 == 0) {
        bytes /= 1024;
        ++unit;
    }
    return std::to_string(bytes) + kNames[unit];
}

}  // namespace vigil
