// decolorize: removes ANSI color escape sequences from the line (the same
// expression as LogQL's `| decolorize`).
//   decolorize: {}   (no options)

#include "core/logs/pipeline/stage_util.h"
#include "core/logs/pipeline/stages/stages.h"

namespace vigil::logs::pipeline::stages {
namespace {

class DecolorizeStage final : public Stage {
public:
    DecolorizeStage()
        : m_re(
              "[\\x1b\\x{9b}][\\[\\]()#;?]*(?:(?:(?:[a-zA-Z\\d]*(?:;[a-zA-Z\\d]*)*)?\\x07)|"
              "(?:(?:\\d{1,4}(?:;\\d{0,4})*)?[\\dA-PRZcf-ntqry=><~]))") {}

    Verdict process(Entry& entry, std::vector<Entry>&) override {
        // Most lines have no escape: skip the rewrite.
        if (entry.line.find('\x1b') != std::string::npos ||
            entry.line.find("\xc2\x9b") != std::string::npos)
            RE2::GlobalReplace(&entry.line, m_re, "");
        return Verdict::kKeep;
    }

private:
    RE2 m_re;
};

}  // namespace

StagePtr makeDecolorize(const YAML::Node& node, const std::string& path,
                        config::ConfigErrors& errors) {
    const std::size_t before = errors.errors().size();
    config::YamlMapReader r(node, errors, path);
    r.finish();
    if (errors.errors().size() != before)
        return nullptr;
    return std::make_unique<DecolorizeStage>();
}

}  // namespace vigil::logs::pipeline::stages
