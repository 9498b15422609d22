#include "core/promql/storage_factory.h"

#include "core/tsdb/db/exclusive_db.h"

namespace vigil::promql {

Result<std::unique_ptr<model::Storage>> openStorageForQuery(const std::string& dataDir) {
    auto db = tsdb::ExclusiveDb::open(dataDir);
    if (!db)
        return db.status();
    return std::unique_ptr<model::Storage>(std::move(*db));
}

}  // namespace vigil::promql
