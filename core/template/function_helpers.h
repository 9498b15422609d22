#pragma once

#include <span>
#include <string>
#include <string_view>

#include "core/template/value.h"
#include "core/util/status.h"

// Helpers shared by the Prometheus and Alertmanager function maps; internal
// to core/template.
namespace vigil::gotmpl {

// "wrong type for value; expected string; got int" (Go's wording when a
// template passes the wrong type to a typed function parameter).
Status wrongType(std::string_view expected, const Value& got);
Result<std::string> stringArg(std::span<const Value> args, std::size_t i);

// prometheus/common/helpers/templates.ConvertToFloat: numbers, numeric
// strings and durations (in seconds).
Result<double> convertToFloat(const Value& v);
// Go's fmt.Sprintf("%.4g", v).
std::string format4g(double v);
// prometheus/common/helpers/templates.HumanizeDuration.
Result<Value> humanizeDuration(const Value& v);

// Title-cases words (golang.org/x/text/cases.Title): the first letter of
// each word upper-cased ("1st" -> "1St"); with `lowerRest` the other letters
// lower-cased.
// Letters, digits, '_' and an apostrophe, '.' or ':' between letters belong
// to a word. Non-ASCII bytes are copied unchanged.
std::string titleCase(std::string_view s, bool lowerRest);

// strings.Title (Prometheus 2.42's `title`): upper-cases every letter that
// follows a separator (anything but a letter, digit or '_').
std::string goStringsTitle(std::string_view s);

// regexp.MatchString(pattern, s) and regexp.MustCompile(pattern)
// .ReplaceAllString(text, repl) with Go's $1 / ${name} expansion (RE2).
Result<bool> regexMatch(std::string_view pattern, std::string_view text);
Result<std::string> regexReplaceAll(std::string_view pattern, std::string_view repl,
                                    std::string_view text);

// A template function of one string argument (Go's func(string) string).
Function stringFunction(std::string (*fn)(std::string_view));
// The functions Prometheus's and Alertmanager's maps share, with the same
// behaviour in both: toUpper, toLower, match, reReplaceAll, safeHtml.
void addSharedStringFunctions(FuncMap& f);

// strings.ToUpper / strings.ToLower (per code point, simple case mapping).
std::string toUpper(std::string_view s);
std::string toLower(std::string_view s);

}  // namespace vigil::gotmpl
