#include "core/tsdb/db/exclusive_db.h"

#include <QString>

namespace vigil::tsdb {

Result<std::unique_ptr<ExclusiveDb>> ExclusiveDb::open(const std::string& dataDir,
                                                       DbOptions options) {
    std::unique_ptr<ExclusiveDb> out(new ExclusiveDb());
    out->m_lock = std::make_unique<engine::DataDirLock>(QString::fromStdString(dataDir));
    if (Status locked = out->m_lock->acquire(); !locked.isOk()) {
        if (locked.code() == Status::Code::kUnavailable) {
            return Status::error(Status::Code::kUnavailable,
                                 locked.message() +
                                     " Query a running Vigil through its HTTP API instead "
                                     "(/api/v1/query).");
        }
        return locked;
    }
    auto db = Db::open(Env::posix(), tsdbDirForDataDir(dataDir), options);
    if (!db)
        return db.status();
    out->m_db = std::move(*db);
    return out;
}

}  // namespace vigil::tsdb
