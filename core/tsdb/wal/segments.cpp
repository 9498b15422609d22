#include "core/tsdb/wal/segments.h"

#include <algorithm>
#include <cstdio>

namespace vigil::tsdb::wal {
namespace {

std::optional<int> parseIndex(std::string_view digits) {
    if (digits.size() != 8)
        return std::nullopt;
    int value = 0;
    for (char c : digits) {
        if (c < '0' || c > '9')
            return std::nullopt;
        value = value * 10 + (c - '0');
    }
    return value;
}

constexpr std::string_view kCheckpointPrefix = "checkpoint.";

}  // namespace

std::string segmentName(int index) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%08d", index);
    return buf;
}

std::string segmentPath(std::string_view dir, int index) {
    return joinPath(dir, segmentName(index));
}

std::optional<int> parseSegmentName(std::string_view name) {
    return parseIndex(name);
}

Result<std::vector<int>> listSegments(Env* env, const std::string& dir) {
    auto names = env->getChildren(dir);
    if (!names)
        return names.status().withContext("listing WAL segments");
    std::vector<int> segments;
    for (const auto& name : *names) {
        if (auto index = parseSegmentName(name))
            segments.push_back(*index);
    }
    std::sort(segments.begin(), segments.end());
    return segments;
}

std::string checkpointName(int index) {
    return std::string(kCheckpointPrefix) + segmentName(index);
}

std::optional<int> parseCheckpointName(std::string_view name) {
    if (name.substr(0, kCheckpointPrefix.size()) != kCheckpointPrefix)
        return std::nullopt;
    return parseIndex(name.substr(kCheckpointPrefix.size()));
}

Result<std::optional<CheckpointRef>> lastCheckpoint(Env* env, const std::string& walDir) {
    auto names = env->getChildren(walDir);
    if (!names)
        return names.status().withContext("looking for WAL checkpoints");
    std::optional<CheckpointRef> last;
    for (const auto& name : *names) {
        auto index = parseCheckpointName(name);
        if (!index)
            continue;
        std::string path = joinPath(walDir, name);
        if (!env->isDirectory(path))
            continue;
        if (!last || *index > last->index)
            last = CheckpointRef{*index, path};
    }
    return last;
}

}  // namespace vigil::tsdb::wal
