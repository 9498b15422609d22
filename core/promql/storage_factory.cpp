#include "core/promql/storage_factory.h"

namespace vigil::promql {

Result<std::unique_ptr<model::Storage>> openStorageForQuery(const std::string& dataDir) {
    // To be wired to the TSDB head and blocks (core/tsdb) when they land.
    return Status::error(Status::Code::kUnavailable,
                         "cannot open " + dataDir + ": the TSDB is not available in this build");
}

}  // namespace vigil::promql
