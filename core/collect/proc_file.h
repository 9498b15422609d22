#pragma once

// Small helpers for reading the kernel's text files under /proc and /sys.
// Those files report a size of 0, so they are read with read(2) until EOF.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/status.h"

namespace vigil::collect {

// Reads the whole file into `out` (replacing its contents, keeping its
// capacity). A missing file is Status::Code::kNotFound; other failures are
// I/O errors. Both messages name the path.
Status readProcFile(const std::string& path, std::string& out);

// Reads a file holding one value ("1\n"); the value is returned trimmed.
Result<std::string> readTrimmed(const std::string& path);

// Calls fn(line) for each line of `text`, without the newline.
template <typename Fn>
void forEachLine(std::string_view text, Fn&& fn) {
    while (!text.empty()) {
        const std::size_t nl = text.find('\n');
        const std::string_view line = text.substr(0, nl);
        fn(line);
        if (nl == std::string_view::npos)
            break;
        text.remove_prefix(nl + 1);
    }
}

// Splits on runs of spaces and tabs (Go's strings.Fields for ASCII input).
void splitFields(std::string_view line, std::vector<std::string_view>& out);

std::string_view trimSpace(std::string_view s);

// Strict parsers: the whole of `s` must be the number.
std::optional<std::uint64_t> parseUint(std::string_view s);
std::optional<std::int64_t> parseInt(std::string_view s);
std::optional<double> parseDouble(std::string_view s);

// The entries of a directory (names only, without "." and ".."), sorted.
// A missing directory is Status::Code::kNotFound.
Result<std::vector<std::string>> listDirectory(const std::string& path);

bool pathExists(const std::string& path);

// Resolves symlinks like Go's filepath.EvalSymlinks (realpath(3)).
std::optional<std::string> resolvePath(const std::string& path);

}  // namespace vigil::collect
