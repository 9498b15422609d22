#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/logs/logql/ast.h"
#include "core/model/labels.h"
#include "core/util/status.h"

namespace vigil::logql {

// Where a label came from; decides who keeps the base name when names clash
// (stream > structured metadata > parsed) and who gets the single
// `<name>_extracted` slot (parsed > structured metadata > stream).
enum class LabelSource : std::uint8_t { kStream, kMetadata, kParsed };

inline constexpr std::string_view kErrorLabel = "__error__";
inline constexpr std::string_view kErrorDetailsLabel = "__error_details__";

// The mutable label set of one log line while it runs through a pipeline.
// Unlike model::Labels it keeps empty values (Loki does: `| json a="missing"`
// yields a=""), which only disappear in result(). Not thread-safe; one per
// evaluating thread, reused across lines.
class LineLabels {
public:
    void reset(const model::Labels& stream, const model::Labels& metadata);

    std::optional<std::string_view> get(std::string_view name) const;
    bool has(std::string_view name) const { return find(name) != nullptr; }
    // Sets a value extracted by a parser: renamed to `<name>_extracted` when a
    // stream label or structured metadata already holds `name`.
    void setParsed(std::string_view name, std::string_view value);
    // Sets `name` as is (label_format, errors), keeping the source of an
    // existing label.
    void set(std::string_view name, std::string_view value,
             LabelSource source = LabelSource::kParsed);
    void del(std::string_view name);
    // Keeps only the labels `keep` returns true for.
    template <typename F>
    void retain(F keep) {
        std::erase_if(m_entries, [&](const Entry& e) { return !keep(e.name, e.value); });
    }

    bool hasError() const { return has(kErrorLabel); }
    void setError(std::string_view error, std::string_view details);

    // The labels as a series identity (empty values dropped).
    model::Labels result() const;

    struct Entry {
        std::string name;
        std::string value;
        LabelSource source;
    };
    const std::vector<Entry>& entries() const { return m_entries; }

private:
    Entry* find(std::string_view name);
    const Entry* find(std::string_view name) const;

    std::vector<Entry> m_entries;
};

// A compiled pipeline (line filters, parsers, label filters, formatters) as
// Loki runs it: stages left to right, a filtered line stops. Compiling
// validates regexes and templates; process() never fails — a stage that
// cannot handle a line sets __error__/__error_details__ and lets it through,
// as Loki does. Immutable after compile(); process() is thread-safe.
class Pipeline {
public:
    static Result<Pipeline> compile(const std::vector<Stage>& stages);

    bool empty() const { return m_stages.empty(); }

    // Runs `line` (rewritten in place by line_format/unpack/decolorize) with
    // `labels` (preset with reset()). Returns false when the line is dropped.
    bool process(std::int64_t tsNs, std::string& line, LineLabels& labels) const;

    class CompiledStage;

private:
    std::vector<std::shared_ptr<const CompiledStage>> m_stages;
};

// A compiled label filter expression (also used after unwrap).
class CompiledLabelFilter;
Result<std::shared_ptr<const CompiledLabelFilter>> compileLabelFilter(const LabelFilter& filter);
bool applyLabelFilter(const CompiledLabelFilter& filter, LineLabels& labels);

// Sanitises an extracted key into a label name as Loki does: every byte
// outside [a-zA-Z0-9_:] becomes '_', a leading digit gets a '_' prefix.
std::string sanitizeLabelKey(std::string_view key, bool isPrefix);

}  // namespace vigil::logql
