#pragma once

#include <memory>
#include <string>

#include "core/model/storage.h"
#include "core/util/status.h"

// Opens the storage `vigilctl query` and `vigilctl query-range` read from.
// Until the on-disk TSDB reader lands this reports that the TSDB is not
// available; it never invents data.

namespace vigil::promql {

Result<std::unique_ptr<model::Storage>> openStorageForQuery(const std::string& dataDir);

}  // namespace vigil::promql
