#pragma once

// Helpers shared by the WAL test suites.

#include <optional>
#include <random>
#include <string>
#include <vector>

#include "core/tsdb/wal/wal.h"
#include "core/tsdb/wal/wal_reader.h"
#include "core/util/env.h"

namespace vigil::tsdb::wal::testing {

// Deterministic record content: compressible (repeating words) or random bytes.
inline std::string makeRecord(std::mt19937_64& rng, std::size_t size, bool compressible) {
    std::string r(size, '\0');
    for (std::size_t i = 0; i < size; ++i) {
        if (compressible)
            r[i] = static_cast<char>("metric_value_"[(i + size) % 13]);
        else
            r[i] = static_cast<char>(rng());
    }
    return r;
}

struct ReadResult {
    std::vector<std::string> records;
    std::vector<std::uint64_t> offsets;  // start of each record in its segment
    std::vector<int> segments;           // segment of each record
    std::vector<std::string> dirs;       // directory of that segment
    Status status;
    std::optional<WalCorruption> corruption;
};

// Reads every record of `dir` (checkpoint and segments) without repairing.
inline ReadResult readAll(Env* env, const std::string& dir) {
    ReadResult out;
    auto segments = WalReader::segmentsToReplay(env, dir, nullptr);
    if (!segments) {
        out.status = segments.status();
        return out;
    }
    WalReader reader(env, *segments);
    while (reader.next()) {
        out.records.emplace_back(reader.record());
        out.offsets.push_back(reader.recordOffset());
        out.segments.push_back(reader.segment().index);
        out.dirs.push_back(reader.segment().dir);
    }
    out.status = reader.status();
    out.corruption = reader.corruption();
    return out;
}

// The real file system without fsync, for tests that reopen a WAL thousands
// of times and do not test durability.
class NoSyncEnv final : public EnvWrapper {
public:
    NoSyncEnv() : EnvWrapper(Env::posix()) {}

    Result<std::unique_ptr<WritableFile>> newWritableFile(const std::string& path) override {
        auto file = target()->newWritableFile(path);
        if (!file)
            return file.status();
        return std::unique_ptr<WritableFile>(new File(std::move(*file)));
    }
    Status syncDir(const std::string&) override { return Status::ok(); }

private:
    class File final : public WritableFile {
    public:
        explicit File(std::unique_ptr<WritableFile> target) : m_target(std::move(target)) {}
        Status append(std::string_view data) override { return m_target->append(data); }
        Status flush() override { return m_target->flush(); }
        Status sync() override { return m_target->flush(); }
        Status close() override { return m_target->close(); }
        const std::string& path() const override { return m_target->path(); }

    private:
        std::unique_ptr<WritableFile> m_target;
    };
};

inline Status logAll(Wal& wal, const std::vector<std::string>& records) {
    for (const auto& r : records) {
        if (Status s = wal.log(r); !s)
            return s;
    }
    return Status::ok();
}

}  // namespace vigil::tsdb::wal::testing
