#include "core/model/matcher.h"

#include <re2/re2.h>

namespace vigil::model {

Result<Matcher> Matcher::make(MatchType type, std::string name, std::string value) {
    Matcher m;
    m.m_type = type;
    m.m_name = std::move(name);
    m.m_value = std::move(value);
    if (type == MatchType::kRegexp || type == MatchType::kNotRegexp) {
        RE2::Options options;
        options.set_log_errors(false);
        options.set_dot_nl(true);  // Prometheus compiles with (?s)
        auto regex = std::make_shared<RE2>("^(?:" + m.m_value + ")$", options);
        if (!regex->ok()) {
            return Status::error("invalid regular expression in matcher " + m.m_name +
                                 matchTypeToString(type) + "\"" + m.m_value +
                                 "\": " + regex->error());
        }
        m.m_regex = std::move(regex);
    }
    m.m_matchesEmpty = m.matches(std::string_view());
    return m;
}

bool Matcher::matches(std::string_view value) const {
    switch (m_type) {
        case MatchType::kEqual:
            return value == m_value;
        case MatchType::kNotEqual:
            return value != m_value;
        case MatchType::kRegexp:
            return RE2::FullMatch(value, *m_regex);
        case MatchType::kNotRegexp:
            return !RE2::FullMatch(value, *m_regex);
    }
    return false;
}

const char* matchTypeToString(MatchType type) {
    switch (type) {
        case MatchType::kEqual:
            return "=";
        case MatchType::kNotEqual:
            return "!=";
        case MatchType::kRegexp:
            return "=~";
        case MatchType::kNotRegexp:
            return "!~";
    }
    return "?";
}

std::string Matcher::toString() const {
    return m_name + matchTypeToString(m_type) + "\"" + escapeLabelValue(m_value) + "\"";
}

bool matchesAll(const std::vector<Matcher>& matchers, const Labels& labels) {
    for (const auto& m : matchers) {
        if (!m.matches(labels))
            return false;
    }
    return true;
}

}  // namespace vigil::model
