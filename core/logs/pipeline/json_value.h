#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// A small JSON document model for the json/docker stages: strings are
// unescaped, numbers keep their text, objects keep their members in document
// order (a later duplicate key wins on lookup, as in Go's encoding/json).
namespace vigil::logs::pipeline {

struct JsonValue {
    enum class Kind : std::uint8_t { kNull, kBool, kNumber, kString, kArray, kObject };
    Kind kind = Kind::kNull;
    bool boolean = false;
    std::string text;  // kString: unescaped; kNumber: as written
    std::vector<std::pair<std::string, JsonValue>> members;  // kObject
    std::vector<JsonValue> items;                            // kArray

    // Object member by key (the last one when repeated); null when absent.
    const JsonValue* find(std::string_view key) const;
};

// Parses one JSON document (surrounding whitespace allowed). On failure
// returns false and sets `*error` ("invalid character 'x' at offset 3").
bool parseJson(std::string_view text, JsonValue* out, std::string* error);

// The value as Promtail stores a JMESPath result in the extracted map:
// strings as is, numbers as Go's strconv.FormatFloat(f, 'f', -1, 64),
// booleans "true"/"false", arrays and objects as compact JSON with object
// keys sorted (Go's json.Marshal of a map).
std::string jsonToExtracted(const JsonValue& value);

}  // namespace vigil::logs::pipeline
