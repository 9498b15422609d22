// multiline: joins the lines of a block (a stack trace) into one entry. A
// line matching `firstline` starts a block; the following lines that do not
// match are appended with "\n". Until a stream's first `firstline` match,
// its lines pass through unchanged (Promtail's rule). A block is released
// when the next one starts, when it reaches max_lines (default 128), or by
// flush() once no line was added for max_wait_time (default 3s; measured on
// the wall clock from when the last line was added). Blocks are kept per stream (label set); a
// block keeps the labels, timestamp and extracted values of its first line.
//   multiline: {firstline: RE2, max_wait_time: duration, max_lines: int}

#include <algorithm>
#include <chrono>
#include <unordered_map>
#include <unordered_set>

#include "core/logs/pipeline/stage_util.h"
#include "core/logs/pipeline/stages/stages.h"

namespace vigil::logs::pipeline::stages {
namespace {

TimestampNs wallNowNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

class MultilineStage final : public Stage {
public:
    MultilineStage(std::unique_ptr<RE2> firstline, std::int64_t maxWaitNs, std::int64_t maxLines)
        : m_firstline(std::move(firstline)), m_maxWaitNs(maxWaitNs), m_maxLines(maxLines) {}

    Verdict process(Entry& entry, std::vector<Entry>& released) override {
        const std::uint64_t key = streamKey(entry);
        const bool first = RE2::PartialMatch(entry.line, *m_firstline);
        auto it = m_blocks.find(key);
        if (it == m_blocks.end() && !first && !m_seen.count(key))
            return Verdict::kKeep;  // no block ever started in this stream (Promtail)
        if (first)
            m_seen.insert(key);
        if (it != m_blocks.end() && first) {
            released.push_back(std::move(it->second.entry));
            m_blocks.erase(it);
            it = m_blocks.end();
        }
        if (it == m_blocks.end()) {
            Block b;
            b.entry = std::move(entry);
            b.lines = 1;
            b.lastAddNs = wallNowNs();
            b.sequence = m_nextSequence++;
            it = m_blocks.emplace(key, std::move(b)).first;
        } else {
            Block& b = it->second;
            b.entry.line.push_back('\n');
            b.entry.line += entry.line;
            ++b.lines;
            b.lastAddNs = wallNowNs();
        }
        if (it->second.lines >= m_maxLines) {
            released.push_back(std::move(it->second.entry));
            m_blocks.erase(it);
        }
        return Verdict::kHold;
    }

    void flush(TimestampNs nowNs, bool all, std::vector<Entry>& released) override {
        // Released in the order the blocks were started, so that a flush is
        // deterministic across streams.
        std::vector<std::pair<std::uint64_t, std::uint64_t>> due;  // (sequence, key)
        for (const auto& [key, block] : m_blocks)
            if (all || nowNs - block.lastAddNs >= m_maxWaitNs)
                due.emplace_back(block.sequence, key);
        std::sort(due.begin(), due.end());
        for (const auto& [sequence, key] : due) {
            const auto it = m_blocks.find(key);
            released.push_back(std::move(it->second.entry));
            m_blocks.erase(it);
        }
    }

private:
    struct Block {
        Entry entry;
        std::int64_t lines = 0;
        TimestampNs lastAddNs = 0;
        std::uint64_t sequence = 0;
    };

    std::unique_ptr<RE2> m_firstline;
    std::int64_t m_maxWaitNs;
    std::int64_t m_maxLines;
    std::unordered_map<std::uint64_t, Block> m_blocks;
    std::unordered_set<std::uint64_t> m_seen;  // streams that had a first line
    std::uint64_t m_nextSequence = 0;
};

}  // namespace

StagePtr makeMultiline(const YAML::Node& node, const std::string& path,
                       config::ConfigErrors& errors) {
    const std::size_t before = errors.errors().size();
    config::YamlMapReader r(node, errors, path);
    std::string firstline;
    std::chrono::milliseconds maxWait{3000};
    std::int64_t maxLines = 128;
    readRequired(r, node, "firstline", firstline);
    if (r.readDuration("max_wait_time", maxWait) && maxWait.count() <= 0)
        errors.add(r.child("max_wait_time").Mark(),
                   r.childPath("max_wait_time") + ": must be greater than 0");
    if (r.read("max_lines", maxLines) && maxLines <= 0)
        errors.add(r.child("max_lines").Mark(),
                   r.childPath("max_lines") + ": must be greater than 0");
    r.finish();
    std::unique_ptr<RE2> re;
    if (!firstline.empty())
        re = compileRegex(firstline, r.child("firstline").Mark(), r.childPath("firstline"), errors);
    if (errors.errors().size() != before || !re)
        return nullptr;
    return std::make_unique<MultilineStage>(std::move(re), maxWait.count() * 1'000'000, maxLines);
}

}  // namespace vigil::logs::pipeline::stages
