#pragma once

// Renders everything a parser yields as text, one line per entry, so that
// tests compare whole parses with one QCOMPARE:
//   help NAME "TEXT" | type NAME TYPE | unit NAME UNIT | comment "TEXT"
//   series RAW => LABELS VALUE [@TS] [# EXEMPLAR-LABELS VALUE [@TS]]
//   end | error: MESSAGE

#include <charconv>
#include <cmath>
#include <string>

#include "core/scrape/exposition_parser.h"

namespace vigil::scrape::testing {

inline std::string formatValue(double v) {
    if (std::isnan(v))
        return "NaN";
    if (std::isinf(v))
        return v > 0 ? "+Inf" : "-Inf";
    char buf[64];
    auto [ptr, ec] = std::to_chars(buf, buf + sizeof(buf), v);
    (void)ec;
    return std::string(buf, ptr);
}

inline std::string traceEntry(ExpositionParser& p, Entry e) {
    switch (e) {
        case Entry::kHelp:
            return "help " + std::string(p.metadataName()) + " " + goQuote(p.help());
        case Entry::kType:
            return "type " + std::string(p.metadataName()) + " " +
                   std::string(metricTypeName(p.type()));
        case Entry::kUnit:
            return "unit " + std::string(p.metadataName()) + " " + std::string(p.unit());
        case Entry::kComment:
            return "comment " + goQuote(p.comment());
        case Entry::kSeries: {
            std::string s = "series " + std::string(p.series()) + " => " + p.labels().toString() +
                            " " + formatValue(p.value());
            if (auto ts = p.timestamp())
                s += " @" + std::to_string(*ts);
            Exemplar ex;
            if (p.exemplar(ex)) {
                s += " # " + ex.labels.toString() + " " + formatValue(ex.value);
                if (ex.timestamp)
                    s += " @" + std::to_string(*ex.timestamp);
            }
            return s;
        }
        case Entry::kEnd:
            return "end";
        case Entry::kInvalid:
            return "error: " + p.status().message();
    }
    return "?";
}

// The whole parse, entries joined by '\n', ending with "end" or "error: ...".
inline std::string trace(ExpositionParser& p) {
    std::string out;
    for (int guard = 0; guard < 100000; ++guard) {
        Entry e = p.next();
        if (!out.empty())
            out += '\n';
        out += traceEntry(p, e);
        if (e == Entry::kEnd || e == Entry::kInvalid)
            break;
    }
    return out;
}

// Just the final outcome: "end" or "error: ...".
inline std::string outcome(ExpositionParser& p) {
    for (;;) {
        Entry e = p.next();
        if (e == Entry::kEnd)
            return "end";
        if (e == Entry::kInvalid)
            return "error: " + p.status().message();
    }
}

}  // namespace vigil::scrape::testing
