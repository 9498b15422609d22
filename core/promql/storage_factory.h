#pragma once

#include <memory>
#include <string>

#include "core/model/storage.h"
#include "core/util/status.h"

// Opens the TSDB of a Vigil data directory for `vigilctl query` and
// `vigilctl query-range` (see tsdb::ExclusiveDb: refused while a Vigil runs
// on that directory).

namespace vigil::promql {

Result<std::unique_ptr<model::Storage>> openStorageForQuery(const std::string& dataDir);

}  // namespace vigil::promql
