#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/logs/pipeline/json_value.h"
#include "core/util/status.h"

// The part of JMESPath that Promtail json stage configurations use:
//   field            identifier ([A-Za-z_][A-Za-z0-9_]*)
//   "quoted key"     any key, JSON string escapes ("a.b", "user-agent")
//   a.b.c            sub-expressions
//   a[0], a[-1]      array index (negative counts from the end)
//   [0].x            an index on the document itself
// Not supported, and rejected by compile() with an error naming the
// construct: wildcards (*, [*]), flatten ([]), slices ([1:2]), filters
// ([?...]), pipes (|), multi-select ({...}, [a, b]), functions (name(...)),
// the current node (@), literals (`...`, '...'), and or/and/not (||, &&, !).
namespace vigil::logs::pipeline {

class JsonPath {
public:
    static Result<JsonPath> compile(std::string_view expression);

    // The value at the path; null when a step finds no such key/index or the
    // wrong kind of node (JMESPath yields null there too).
    const JsonValue* evaluate(const JsonValue& root) const;

private:
    struct Step {
        bool isIndex = false;
        std::string key;
        long index = 0;
    };
    std::vector<Step> m_steps;
};

}  // namespace vigil::logs::pipeline
