#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "core/util/env.h"
#include "core/util/status.h"

namespace vigil::logs::tail {

// Promtail's positions file (FORMAT.md): `positions: {key: "value"}` where a
// key is a tailed file's path (value: the byte offset after the last stored
// line) or "journal-<job>" (value: the journal cursor).
//
// Not thread-safe: the tailer's thread owns it.
class Positions {
public:
    // Reads `path`; a missing file is an empty set. A file that does not parse
    // is an error naming it, unless `ignoreInvalid` (then it starts empty).
    static Result<Positions> load(Env* env, std::string path, bool ignoreInvalid = false);
    // An empty set that save() writes to `path`.
    Positions(Env* env, std::string path) : m_env(env), m_path(std::move(path)) {}

    std::optional<std::string> get(const std::string& key) const;
    // The offset stored for `key`, or nullopt when absent or not a number.
    std::optional<std::uint64_t> offset(const std::string& key) const;
    void set(const std::string& key, std::string value);
    void setOffset(const std::string& key, std::uint64_t offset) {
        set(key, std::to_string(offset));
    }
    void remove(const std::string& key);
    const std::map<std::string, std::string>& entries() const { return m_entries; }
    bool dirty() const { return m_dirty; }

    // Writes the file atomically: `<path>.tmp`, fsync, rename over `path`,
    // fsync of the directory. Creates the directory when missing.
    Status save();

    const std::string& path() const { return m_path; }

    // The text save() writes (sorted keys, quoted values).
    std::string serialize() const;
    // Parses the text; `fileName` names the file in errors.
    static Result<std::map<std::string, std::string>> parse(const std::string& text,
                                                            const std::string& fileName);

private:
    Env* m_env;
    std::string m_path;
    std::map<std::string, std::string> m_entries;
    bool m_dirty = false;
};

// The key of a journal job's cursor.
inline std::string journalPositionKey(const std::string& jobName) {
    return "journal-" + jobName;
}

}  // namespace vigil::logs::tail
