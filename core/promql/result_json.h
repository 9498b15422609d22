#pragma once

#include <string>
#include <string_view>

#include "core/promql/value.h"
#include "core/util/status.h"

// Renders query results exactly as Prometheus's /api/v1/query and
// /api/v1/query_range do: values as strings in Go's 'f' format ("+Inf",
// "NaN"), timestamps as seconds with millisecond precision written like
// Prometheus's marshalTimestamp (1700000000.123, 1700000000.1 is
// "1700000000.100"), label names sorted. Pure functions; thread-safe.

namespace vigil::promql {

// {"status":"success","data":{"resultType":"vector","result":[...]}}
std::string renderResultJson(const Value& value);

// {"status":"error","errorType":"bad_data","error":"..."}
std::string renderErrorJson(std::string_view errorType, std::string_view message);

// Prometheus's errorType for a failed query: "bad_data" for parse errors,
// "canceled", "timeout", otherwise "execution".
std::string errorTypeFor(const Status& status, bool parseError);

// Appends `s` as a JSON string literal, escaping like Go's encoding/json
// (including <, > and & as \u003c, \u003e, \u0026).
void appendJsonString(std::string& out, std::string_view s);

// Appends a millisecond timestamp as Prometheus writes it.
void appendJsonTimestamp(std::string& out, std::int64_t ms);

}  // namespace vigil::promql
