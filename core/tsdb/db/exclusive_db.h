#pragma once

#include <memory>
#include <string>

#include "core/engine/data_dir_lock.h"
#include "core/tsdb/db/db.h"

namespace vigil::tsdb {

// The TSDB of a Vigil data directory opened by a tool (vigilctl) rather than
// by a running Vigil: it takes the data directory's lock first, so a tool
// never works on data that a running Vigil owns; the message then says to use
// the running Vigil's HTTP API instead. The lock is held for the object's
// lifetime. As a Storage it forwards to the Db.
class ExclusiveDb final : public model::Storage {
public:
    static Result<std::unique_ptr<ExclusiveDb>> open(const std::string& dataDir,
                                                     DbOptions options = noRetention());

    std::unique_ptr<model::Appender> appender() override { return m_db->appender(); }
    std::unique_ptr<model::Querier> querier(model::Timestamp mint, model::Timestamp maxt) override {
        return m_db->querier(mint, maxt);
    }
    Db& db() { return *m_db; }

    // Tools never delete data by retention as a side effect of opening.
    static DbOptions noRetention() {
        DbOptions options;
        options.retentionMs = 0;
        options.retentionBytes = 0;
        return options;
    }

private:
    ExclusiveDb() = default;
    std::unique_ptr<engine::DataDirLock> m_lock;
    std::unique_ptr<Db> m_db;  // destroyed before the lock is released
};

}  // namespace vigil::tsdb
