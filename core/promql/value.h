#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/model/labels.h"
#include "core/model/sample.h"
#include "core/promql/ast.h"

// The values a PromQL query produces, shaped like Prometheus's promql/value.go:
// a scalar, a string, an instant vector (one sample per series) and a matrix
// (several points per series). Plain value types; not synchronised.

namespace vigil::promql {

struct FPoint {
    model::Timestamp t = 0;
    double v = 0;
};

// One element of an instant vector.
struct VectorSample {
    model::Labels labels;
    model::Timestamp t = 0;
    double v = 0;
};
using Vector = std::vector<VectorSample>;

struct Series {
    model::Labels labels;
    std::vector<FPoint> points;  // sorted by t
    // Evaluator-internal (Prometheus 3's delayed name removal): the metric
    // name is still in `labels` but is removed when the query finishes.
    // Always false in query results.
    bool dropName = false;
};
using Matrix = std::vector<Series>;

struct Scalar {
    model::Timestamp t = 0;
    double v = 0;
};

struct StringValue {
    model::Timestamp t = 0;
    std::string v;
};

// A query result: `type` says which member is meaningful (kVector: vector,
// kMatrix: matrix, kScalar: scalar, kString: string).
struct Value {
    ValueType type = ValueType::kNone;
    Scalar scalar;
    StringValue string;
    Vector vector;
    Matrix matrix;
};

// Prometheus's rendering of a value in PromQL and test output ('g' format).
std::string formatValueG(double v);

}  // namespace vigil::promql
