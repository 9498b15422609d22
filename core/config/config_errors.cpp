#include "core/config/config_errors.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <tuple>

namespace vigil::config {

std::string ConfigErrors::format(int line, int column, std::string_view message) const {
    std::string out = m_fileName;
    if (line > 0) {
        out += ':' + std::to_string(line);
        if (column > 0)
            out += ':' + std::to_string(column);
    }
    out += ": ";
    out += message;
    return out;
}

void ConfigErrors::add(const YAML::Mark& mark, std::string_view message) {
    // yaml-cpp marks are 0-based; a null mark (-1) has no position.
    add(mark.line >= 0 ? mark.line + 1 : 0, mark.column >= 0 ? mark.column + 1 : 0, message);
}

void ConfigErrors::add(int line, int column, std::string_view message) {
    // Keep the list in file order, as a compiler prints its diagnostics.
    const Positioned position{line, column, m_positions.size()};
    auto it = std::upper_bound(m_positions.begin(), m_positions.end(), position,
                               [](const Positioned& a, const Positioned& b) {
                                   return std::tie(a.line, a.column, a.order) <
                                          std::tie(b.line, b.column, b.order);
                               });
    const auto index = it - m_positions.begin();
    m_positions.insert(it, position);
    m_errors.insert(m_errors.begin() + index, format(line, column, message));
}

void ConfigErrors::warn(const YAML::Mark& mark, std::string_view message) {
    m_warnings.push_back(format(mark.line >= 0 ? mark.line + 1 : 0,
                                mark.column >= 0 ? mark.column + 1 : 0, message));
}

Status ConfigErrors::toStatus() const {
    if (m_errors.empty())
        return Status::ok();
    std::string joined;
    for (const auto& e : m_errors) {
        if (!joined.empty())
            joined += '\n';
        joined += e;
    }
    return Status::error(joined);
}

}  // namespace vigil::config
