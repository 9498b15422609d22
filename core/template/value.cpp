#include "core/template/value.h"

#include <cassert>

#include "core/template/go_time.h"
#include "core/util/go_float.h"

namespace vigil::gotmpl {

struct Value::ListData {
    List items;
    std::shared_ptr<const MethodTable> methods;
};

struct Value::MapData {
    Map entries;
    std::shared_ptr<const MethodTable> methods;
    Value zero;
};

const Value* StructData::field(std::string_view name) const {
    for (const auto& [key, value] : fields)
        if (key == name)
            return &value;
    return nullptr;
}

Value Value::list(List items, std::shared_ptr<const MethodTable> methods) {
    Value v;
    v.m_data = std::make_shared<const ListData>(ListData{std::move(items), std::move(methods)});
    return v;
}

Value Value::map(Map entries, std::shared_ptr<const MethodTable> methods, Value zero) {
    Value v;
    v.m_data = std::make_shared<const MapData>(
        MapData{std::move(entries), std::move(methods), std::move(zero)});
    return v;
}

Value Value::stringMap(Map entries, std::shared_ptr<const MethodTable> methods) {
    return map(std::move(entries), std::move(methods), Value(std::string()));
}

Value Value::fromLabels(const model::Labels& labels, std::shared_ptr<const MethodTable> methods) {
    Map entries;
    for (const auto& label : labels)
        entries.emplace_hint(entries.end(), std::string(label.name),
                             Value(std::string(label.value)));
    return stringMap(std::move(entries), std::move(methods));
}

Value Value::object(StructData data) {
    Value v;
    v.m_data = std::make_shared<const StructData>(std::move(data));
    return v;
}

Value Value::safeHtml(std::string html) {
    Value v;
    v.m_data = SafeHtml{std::move(html)};
    return v;
}

Value::Kind Value::kind() const {
    switch (m_data.index()) {
        case 0:
            return Kind::kNil;
        case 1:
            return Kind::kBool;
        case 2:
            return Kind::kInt;
        case 3:
            return Kind::kFloat;
        case 4:
        case 5:
            return Kind::kString;
        case 6:
            return Kind::kList;
        case 7:
            return Kind::kMap;
        case 8:
            return Kind::kStruct;
        case 9:
            return Kind::kTime;
        default:
            return Kind::kDuration;
    }
}

bool Value::isSafeHtml() const {
    return std::holds_alternative<SafeHtml>(m_data);
}

bool Value::asBool() const {
    return std::get<bool>(m_data);
}
std::int64_t Value::asInt() const {
    return std::get<std::int64_t>(m_data);
}
double Value::asFloat() const {
    return std::get<double>(m_data);
}
const std::string& Value::asString() const {
    if (const auto* html = std::get_if<SafeHtml>(&m_data))
        return html->text;
    return std::get<std::string>(m_data);
}
const List& Value::asList() const {
    return std::get<std::shared_ptr<const ListData>>(m_data)->items;
}
const Map& Value::asMap() const {
    return std::get<std::shared_ptr<const MapData>>(m_data)->entries;
}
const Value& Value::mapZero() const {
    return std::get<std::shared_ptr<const MapData>>(m_data)->zero;
}
const StructData& Value::asStruct() const {
    return *std::get<std::shared_ptr<const StructData>>(m_data);
}
const TimeValue& Value::asTime() const {
    return *std::get<std::shared_ptr<const TimeValue>>(m_data);
}
DurationValue Value::asDuration() const {
    return std::get<DurationValue>(m_data);
}

const MethodTable* Value::methods() const {
    switch (kind()) {
        case Kind::kList:
            return std::get<std::shared_ptr<const ListData>>(m_data)->methods.get();
        case Kind::kMap:
            return std::get<std::shared_ptr<const MapData>>(m_data)->methods.get();
        case Kind::kStruct:
            return asStruct().methods.get();
        default:
            return nullptr;
    }
}

bool Value::truthy() const {
    switch (kind()) {
        case Kind::kNil:
            return false;
        case Kind::kBool:
            return asBool();
        case Kind::kInt:
            return asInt() != 0;
        case Kind::kFloat:
            return asFloat() != 0;
        case Kind::kString:
            return !asString().empty();
        case Kind::kList:
            return !asList().empty();
        case Kind::kMap:
            return !asMap().empty();
        case Kind::kStruct:
        case Kind::kTime:
            return true;
        case Kind::kDuration:
            return asDuration().nanos != 0;
    }
    return false;
}

std::string Value::toString() const {
    switch (kind()) {
        case Kind::kNil:
            return "<nil>";
        case Kind::kBool:
            return asBool() ? "true" : "false";
        case Kind::kInt:
            return std::to_string(asInt());
        case Kind::kFloat:
            return formatFloatG(asFloat());
        case Kind::kString:
            return asString();
        case Kind::kList: {
            std::string out = "[";
            bool first = true;
            for (const Value& item : asList()) {
                if (!first)
                    out += ' ';
                first = false;
                out += item.toString();
            }
            return out + "]";
        }
        case Kind::kMap: {
            std::string out = "map[";
            bool first = true;
            for (const auto& [key, item] : asMap()) {
                if (!first)
                    out += ' ';
                first = false;
                out += key;
                out += ':';
                out += item.toString();
            }
            return out + "]";
        }
        case Kind::kStruct: {
            std::string out = "{";
            bool first = true;
            for (const auto& [key, item] : asStruct().fields) {
                if (!first)
                    out += ' ';
                first = false;
                out += item.toString();
            }
            return out + "}";
        }
        case Kind::kTime:
            return formatGoTime(asTime(), kGoTimeStringLayout);
        case Kind::kDuration:
            return formatGoDuration(asDuration().nanos);
    }
    return {};
}

std::string Value::typeName() const {
    switch (kind()) {
        case Kind::kNil:
            return "<nil>";
        case Kind::kBool:
            return "bool";
        case Kind::kInt:
            return "int";
        case Kind::kFloat:
            return "float64";
        case Kind::kString:
            return isSafeHtml() ? "template.HTML" : "string";
        case Kind::kList:
            if (const MethodTable* m = methods(); m && !m->typeName.empty())
                return m->typeName;
            return "[]interface {}";
        case Kind::kMap:
            if (const MethodTable* m = methods(); m && !m->typeName.empty())
                return m->typeName;
            return "map[string]interface {}";
        case Kind::kStruct:
            return asStruct().typeName.empty() ? "struct" : asStruct().typeName;
        case Kind::kTime:
            return "time.Time";
        case Kind::kDuration:
            return "time.Duration";
    }
    return {};
}

}  // namespace vigil::gotmpl
