// text/template's builtin functions (text/template/funcs.go).
#include <string>

#include "core/template/template.h"

namespace vigil::gotmpl {
namespace {

using K = Value::Kind;

enum class BasicKind { kInvalid, kBool, kInt, kFloat, kString, kOther };

BasicKind basicKind(const Value& v) {
    switch (v.kind()) {
        case K::kNil:
            return BasicKind::kInvalid;
        case K::kBool:
            return BasicKind::kBool;
        case K::kInt:
        case K::kDuration:
            return BasicKind::kInt;
        case K::kFloat:
            return BasicKind::kFloat;
        case K::kString:
            return BasicKind::kString;
        default:
            return BasicKind::kOther;
    }
}

std::int64_t intOf(const Value& v) {
    return v.kind() == K::kDuration ? v.asDuration().nanos : v.asInt();
}

Result<bool> equal(const Value& a, const Value& b) {
    BasicKind ka = basicKind(a), kb = basicKind(b);
    if (ka != kb) {
        if (!a.isNil() && !b.isNil())
            return Status::error("incompatible types for comparison");
        return false;
    }
    switch (ka) {
        case BasicKind::kInvalid:
            return true;
        case BasicKind::kBool:
            return a.asBool() == b.asBool();
        case BasicKind::kInt:
            return intOf(a) == intOf(b);
        case BasicKind::kFloat:
            return a.asFloat() == b.asFloat();
        case BasicKind::kString:
            return a.asString() == b.asString();
        case BasicKind::kOther:
            if (a.kind() == K::kTime && b.kind() == K::kTime)
                return a.asTime().unixSeconds == b.asTime().unixSeconds &&
                       a.asTime().nanos == b.asTime().nanos;
            return Status::error("non-comparable type " + a.toString() + ": " + a.typeName());
    }
    return false;
}

Result<bool> less(const Value& a, const Value& b) {
    BasicKind ka = basicKind(a), kb = basicKind(b);
    if (ka == BasicKind::kBool || ka == BasicKind::kOther || ka == BasicKind::kInvalid ||
        kb == BasicKind::kBool || kb == BasicKind::kOther || kb == BasicKind::kInvalid)
        return Status::error("invalid type for comparison");
    if (ka != kb)
        return Status::error("incompatible types for comparison");
    switch (ka) {
        case BasicKind::kInt:
            return intOf(a) < intOf(b);
        case BasicKind::kFloat:
            return a.asFloat() < b.asFloat();
        case BasicKind::kString:
            return a.asString() < b.asString();
        default:
            return Status::error("invalid type for comparison");
    }
}

// text/template's evalArgs: one string argument as is, else fmt.Sprint with
// nil shown as "<no value>".
std::string evalArgs(std::span<const Value> args) {
    if (args.size() == 1 && args[0].kind() == K::kString)
        return args[0].asString();
    std::vector<Value> printable(args.begin(), args.end());
    for (Value& v : printable)
        if (v.isNil())
            v = Value("<no value>");
    return goSprint(printable);
}

Result<std::int64_t> indexArg(const Value& index, std::size_t cap) {
    if (index.kind() != K::kInt)
        return Status::error("cannot index slice/array with type " + index.typeName());
    std::int64_t x = index.asInt();
    if (x < 0 || static_cast<std::size_t>(x) > cap)
        return Status::error("index out of range: " + std::to_string(x));
    return x;
}

FuncMap makeBuiltins() {
    FuncMap f;
    // and/or are evaluated by the executor (short-circuit); the entries make
    // them known names with the right arity for error messages.
    f["and"] = {[](std::span<const Value> args) -> Result<Value> { return args.back(); }, 1, -1};
    f["or"] = {[](std::span<const Value> args) -> Result<Value> { return args.back(); }, 1, -1};
    f["not"] = {
        [](std::span<const Value> args) -> Result<Value> { return Value(!args[0].truthy()); }, 1,
        1};
    f["len"] = {[](std::span<const Value> args) -> Result<Value> {
                    const Value& v = args[0];
                    switch (v.kind()) {
                        case K::kString:
                            return Value(static_cast<std::int64_t>(v.asString().size()));
                        case K::kList:
                            return Value(static_cast<std::int64_t>(v.asList().size()));
                        case K::kMap:
                            return Value(static_cast<std::int64_t>(v.asMap().size()));
                        case K::kNil:
                            return Status::error("len of nil pointer");
                        default:
                            return Status::error("len of type " + v.typeName());
                    }
                },
                1, 1};
    f["index"] = {
        [](std::span<const Value> args) -> Result<Value> {
            Value item = args[0];
            if (item.isNil())
                return Status::error("index of untyped nil");
            for (std::size_t i = 1; i < args.size(); ++i) {
                const Value& index = args[i];
                switch (item.kind()) {
                    case K::kList: {
                        auto x = indexArg(index, item.asList().size());
                        if (!x.isOk())
                            return x.status();
                        if (static_cast<std::size_t>(x.value()) == item.asList().size())
                            return Status::error("index out of range: " +
                                                 std::to_string(x.value()));
                        item = item.asList()[static_cast<std::size_t>(x.value())];
                        break;
                    }
                    case K::kString: {
                        auto x = indexArg(index, item.asString().size());
                        if (!x.isOk())
                            return x.status();
                        if (static_cast<std::size_t>(x.value()) == item.asString().size())
                            return Status::error("index out of range: " +
                                                 std::to_string(x.value()));
                        item = Value(static_cast<std::int64_t>(static_cast<unsigned char>(
                            item.asString()[static_cast<std::size_t>(x.value())])));
                        break;
                    }
                    case K::kMap: {
                        if (index.kind() != K::kString)
                            return Status::error("value has type " + index.typeName() +
                                                 "; should be string");
                        auto it = item.asMap().find(index.asString());
                        item = it != item.asMap().end() ? it->second : item.mapZero();
                        break;
                    }
                    default:
                        return Status::error("can't index item of type " + item.typeName());
                }
            }
            return item;
        },
        1, -1};
    f["slice"] = {
        [](std::span<const Value> args) -> Result<Value> {
            const Value& item = args[0];
            if (item.isNil())
                return Status::error("slice of untyped nil");
            if (args.size() > 4)
                return Status::error("too many slice indexes: " + std::to_string(args.size() - 1));
            std::size_t cap = 0;
            if (item.kind() == K::kString) {
                if (args.size() > 3)
                    return Status::error("cannot 3-index slice a string");
                cap = item.asString().size();
            } else if (item.kind() == K::kList) {
                cap = item.asList().size();
            } else {
                return Status::error("can't slice item of type " + item.typeName());
            }
            std::int64_t idx[3] = {0, static_cast<std::int64_t>(cap),
                                   static_cast<std::int64_t>(cap)};
            for (std::size_t i = 1; i < args.size(); ++i) {
                auto x = indexArg(args[i], cap);
                if (!x.isOk())
                    return x.status();
                idx[i - 1] = x.value();
            }
            if (idx[0] > idx[1])
                return Status::error("invalid slice index: " + std::to_string(idx[0]) + " > " +
                                     std::to_string(idx[1]));
            if (item.kind() == K::kString)
                return Value(item.asString().substr(static_cast<std::size_t>(idx[0]),
                                                    static_cast<std::size_t>(idx[1] - idx[0])));
            const List& list = item.asList();
            List out(list.begin() + idx[0], list.begin() + idx[1]);
            return Value::list(std::move(out), item.methods() ? nullptr : nullptr);
        },
        1, -1};
    f["print"] = {
        [](std::span<const Value> args) -> Result<Value> { return Value(goSprint(args)); }, 0, -1};
    f["println"] = {
        [](std::span<const Value> args) -> Result<Value> { return Value(goSprintln(args)); }, 0,
        -1};
    f["printf"] = {[](std::span<const Value> args) -> Result<Value> {
                       if (args[0].kind() != K::kString)
                           return Status::error("wrong type for value; expected string; got " +
                                                args[0].typeName());
                       return Value(goSprintf(args[0].asString(), args.subspan(1)));
                   },
                   1, -1};
    f["html"] = {[](std::span<const Value> args) -> Result<Value> {
                     return Value(htmlEscape(evalArgs(args)));
                 },
                 0, -1};
    f["js"] = {[](std::span<const Value> args) -> Result<Value> {
                   return Value(jsEscape(evalArgs(args)));
               },
               0, -1};
    f["urlquery"] = {[](std::span<const Value> args) -> Result<Value> {
                         return Value(urlQueryEscape(evalArgs(args)));
                     },
                     0, -1};
    f["eq"] = {[](std::span<const Value> args) -> Result<Value> {
                   if (args.size() < 2)
                       return Status::error("missing argument for comparison");
                   for (std::size_t i = 1; i < args.size(); ++i) {
                       auto r = equal(args[0], args[i]);
                       if (!r.isOk())
                           return r.status();
                       if (r.value())
                           return Value(true);
                   }
                   return Value(false);
               },
               1, -1};
    f["ne"] = {[](std::span<const Value> args) -> Result<Value> {
                   auto r = equal(args[0], args[1]);
                   if (!r.isOk())
                       return r.status();
                   return Value(!r.value());
               },
               2, 2};
    f["lt"] = {[](std::span<const Value> args) -> Result<Value> {
                   auto r = less(args[0], args[1]);
                   if (!r.isOk())
                       return r.status();
                   return Value(r.value());
               },
               2, 2};
    f["le"] = {[](std::span<const Value> args) -> Result<Value> {
                   auto r = less(args[0], args[1]);
                   if (!r.isOk())
                       return r.status();
                   if (r.value())
                       return Value(true);
                   auto e = equal(args[0], args[1]);
                   if (!e.isOk())
                       return e.status();
                   return Value(e.value());
               },
               2, 2};
    f["gt"] = {[](std::span<const Value> args) -> Result<Value> {
                   auto r = less(args[0], args[1]);
                   if (!r.isOk())
                       return r.status();
                   if (r.value())
                       return Value(false);
                   auto e = equal(args[0], args[1]);
                   if (!e.isOk())
                       return e.status();
                   return Value(!e.value());
               },
               2, 2};
    f["ge"] = {[](std::span<const Value> args) -> Result<Value> {
                   auto r = less(args[0], args[1]);
                   if (!r.isOk())
                       return r.status();
                   return Value(!r.value());
               },
               2, 2};
    return f;
}

}  // namespace

const FuncMap& builtinFunctions() {
    static const FuncMap kBuiltins = makeBuiltins();
    return kBuiltins;
}

}  // namespace vigil::gotmpl
