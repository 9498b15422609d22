// timestamp: sets the entry's timestamp from an extracted value.
//   timestamp: {source, format, fallback_formats: [...], location: IANA,
//               action_on_failure: fudge|skip}
// `format` is a named Go format (RFC3339, ...), Unix/UnixMs/UnixUs/UnixNs or
// a Go layout. A layout without a year (no "06"/"2006") gets the current
// year, or the previous/next one across New Year as Promtail does. On
// failure, `fudge` (the default) sets the stream's last parsed timestamp
// plus 1 ns, `skip` leaves the timestamp alone. A missing source value
// leaves it alone too. `location` (an IANA zone, "Local" or "UTC") applies to
// custom layouts without an offset; named formats ignore it, as in Promtail.

#include <chrono>
#include <ctime>
#include <unordered_map>

#include "core/logs/pipeline/go_time_layout.h"
#include "core/logs/pipeline/stage_util.h"
#include "core/logs/pipeline/stages/stages.h"

namespace vigil::logs::pipeline::stages {
namespace {

struct Format {
    enum class Kind { kLayout, kUnix, kUnixMs, kUnixUs, kUnixNs };
    Kind kind = Kind::kLayout;
    std::string layout;
    bool noYear = false;
    // Promtail parses the named formats with time.Parse: `location` only
    // applies to custom layouts.
    bool useLocation = true;
};

bool parseInt(std::string_view s, std::int64_t* out) {
    if (s.empty())
        return false;
    bool neg = false;
    std::size_t i = 0;
    if (s[0] == '-' || s[0] == '+') {
        neg = s[0] == '-';
        i = 1;
    }
    if (i == s.size())
        return false;
    std::int64_t v = 0;
    for (; i < s.size(); ++i) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, s[i] - '0', &v))
            return false;
    }
    *out = neg ? -v : v;
    return true;
}

Format makeFormat(const std::string& text) {
    Format f;
    if (text == "Unix")
        f.kind = Format::Kind::kUnix;
    else if (text == "UnixMs")
        f.kind = Format::Kind::kUnixMs;
    else if (text == "UnixUs")
        f.kind = Format::Kind::kUnixUs;
    else if (text == "UnixNs")
        f.kind = Format::Kind::kUnixNs;
    else {
        const std::string_view named = namedGoLayout(text);
        f.layout = named.empty() ? text : std::string(named);
        f.useLocation = named.empty();
        f.noYear = f.layout.find("06") == std::string::npos;  // "2006" contains "06"
    }
    return f;
}

// The current UTC year and month, recomputed at most once a second.
int currentMonth(int* year) {
    thread_local std::time_t cachedAt = -1;
    thread_local int cachedYear = 0, cachedMonth = 0;
    const std::time_t now = std::time(nullptr);
    if (now != cachedAt) {
        std::tm tm{};
        gmtime_r(&now, &tm);
        cachedYear = tm.tm_year + 1900;
        cachedMonth = tm.tm_mon + 1;
        cachedAt = now;
    }
    *year = cachedYear;
    return cachedMonth;
}

class TimestampStage final : public Stage {
public:
    TimestampStage(std::string source, std::vector<Format> formats,
                   std::shared_ptr<const Location> location, bool fudge)
        : m_source(std::move(source)),
          m_formats(std::move(formats)),
          m_location(std::move(location)),
          m_fudge(fudge) {}

    Verdict process(Entry& entry, std::vector<Entry>&) override {
        const auto it = entry.extracted.find(m_source);
        if (it == entry.extracted.end())
            return Verdict::kKeep;
        TimestampNs ts = 0;
        bool parsed = false;
        for (const Format& f : m_formats)
            if ((parsed = parse(f, it->second, &ts)))
                break;
        if (parsed) {
            entry.tsNs = ts;
            if (m_fudge)
                remember(entry, ts);
            return Verdict::kKeep;
        }
        if (m_fudge) {
            const auto last = m_last.find(streamKey(entry));
            if (last != m_last.end()) {
                last->second += 1;
                entry.tsNs = last->second;
            }
        }
        return Verdict::kKeep;
    }

private:
    void remember(const Entry& entry, TimestampNs ts) {
        if (m_last.size() >= 10000)  // Promtail keeps an LRU of 10000 streams
            m_last.clear();
        m_last[streamKey(entry)] = ts;
    }

    bool parse(const Format& f, std::string_view v, TimestampNs* ts) {
        std::int64_t n = 0;
        switch (f.kind) {
            case Format::Kind::kUnix: {
                const std::size_t dot = v.find('.');
                if (dot != std::string_view::npos) {
                    std::int64_t sec = 0, frac = 0;
                    const std::string_view fs = v.substr(dot + 1);
                    if (fs.find('.') != std::string_view::npos ||
                        !parseInt(v.substr(0, dot), &sec) || !parseInt(fs, &frac) || fs.size() > 18)
                        return false;
                    std::int64_t ns = frac;
                    for (std::size_t k = fs.size(); k < 9; ++k)
                        ns *= 10;
                    for (std::size_t k = 9; k < fs.size(); ++k)
                        ns /= 10;
                    *ts = sec * 1'000'000'000 + ns;
                    return true;
                }
                if (!parseInt(v, &n))
                    return false;
                *ts = n * 1'000'000'000;
                return true;
            }
            case Format::Kind::kUnixMs:
                if (!parseInt(v, &n))
                    return false;
                *ts = n * 1'000'000;
                return true;
            case Format::Kind::kUnixUs:
                if (!parseInt(v, &n))
                    return false;
                *ts = n * 1'000;
                return true;
            case Format::Kind::kUnixNs:
                if (!parseInt(v, &n))
                    return false;
                *ts = n;
                return true;
            case Format::Kind::kLayout:
                break;
        }
        GoTimeFields& t = m_fields;
        if (!tryParseGoTimeFields(f.layout, v, &t))
            return false;
        if (f.noYear) {
            if (t.year != 0)
                return false;  // "timestamp is expected to not contain the year"
            int year = 0;
            const int month = currentMonth(&year);
            if (t.month == 12 && month == 1)
                t.year = year - 1;
            else if (t.month == 1 && month == 12)
                t.year = year + 1;
            else
                t.year = year;
            if (t.month == 2 && t.day == 29 &&
                !(t.year % 4 == 0 && (t.year % 100 != 0 || t.year % 400 == 0))) {
                // Go's AddDate normalises Feb 29 of a non-leap year to Mar 1.
                t.month = 3;
                t.day = 1;
            }
        }
        *ts = goTimeToUnixNs(t, f.useLocation ? m_location.get() : nullptr);
        return true;
    }

    std::string m_source;
    std::vector<Format> m_formats;
    std::shared_ptr<const Location> m_location;
    bool m_fudge;
    std::unordered_map<std::uint64_t, TimestampNs> m_last;
    GoTimeFields m_fields;  // reused: no allocation per parse
};

}  // namespace

StagePtr makeTimestamp(const YAML::Node& node, const std::string& path,
                       config::ConfigErrors& errors) {
    const std::size_t before = errors.errors().size();
    config::YamlMapReader r(node, errors, path);
    std::string source, format, location, action = "fudge";
    std::vector<std::string> fallback;
    readRequired(r, node, "source", source);
    readRequired(r, node, "format", format);
    r.read("fallback_formats", fallback);
    r.read("location", location);
    r.readEnum("action_on_failure", action, {"fudge", "skip"});
    r.finish();
    std::shared_ptr<const Location> loc;
    if (!location.empty()) {
        auto loaded = Location::load(location);
        if (!loaded.isOk())
            errors.add(r.child("location").Mark(),
                       r.childPath("location") +
                           ": invalid location specified: " + loaded.status().message());
        else
            loc = loaded.value();
    }
    if (errors.errors().size() != before)
        return nullptr;
    std::vector<Format> formats;
    formats.push_back(makeFormat(format));
    for (const std::string& f : fallback)
        formats.push_back(makeFormat(f));
    return std::make_unique<TimestampStage>(std::move(source), std::move(formats), std::move(loc),
                                            action == "fudge");
}

}  // namespace vigil::logs::pipeline::stages
