#include "core/promql/value.h"

#include "core/util/go_float.h"

namespace vigil::promql {

std::string formatValueG(double v) {
    return formatFloatG(v);
}

}  // namespace vigil::promql
