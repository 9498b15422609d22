#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/util/status.h"

namespace YAML {
class Mark;
}

namespace vigil::config {

// Collects the problems found while reading one configuration file, each as
// "file:line:col: message" (1-based, as compilers print them), so a user sees
// every mistake at once rather than one per restart.
class ConfigErrors {
public:
    explicit ConfigErrors(std::string fileName) : m_fileName(std::move(fileName)) {}

    void add(const YAML::Mark& mark, std::string_view message);
    void add(int line, int column, std::string_view message);  // 1-based; 0 = unknown
    void warn(const YAML::Mark& mark, std::string_view message);
    // A warning already carrying its own position (from an included file).
    void warnVerbatim(std::string message) { m_warnings.push_back(std::move(message)); }

    bool empty() const { return m_errors.empty(); }
    const std::vector<std::string>& errors() const { return m_errors; }
    const std::vector<std::string>& warnings() const { return m_warnings; }
    const std::string& fileName() const { return m_fileName; }

    // OK when nothing was added; otherwise every error, one per line.
    Status toStatus() const;

private:
    std::string format(int line, int column, std::string_view message) const;

    struct Positioned {
        int line;
        int column;
        std::size_t order;  // discovery order breaks ties
    };

    std::string m_fileName;
    std::vector<std::string> m_errors;  // sorted by position as they are added
    std::vector<Positioned> m_positions;
    std::vector<std::string> m_warnings;
};

}  // namespace vigil::config
