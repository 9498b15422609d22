// cri: the CRI log format kubelet writes,
//   <RFC3339Nano time> <stdout|stderr> <flags> <content>
// Sets the `stream` label, the timestamp and the line (the content); extracted
// gets time, stream, flags and content. A partial line (flags contain "P") is
// held per stream until the full line ("F") arrives and is then prepended to
// it; after max_partial_lines partial lines (default 100) the pieces are
// released joined. max_partial_line_size (bytes, 0 = no limit) caps the joined
// line when max_partial_line_size_truncate is set. A line that does not have
// the format passes unchanged.

#include <algorithm>
#include <unordered_map>

#include "core/logs/pipeline/go_time_layout.h"
#include "core/logs/pipeline/stage_util.h"
#include "core/logs/pipeline/stages/stages.h"

namespace vigil::logs::pipeline::stages {
namespace {

class CriStage final : public Stage {
public:
    CriStage(std::int64_t maxPartialLines, std::uint64_t maxSize, bool truncate)
        : m_maxPartialLines(maxPartialLines), m_maxSize(maxSize), m_truncate(truncate) {}

    Verdict process(Entry& entry, std::vector<Entry>& released) override {
        std::string_view line = entry.line;
        const std::size_t s1 = line.find(' ');
        if (s1 == std::string_view::npos)
            return Verdict::kKeep;
        const std::size_t s2 = line.find(' ', s1 + 1);
        if (s2 == std::string_view::npos)
            return Verdict::kKeep;
        const std::string_view stream = line.substr(s1 + 1, s2 - s1 - 1);
        if (stream != "stdout" && stream != "stderr")
            return Verdict::kKeep;
        std::size_t s3 = line.find(' ', s2 + 1);
        std::string_view flags, content;
        if (s3 == std::string_view::npos) {
            flags = line.substr(s2 + 1);
        } else {
            flags = line.substr(s2 + 1, s3 - s2 - 1);
            content = line.substr(s3 + 1);
        }
        if (flags.empty())
            return Verdict::kKeep;
        const std::string_view time = line.substr(0, s1);
        setExtracted(entry, "time", time);
        setExtracted(entry, "stream", stream);
        setExtracted(entry, "flags", flags);
        setExtracted(entry, "content", content);
        entry.labels["stream"] = std::string(stream);
        if (auto ts = parseGoTime(kRfc3339Nano, time, nullptr); ts.isOk())
            entry.tsNs = ts.value();
        const bool partial = flags.find('P') != std::string_view::npos;
        std::string text(content);
        entry.line = std::move(text);

        const std::uint64_t key = streamKey(entry);
        auto it = m_partials.find(key);
        if (partial) {
            if (it == m_partials.end()) {
                Partial p;
                p.entry = std::move(entry);
                p.count = 1;
                p.sequence = m_nextSequence++;
                it = m_partials.emplace(key, std::move(p)).first;
            } else {
                append(it->second.entry.line, entry.line);
                ++it->second.count;
            }
            if (it->second.count >= m_maxPartialLines) {
                released.push_back(std::move(it->second.entry));
                m_partials.erase(it);
            }
            return Verdict::kHold;
        }
        if (it != m_partials.end()) {
            std::string joined = std::move(it->second.entry.line);
            append(joined, entry.line);
            entry.line = std::move(joined);
            m_partials.erase(it);
        }
        return Verdict::kKeep;
    }

    void flush(TimestampNs, bool all, std::vector<Entry>& released) override {
        if (!all)
            return;  // partial lines wait for their full line, as in Promtail
        std::vector<std::pair<std::uint64_t, std::uint64_t>> order;  // (sequence, key)
        for (const auto& [key, p] : m_partials)
            order.emplace_back(p.sequence, key);
        std::sort(order.begin(), order.end());
        for (const auto& [sequence, key] : order)
            released.push_back(std::move(m_partials[key].entry));
        m_partials.clear();
    }

private:
    struct Partial {
        Entry entry;
        std::int64_t count = 0;
        std::uint64_t sequence = 0;
    };

    void append(std::string& to, const std::string& piece) const {
        if (m_maxSize > 0 && m_truncate && to.size() + piece.size() > m_maxSize) {
            if (to.size() < m_maxSize)
                to.append(piece, 0, m_maxSize - to.size());
            return;
        }
        to += piece;
    }

    std::int64_t m_maxPartialLines;
    std::uint64_t m_maxSize;
    bool m_truncate;
    std::unordered_map<std::uint64_t, Partial> m_partials;
    std::uint64_t m_nextSequence = 0;
};

}  // namespace

StagePtr makeCri(const YAML::Node& node, const std::string& path, config::ConfigErrors& errors) {
    const std::size_t before = errors.errors().size();
    config::YamlMapReader r(node, errors, path);
    std::int64_t maxPartialLines = 100;
    std::uint64_t maxSize = 0;
    bool truncate = false;
    if (r.read("max_partial_lines", maxPartialLines) && maxPartialLines <= 0)
        errors.add(r.child("max_partial_lines").Mark(),
                   r.childPath("max_partial_lines") + ": must be greater than 0");
    r.readByteSize("max_partial_line_size", maxSize);
    r.read("max_partial_line_size_truncate", truncate);
    r.finish();
    if (errors.errors().size() != before)
        return nullptr;
    return std::make_unique<CriStage>(maxPartialLines, maxSize, truncate);
}

}  // namespace vigil::logs::pipeline::stages
