#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/util/env.h"

namespace vigil::tsdb {

// A whole file's bytes, memory-mapped when the Env can map it (Env::posix()
// does) and read into memory otherwise. Immutable; thread-safe.
class MappedFile {
public:
    static Result<std::shared_ptr<const MappedFile>> open(Env* env, const std::string& path);

    std::string_view data() const { return m_data; }
    const std::string& path() const { return m_path; }
    // True when data() points into a memory mapping of the file.
    bool mapped() const { return m_copy.empty() && !m_data.empty(); }

private:
    MappedFile() = default;

    std::string m_path;
    std::unique_ptr<RandomAccessFile> m_file;
    std::string m_copy;  // only when the file is not mapped
    std::string_view m_data;
};

}  // namespace vigil::tsdb
