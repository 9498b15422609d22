#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/template/value.h"
#include "core/util/status.h"

// A Go text/template engine: the language Prometheus alerting-rule
// labels/annotations and Alertmanager notification templates are written in.
// It follows Go 1.19's text/template, the version Alertmanager 0.25 and
// Prometheus 2.42 are built with (so no `else with`, no range over an int);
// tests/core/template holds the cases checked against amtool and promtool.
//
// Supported: {{ }} with {{- -}} trimming, comments, pipelines, variables
// ($x := / $x = / $), field chains (.a.b, $x.a, (pipeline).a), literals
// (strings with Go escapes, raw strings, chars, ints, floats, true/false/nil),
// if/else if/else, range (with $i, $e :=, else, break, continue), with/else,
// define/template/block, and the builtins and, or, not, eq, ne, lt, le, gt,
// ge, len, index, slice, print, printf, println, html, js, urlquery.
// Not supported: `call` (Values hold no functions), and html/template's
// contextual escaping (see Options::htmlEscape for what is done instead).
//
// Errors follow Go's wording so users see what they would see upstream:
//   parse:     template: NAME:LINE: function "foo" not defined
//   execution: template: NAME:LINE:COL: executing "NAME" at <.Foo>: ...
// (Go's parse errors carry no column; execution errors do, as a 0-based byte
// offset in the line.) One known difference: a function given an argument of
// the wrong type fails with "error calling NAME: wrong type for value; ..."
// where Go names the argument ("expected string; found 1").
namespace vigil::gotmpl {

// What `.key` on a map without that key yields (Go's Option("missingkey=…")).
//  kDefault: "<no value>" when printed (Go's default).
//  kZero:    the map's zero value (Value::map's `zero`; "" for label maps).
//            Both Prometheus (template.Expander) and Alertmanager parse with
//            missingkey=zero, so `{{ $labels.nosuch }}` prints "".
//  kError:   execution error "map has no entry for key".
enum class MissingKey { kDefault, kZero, kError };

struct Options {
    MissingKey missingKey = MissingKey::kDefault;
    // Approximates html/template for HTML documents (Alertmanager's
    // email.*.html): every value an action prints is escaped with
    // html/template's HTML escaper (& < > " ' + NUL) unless it is
    // Value::safeHtml; output of {{template}} is not escaped again; <!-- -->
    // comments in the template text are dropped. Not contextual: URLs, JS
    // and CSS contexts get the same HTML escaping (html/template would also
    // percent-encode URLs and reject javascript: ones).
    bool htmlEscape = false;
};

struct ParsedTree;  // internal AST, defined in parse_tree.h

// A set of named templates sharing one function map, like Go's *Template
// (the root template plus every {{define}} seen by parse()).
//
// Usage (alerting rules use expandAlertTemplate, notifications
// loadAlertmanagerTemplates + executeAlertmanagerString, which wrap this):
//   Template t("report", {}, myFunctions);
//   if (auto st = t.parse(text); !st.isOk()) ...
//   Result<std::string> out = t.execute(data);
//
// Thread-safety: parse()/addFunctions() must not run concurrently with
// anything else; after parsing, execute()/executeTemplate()/has() are const
// and may run from many threads at once (functions in the FuncMap must then
// be thread-safe themselves).
class Template {
public:
    // `functions` are added on top of the builtins (a caller's function with a
    // builtin's name replaces it, as Go's Funcs does).
    explicit Template(std::string name, Options options = {}, FuncMap functions = {});
    ~Template();
    Template(Template&&) noexcept;
    Template& operator=(Template&&) noexcept;
    Template(const Template&) = delete;
    Template& operator=(const Template&) = delete;

    const std::string& name() const { return m_name; }
    const Options& options() const { return m_options; }

    // A copy sharing the parsed trees (cheap); parsing into the copy does not
    // affect this one (Go's Clone, used to execute ad-hoc strings against a
    // loaded template set).
    Template clone() const;

    // Adds or replaces functions. Must be called before parse() of text that
    // uses them: calling an unknown function is a parse error, as in Go.
    void addFunctions(const FuncMap& functions);

    // Parses `text` as the body of this template (`name()`); every
    // {{define "x"}} in it is added to the set, replacing an earlier
    // definition (Go's rule: a non-empty redefinition replaces). Error
    // positions name `name()`.
    Status parse(std::string_view text);
    // Parses `text` as the template called `name` (Go's t.New(name).Parse(text),
    // how Alertmanager loads each template file). Its defines join the set.
    Status parseNamed(std::string_view name, std::string_view text);

    // True if a template `name` is defined (and non-empty or explicitly
    // defined).
    bool has(std::string_view name) const;

    // Executes the root template / a named one with `data` as dot. Errors:
    // unknown template name, or any execution error (Go's wording, naming
    // the template and position).
    Result<std::string> execute(const Value& data) const;
    Result<std::string> executeTemplate(std::string_view name, const Value& data) const;
    // As executeTemplate, with `overlay` consulted before the template's own
    // functions: per-execution implementations of functions the template
    // was parsed with (e.g. `query` bound to this evaluation's time), without
    // copying the function map.
    Result<std::string> executeTemplate(std::string_view name, const Value& data,
                                        const FuncMap& overlay) const;

private:
    Result<std::string> executeWith(std::string_view name, const Value& data,
                                    const FuncMap* overlay) const;

    std::string m_name;
    Options m_options;
    // Shared between clones; copied on write by addFunctions().
    std::shared_ptr<const FuncMap> m_functions;
    // All defined templates by name; shared so Template stays movable and a
    // parsed set can be executed concurrently.
    std::map<std::string, std::shared_ptr<const ParsedTree>, std::less<>> m_trees;
};

// The builtin functions (and, or, not, len, index, slice, print, printf,
// println, html, js, urlquery, eq, ne, lt, le, gt, ge). `and`/`or` are
// short-circuit and are handled by the executor; they appear here so that
// parse() knows their names.
const FuncMap& builtinFunctions();

// Go's fmt.Sprintf for the verbs templates use (%s %d %f %g %e %v %q %x %X
// %t %c %o %b %%, flags "+- #0", width, precision, '*'). Wrong types print as
// Go does ("%!d(string=foo)"); missing/extra operands as "%!d(MISSING)" /
// "%!(EXTRA string=x)".
std::string goSprintf(std::string_view format, std::span<const Value> args);
// Go's fmt.Sprint / fmt.Sprintln over Values (Sprint adds spaces between
// operands when neither side is a string).
std::string goSprint(std::span<const Value> args);
std::string goSprintln(std::span<const Value> args);

// text/template's HTMLEscapeString, JSEscapeString, URLQueryEscaper.
std::string htmlEscape(std::string_view s);
std::string jsEscape(std::string_view s);
std::string urlQueryEscape(std::string_view s);

}  // namespace vigil::gotmpl
