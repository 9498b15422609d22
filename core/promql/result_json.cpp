#include "core/promql/result_json.h"

#include <cstdio>

#include "core/util/go_float.h"

namespace vigil::promql {

void appendJsonString(std::string& out, std::string_view s) {
    static const char* kHex = "0123456789abcdef";
    out += '"';
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        switch (c) {
            case '"':
                out += "\\\"";
                continue;
            case '\\':
                out += "\\\\";
                continue;
            case '\n':
                out += "\\n";
                continue;
            case '\r':
                out += "\\r";
                continue;
            case '\t':
                out += "\\t";
                continue;
            default:
                break;
        }
        if (c < 0x20 || c == '<' || c == '>' || c == '&') {
            out += "\\u00";
            out += kHex[c >> 4];
            out += kHex[c & 15];
            continue;
        }
        // U+2028 and U+2029 (E2 80 A8 / E2 80 A9).
        if (c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
            (static_cast<unsigned char>(s[i + 2]) == 0xA8 ||
             static_cast<unsigned char>(s[i + 2]) == 0xA9)) {
            out += static_cast<unsigned char>(s[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
            i += 2;
            continue;
        }
        out += static_cast<char>(c);
    }
    out += '"';
}

void appendJsonTimestamp(std::string& out, std::int64_t t) {
    if (t < 0) {
        out += '-';
        t = -t;
    }
    out += std::to_string(t / 1000);
    const std::int64_t fraction = t % 1000;
    if (fraction != 0) {
        out += '.';
        if (fraction < 100)
            out += '0';
        if (fraction < 10)
            out += '0';
        out += std::to_string(fraction);
    }
}

namespace {

void appendMetric(std::string& out, const model::Labels& labels) {
    out += "\"metric\":{";
    bool first = true;
    for (const auto& l : labels) {
        if (!first)
            out += ',';
        first = false;
        appendJsonString(out, l.name);
        out += ':';
        appendJsonString(out, l.value);
    }
    out += '}';
}

void appendPoint(std::string& out, std::int64_t t, double v) {
    out += '[';
    appendJsonTimestamp(out, t);
    out += ",\"";
    appendFloatF(out, v);
    out += "\"]";
}

}  // namespace

std::string renderResultJson(const Value& value) {
    std::string out = "{\"status\":\"success\",\"data\":{\"resultType\":\"";
    switch (value.type) {
        case ValueType::kScalar:
            out += "scalar\",\"result\":";
            appendPoint(out, value.scalar.t, value.scalar.v);
            break;
        case ValueType::kString:
            out += "string\",\"result\":[";
            appendJsonTimestamp(out, value.string.t);
            out += ',';
            appendJsonString(out, value.string.v);
            out += ']';
            break;
        case ValueType::kVector: {
            out += "vector\",\"result\":[";
            bool first = true;
            for (const auto& s : value.vector) {
                if (!first)
                    out += ',';
                first = false;
                out += '{';
                appendMetric(out, s.labels);
                out += ",\"value\":";
                appendPoint(out, s.t, s.v);
                out += '}';
            }
            out += ']';
            break;
        }
        case ValueType::kMatrix:
        case ValueType::kNone: {
            out += "matrix\",\"result\":[";
            bool first = true;
            for (const auto& s : value.matrix) {
                if (!first)
                    out += ',';
                first = false;
                out += '{';
                appendMetric(out, s.labels);
                out += ",\"values\":[";
                for (std::size_t i = 0; i < s.points.size(); ++i) {
                    if (i)
                        out += ',';
                    appendPoint(out, s.points[i].t, s.points[i].v);
                }
                out += "]}";
            }
            out += ']';
            break;
        }
    }
    out += "}}";
    return out;
}

std::string renderErrorJson(std::string_view errorType, std::string_view message) {
    std::string out = "{\"status\":\"error\",\"errorType\":";
    appendJsonString(out, errorType);
    out += ",\"error\":";
    appendJsonString(out, message);
    out += '}';
    return out;
}

std::string errorTypeFor(const Status& status, bool parseError) {
    if (parseError)
        return "bad_data";
    switch (status.code()) {
        case Status::Code::kCancelled:
            return "canceled";
        case Status::Code::kTimeout:
            return "timeout";
        default:
            return "execution";
    }
}

}  // namespace vigil::promql
