#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/labels.h"
#include "core/util/status.h"

namespace re2 {
class RE2;
}

namespace vigil::model {

enum class MatchType { kEqual, kNotEqual, kRegexp, kNotRegexp };

// A label matcher as PromQL writes it: name="v", name!="v", name=~"re",
// name!~"re". Regular expressions are RE2, fully anchored, as in Prometheus.
// An absent label matches as the empty string.
// Thread-safe: a Matcher is immutable once built and may be shared.
class Matcher {
public:
    static Result<Matcher> make(MatchType type, std::string name, std::string value);

    MatchType type() const { return m_type; }
    const std::string& name() const { return m_name; }
    const std::string& value() const { return m_value; }

    bool matches(std::string_view value) const;
    bool matches(const Labels& labels) const { return matches(labels.get(m_name)); }
    // True when the matcher accepts the empty string (so it also selects
    // series that lack the label).
    bool matchesEmpty() const { return m_matchesEmpty; }

    // `job="node"`, `path=~"/api/.*"`.
    std::string toString() const;

private:
    Matcher() = default;

    MatchType m_type = MatchType::kEqual;
    std::string m_name;
    std::string m_value;
    std::shared_ptr<const re2::RE2> m_regex;  // set for the regexp types
    bool m_matchesEmpty = false;
};

const char* matchTypeToString(MatchType type);

// True when every matcher accepts `labels`.
bool matchesAll(const std::vector<Matcher>& matchers, const Labels& labels);

}  // namespace vigil::model
