#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/labels.h"
#include "core/model/matcher.h"
#include "core/util/go_quote.h"  // goQuote, Go's %q
#include "core/util/status.h"

namespace vigil::notify {

// Alertmanager 0.25's matcher syntax (pkg/labels/parse.go), used by
// `matchers:` in routes and inhibit rules, silences and amtool:
// `name<op>value` with op =, !=, =~, !~; the value bare or double-quoted,
// with \" \\ \n escapes (any other backslash kept literally). Several
// matchers may be comma-separated and wrapped in {...}; commas inside quotes
// do not split; a trailing comma is tolerated.
Result<model::Matcher> parseAmMatcher(std::string_view text);
Result<std::vector<model::Matcher>> parseAmMatchers(std::string_view text);

// Sorts as Alertmanager does: by name, then value, then type.
void sortAmMatchers(std::vector<model::Matcher>& matchers);

// Canonical text: name<op>"value" with Go's strconv.Quote escaping.
std::string amMatcherText(const model::Matcher& matcher);
// {a="1",b=~"x"}: the form in route keys and amtool's tree.
std::string amMatchersText(const std::vector<model::Matcher>& matchers);
// {a="1", b="2"}: the form of group labels in group keys.
std::string amLabelSetText(const model::Labels& labels);

// The alert fingerprint: 64-bit FNV-1a over the sorted labels (name, 0xff,
// value, 0xff each), as prometheus/common's model.LabelSet.Fingerprint.
std::uint64_t amFingerprint(const model::Labels& labels);
// 16 lowercase hex digits.
std::string amFingerprintHex(const model::Labels& labels);

// Alertmanager's label name rule: [a-zA-Z_:][a-zA-Z0-9_:]* ... in 0.25 the
// matcher parser accepts exactly that.
bool isValidAmLabelName(std::string_view name);

}  // namespace vigil::notify
