#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "core/model/labels.h"
#include "core/util/status.h"

// The dynamic values a Go text/template executes over. Go templates walk
// arbitrary Go data by reflection; Vigil's callers build the same shapes from
// this small closed set: nil, bool, int64, double, string, list, map (string
// keys, ranged in sorted key order like Go), struct (named fields), plus the
// two Go types templates print specially: time.Time and time.Duration.
//
// Lists, maps and structs may carry a MethodTable: the Go methods of the type
// they stand for (Alertmanager's KV.SortedPairs, Alerts.Firing, ...). A field
// chain `.X` looks up a method named X first, then a struct field / map key,
// exactly as text/template does.
//
// Values are immutable once built; copying one is cheap (composites are
// shared). Thread-safety: a Value may be read from any number of threads.
namespace vigil::gotmpl {

class Value;

// A Go method. `self` is the receiver value; `args` are the arguments written
// in the template after the method name (`.Remove "a" "b"` -> {"a","b"}),
// plus the piped value last. The engine checks the count against
// [minArgs, maxArgs] (maxArgs -1 = any) and reports Go's "wrong number of
// args for NAME: want N got M". Return an error Status to stop execution; its
// message is reported as Go does ("error calling Remove: <message>").
// Assigning a bare callable accepts any number of arguments.
struct Method {
    using Fn = std::function<Result<Value>(const Value& self, std::span<const Value> args)>;
    Fn fn;
    int minArgs = 0;
    int maxArgs = -1;

    Method() = default;
    template <typename F, typename = std::enable_if_t<
                              std::is_invocable_v<F&, const Value&, std::span<const Value>>>>
    Method(F f, int min = 0, int max = -1)  // NOLINT(google-explicit-constructor)
        : fn(std::move(f)), minArgs(min), maxArgs(max) {}
};

struct MethodTable {
    std::string typeName;  // used in error messages ("template.KV")
    std::map<std::string, Method, std::less<>> methods;
};

using List = std::vector<Value>;
using Map = std::map<std::string, Value, std::less<>>;

// time.Time: instant plus the zone it is shown in (Go prints
// "2006-01-02 15:04:05.999999999 -0700 MST").
struct TimeValue {
    std::int64_t unixSeconds = 0;    // Go's zero time is -62135596800
    std::int32_t nanos = 0;          // [0, 1e9)
    std::int32_t offsetSeconds = 0;  // east of UTC
    std::string zone = "UTC";        // abbreviation printed by %v / MST
};

// time.Duration in nanoseconds (Go prints "1h2m3.5s").
struct DurationValue {
    std::int64_t nanos = 0;
};

// A struct-like value: named fields plus, optionally, a resolver for fields
// that are expensive to build and should be produced only when a template
// names them. A field that neither has nor resolves is an execution error
// ("can't evaluate field X in type T"), as in Go.
struct StructData {
    std::string typeName;  // "template.Alert"; used in error messages
    // In declaration order (Go prints a struct's fields in that order).
    std::vector<std::pair<std::string, Value>> fields;
    // Optional: consulted when `fields` has no entry. Return nullopt for "no
    // such field". Called on every access (no caching) and from whichever
    // thread executes the template, so it must be thread-safe if the Value is
    // shared.
    std::function<std::optional<Value>(std::string_view name)> resolve;
    std::shared_ptr<const MethodTable> methods;

    // The field called `name` in `fields`, or null.
    const Value* field(std::string_view name) const;
};

class Value {
public:
    enum class Kind { kNil, kBool, kInt, kFloat, kString, kList, kMap, kStruct, kTime, kDuration };

    Value() = default;                                                               // nil
    Value(std::nullptr_t) {}                                                         // NOLINT
    Value(bool b) : m_data(b) {}                                                     // NOLINT
    Value(int v) : m_data(static_cast<std::int64_t>(v)) {}                           // NOLINT
    Value(std::int64_t v) : m_data(v) {}                                             // NOLINT
    Value(double v) : m_data(v) {}                                                   // NOLINT
    Value(std::string s) : m_data(std::move(s)) {}                                   // NOLINT
    Value(std::string_view s) : m_data(std::string(s)) {}                            // NOLINT
    Value(const char* s) : m_data(std::string(s)) {}                                 // NOLINT
    Value(TimeValue t) : m_data(std::make_shared<const TimeValue>(std::move(t))) {}  // NOLINT
    Value(DurationValue d) : m_data(d) {}                                            // NOLINT

    // Composites. `methods` may be null. `zero` is what a missing map key
    // yields under MissingKey::kZero (Go's zero value of the element type:
    // "" for map[string]string, nil for map[string]interface{}).
    static Value list(List items, std::shared_ptr<const MethodTable> methods = nullptr);
    static Value map(Map entries, std::shared_ptr<const MethodTable> methods = nullptr,
                     Value zero = Value());
    static Value object(StructData data);
    // Labels as Go's map[string]string (missing key under kZero -> "").
    static Value fromLabels(const model::Labels& labels,
                            std::shared_ptr<const MethodTable> methods = nullptr);
    static Value stringMap(Map entries, std::shared_ptr<const MethodTable> methods = nullptr);
    // A string html/template-style output must not escape (Go's
    // template.HTML, returned by `safeHtml`). kind() is kString.
    static Value safeHtml(std::string html);

    Kind kind() const;
    bool isNil() const { return kind() == Kind::kNil; }
    bool isSafeHtml() const;

    // Accessors. REQUIRES: kind() matches.
    bool asBool() const;
    std::int64_t asInt() const;
    double asFloat() const;
    const std::string& asString() const;
    const List& asList() const;
    const Map& asMap() const;
    const Value& mapZero() const;
    const StructData& asStruct() const;
    const TimeValue& asTime() const;
    DurationValue asDuration() const;

    // The method table of a list, map or struct; null otherwise.
    const MethodTable* methods() const;

    // Go's truth (if/with/and/or/not): false, 0, "", nil, empty list/map are
    // false; structs and times are true.
    bool truthy() const;

    // Go's fmt %v of this value ("<no value>" for nil is the template
    // printer's job, fmt prints "<nil>"): numbers as Go prints float64/int,
    // lists "[a b]", maps "map[k:v]", structs "{v1 v2}" in field order of
    // the sorted field names.
    std::string toString() const;

    // Go type name for error messages ("string", "float64", "[]interface {}").
    std::string typeName() const;

private:
    struct ListData;  // defined in value.cpp (need the complete Value)
    struct MapData;
    struct SafeHtml {
        std::string text;
    };
    std::variant<std::monostate, bool, std::int64_t, double, std::string, SafeHtml,
                 std::shared_ptr<const ListData>, std::shared_ptr<const MapData>,
                 std::shared_ptr<const StructData>, std::shared_ptr<const TimeValue>, DurationValue>
        m_data;
};

// A template function (FuncMap entry). `args` are the evaluated arguments
// (for the last command of a pipeline the piped value comes last, as in Go).
// The engine checks the argument count against [minArgs, maxArgs] before the
// call (maxArgs -1 = variadic) and reports Go's "wrong number of args for
// NAME: want N got M". An error Status stops execution; the engine reports
// "error calling NAME: <message>".
struct Function {
    std::function<Result<Value>(std::span<const Value> args)> fn;
    int minArgs = 0;
    int maxArgs = -1;
};

using FuncMap = std::map<std::string, Function, std::less<>>;

}  // namespace vigil::gotmpl
