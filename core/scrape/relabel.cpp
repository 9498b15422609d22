#include "core/scrape/relabel.h"

#include <re2/re2.h>

#include <QCryptographicHash>
#include <algorithm>
#include <array>
#include <cctype>

namespace vigil::scrape {
namespace {

constexpr std::array<std::pair<std::string_view, RelabelAction>, 11> kActions = {{
    {"replace", RelabelAction::kReplace},
    {"keep", RelabelAction::kKeep},
    {"drop", RelabelAction::kDrop},
    {"keepequal", RelabelAction::kKeepEqual},
    {"dropequal", RelabelAction::kDropEqual},
    {"hashmod", RelabelAction::kHashMod},
    {"labelmap", RelabelAction::kLabelMap},
    {"labeldrop", RelabelAction::kLabelDrop},
    {"labelkeep", RelabelAction::kLabelKeep},
    {"lowercase", RelabelAction::kLowercase},
    {"uppercase", RelabelAction::kUppercase},
}};

bool isNameChar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// Go's regexp extract(): parses a group reference after '$'.
bool extractReference(std::string_view str, std::string_view& name, int& number,
                      std::size_t& consumed) {
    if (str.empty())
        return false;
    const bool brace = str[0] == '{';
    std::size_t start = brace ? 1 : 0;
    std::size_t i = start;
    while (i < str.size() && isNameChar(str[i]))
        ++i;
    if (i == start)
        return false;
    name = str.substr(start, i - start);
    if (brace) {
        if (i >= str.size() || str[i] != '}')
            return false;
        ++i;
    }
    number = 0;
    for (char c : name) {
        if (c < '0' || c > '9' || number >= 100000000) {
            number = -1;
            break;
        }
        number = number * 10 + (c - '0');
    }
    if (name[0] == '0' && name.size() > 1)
        number = -1;  // no leading zeros
    consumed = i;
    return true;
}

std::string joinSourceValues(const model::LabelsBuilder& builder, const RelabelConfig& config) {
    std::string value;
    for (std::size_t i = 0; i < config.sourceLabels.size(); ++i) {
        if (i > 0)
            value += config.separator;
        value += builder.get(config.sourceLabels[i]);
    }
    return value;
}

std::uint64_t md5Sum64(std::string_view value) {
    const QByteArray digest =
        QCryptographicHash::hash(QByteArrayView(value.data(), static_cast<qsizetype>(value.size())),
                                 QCryptographicHash::Md5);
    // Prometheus's sum64 shifts byte i by (15-i)*8 bits in a uint64: the
    // first eight bytes shift out, leaving the last eight, big-endian.
    std::uint64_t sum = 0;
    for (int i = 8; i < 16; ++i)
        sum = (sum << 8) | static_cast<unsigned char>(digest[i]);
    return sum;
}

std::string lowered(std::string s, bool upper) {
    for (char& c : s) {
        c = static_cast<char>(upper ? std::toupper(static_cast<unsigned char>(c))
                                    : std::tolower(static_cast<unsigned char>(c)));
    }
    return s;
}

// Applies one config; false when the series is dropped.
bool applyOne(model::LabelsBuilder& builder, const RelabelConfig& config,
              std::vector<std::string_view>& groups) {
    const std::string value = joinSourceValues(builder, config);
    switch (config.action) {
        case RelabelAction::kDrop:
            return !config.regex.fullMatch(value);
        case RelabelAction::kKeep:
            return config.regex.fullMatch(value);
        case RelabelAction::kDropEqual:
            return builder.get(config.targetLabel) != value;
        case RelabelAction::kKeepEqual:
            return builder.get(config.targetLabel) == value;
        case RelabelAction::kReplace: {
            if (!config.regex.match(value, groups))
                return true;
            const std::string target = config.regex.expand(config.targetLabel, groups);
            if (!isValidLabelName(target))
                return true;
            const std::string result = config.regex.expand(config.replacement, groups);
            if (result.empty()) {
                builder.del(target);
            } else {
                builder.set(target, result);
            }
            return true;
        }
        case RelabelAction::kLowercase:
        case RelabelAction::kUppercase:
            builder.set(config.targetLabel,
                        lowered(value, config.action == RelabelAction::kUppercase));
            return true;
        case RelabelAction::kHashMod: {
            const std::uint64_t mod = md5Sum64(value) % config.modulus;
            builder.set(config.targetLabel, std::to_string(mod));
            return true;
        }
        case RelabelAction::kLabelMap: {
            const model::Labels current = builder.labels();
            for (const auto& label : current) {
                if (config.regex.match(label.name, groups)) {
                    builder.set(config.regex.expand(config.replacement, groups), label.value);
                }
            }
            return true;
        }
        case RelabelAction::kLabelDrop:
        case RelabelAction::kLabelKeep: {
            const bool keepMatching = config.action == RelabelAction::kLabelKeep;
            const model::Labels current = builder.labels();
            for (const auto& label : current) {
                if (config.regex.fullMatch(label.name) != keepMatching)
                    builder.del(label.name);
            }
            return true;
        }
    }
    return true;
}

}  // namespace

const char* relabelActionName(RelabelAction action) {
    for (const auto& [name, value] : kActions) {
        if (value == action)
            return name.data();
    }
    return "unknown";
}

std::optional<RelabelAction> parseRelabelAction(std::string_view name) {
    // Prometheus accepts the action in any case.
    const std::string lower = lowered(std::string(name), false);
    for (const auto& [candidate, value] : kActions) {
        if (candidate == lower)
            return value;
    }
    return std::nullopt;
}

bool isValidLabelName(std::string_view name) {
    if (name.empty())
        return false;
    if (!(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_'))
        return false;
    return std::all_of(name.begin() + 1, name.end(), isNameChar);
}

Result<RelabelRegex> RelabelRegex::compile(const std::string& pattern) {
    RE2::Options options;
    options.set_log_errors(false);
    auto regex = std::make_shared<RE2>("^(?:" + pattern + ")$", options);
    if (!regex->ok())
        return Status::error("invalid regular expression \"" + pattern + "\": " + regex->error());
    RelabelRegex out;
    out.m_pattern = pattern;
    out.m_regex = std::move(regex);
    return out;
}

const RelabelRegex& RelabelRegex::matchAll() {
    static const RelabelRegex kMatchAll = *compile("(.*)");
    return kMatchAll;
}

bool RelabelRegex::fullMatch(std::string_view text) const {
    return RE2::FullMatch(text, *m_regex);
}

bool RelabelRegex::match(std::string_view text, std::vector<std::string_view>& groups) const {
    const int count = m_regex->NumberOfCapturingGroups() + 1;
    std::vector<re2::StringPiece> pieces(static_cast<std::size_t>(count));
    if (!m_regex->Match(text, 0, text.size(), RE2::UNANCHORED, pieces.data(), count))
        return false;
    groups.resize(pieces.size());
    for (std::size_t i = 0; i < pieces.size(); ++i) {
        groups[i] = pieces[i].data() ? std::string_view(pieces[i].data(), pieces[i].size())
                                     : std::string_view();
    }
    return true;
}

std::string RelabelRegex::expand(std::string_view tmpl,
                                 const std::vector<std::string_view>& groups) const {
    std::string out;
    while (!tmpl.empty()) {
        const auto dollar = tmpl.find('$');
        if (dollar == std::string_view::npos)
            break;
        out.append(tmpl.substr(0, dollar));
        tmpl.remove_prefix(dollar + 1);
        if (!tmpl.empty() && tmpl[0] == '$') {
            out += '$';
            tmpl.remove_prefix(1);
            continue;
        }
        std::string_view name;
        int number = -1;
        std::size_t consumed = 0;
        if (!extractReference(tmpl, name, number, consumed)) {
            out += '$';  // malformed: the dollar stays as text
            continue;
        }
        tmpl.remove_prefix(consumed);
        if (number >= 0) {
            if (static_cast<std::size_t>(number) < groups.size())
                out.append(groups[static_cast<std::size_t>(number)]);
        } else {
            const auto& named = m_regex->NamedCapturingGroups();
            if (auto it = named.find(std::string(name)); it != named.end()) {
                const auto index = static_cast<std::size_t>(it->second);
                if (index < groups.size())
                    out.append(groups[index]);
            }
        }
    }
    out.append(tmpl);
    return out;
}

Status RelabelConfig::validate() const {
    const std::string actionName = relabelActionName(action);
    const bool needsTarget =
        action == RelabelAction::kReplace || action == RelabelAction::kHashMod ||
        action == RelabelAction::kLowercase || action == RelabelAction::kUppercase ||
        action == RelabelAction::kKeepEqual || action == RelabelAction::kDropEqual;
    if (needsTarget && targetLabel.empty()) {
        return Status::error("relabel configuration for " + actionName +
                             " action requires 'target_label' value");
    }
    if (action == RelabelAction::kReplace && targetLabel.find('$') == std::string::npos &&
        !isValidLabelName(targetLabel)) {
        return Status::error("\"" + targetLabel + "\" is invalid 'target_label' for " + actionName +
                             " action");
    }
    if ((action == RelabelAction::kLowercase || action == RelabelAction::kUppercase ||
         action == RelabelAction::kKeepEqual || action == RelabelAction::kDropEqual) &&
        !isValidLabelName(targetLabel)) {
        return Status::error("\"" + targetLabel + "\" is invalid 'target_label' for " + actionName +
                             " action");
    }
    if (action == RelabelAction::kLabelMap) {
        static const RE2 kRelabelTarget(R"(^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$)");
        if (!RE2::FullMatch(replacement, kRelabelTarget)) {
            return Status::error("\"" + replacement + "\" is invalid 'replacement' for " +
                                 actionName + " action");
        }
    }
    if (action == RelabelAction::kHashMod && modulus == 0) {
        return Status::error("relabel configuration for hashmod requires non-zero modulus");
    }
    if (action == RelabelAction::kLabelDrop || action == RelabelAction::kLabelKeep) {
        if (!sourceLabels.empty() || !targetLabel.empty() || modulus != 0 || separator != ";" ||
            replacement != "$1") {
            return Status::error(actionName + " action requires only 'regex', and no other fields");
        }
    }
    if (action == RelabelAction::kKeepEqual || action == RelabelAction::kDropEqual) {
        if (regex.pattern() != "(.*)" || modulus != 0 || separator != ";" || replacement != "$1") {
            return Status::error(actionName +
                                 " action requires only 'source_labels' and `target_label`, and no "
                                 "other fields");
        }
    }
    for (const auto& name : sourceLabels) {
        if (!isValidLabelName(name))
            return Status::error("\"" + name + "\" is not a valid label name");
    }
    return Status::ok();
}

bool relabelInPlace(model::LabelsBuilder& builder, const std::vector<RelabelConfig>& configs) {
    std::vector<std::string_view> groups;
    for (const auto& config : configs) {
        if (!applyOne(builder, config, groups))
            return false;
    }
    return true;
}

std::optional<model::Labels> relabel(const model::Labels& labels,
                                     const std::vector<RelabelConfig>& configs) {
    model::LabelsBuilder builder(labels);
    if (!relabelInPlace(builder, configs))
        return std::nullopt;
    return builder.labels();
}

}  // namespace vigil::scrape
