#pragma once

#include <functional>
#include <string>
#include <vector>

namespace vigil::ctl {

// One vigilctl subcommand ("check config", "tsdb import openmetrics", ...).
// Each lives in its own cmd_*.cpp and registers itself with
// VIGILCTL_COMMAND; main.cpp dispatches on the longest matching path.
struct Command {
    std::vector<std::string> path;  // {"tsdb", "import", "openmetrics"}
    std::string synopsis;           // arguments, for the usage text: "FILE DATA_DIR"
    std::string summary;            // one line for `vigilctl --help`
    // Receives the arguments after the path. Returns the process exit code:
    // 0 success, 1 a failed check or error, 2 bad usage (promtool's codes).
    std::function<int(const std::vector<std::string>& args)> run;
};

std::vector<Command>& commandRegistry();

struct CommandRegistrar {
    explicit CommandRegistrar(Command command) { commandRegistry().push_back(std::move(command)); }
};

// Prints "vigilctl PATH: MESSAGE" and the command's usage to stderr; returns 2.
int usageError(const Command& command, const std::string& message);

// Splits "--flag value" / "--flag=value" options from positional arguments.
// Unknown flags and missing values are reported; `flags` lists the flags that
// take a value, `switches` those that do not.
struct ParsedArgs {
    std::vector<std::string> positional;
    std::vector<std::pair<std::string, std::string>> options;  // in order; repeated flags kept
    std::string error;                                         // empty when fine

    bool has(const std::string& flag) const;
    std::string value(const std::string& flag, const std::string& fallback = {}) const;
    std::vector<std::string> values(const std::string& flag) const;
};
ParsedArgs parseArgs(const std::vector<std::string>& args, const std::vector<std::string>& flags,
                     const std::vector<std::string>& switches = {});

}  // namespace vigil::ctl

#define VIGILCTL_CONCAT_INNER(a, b) a##b
#define VIGILCTL_CONCAT(a, b) VIGILCTL_CONCAT_INNER(a, b)
// Registers a vigilctl command at start-up: VIGILCTL_COMMAND({{"check", "config"}, "FILE...",
// "...", run});
#define VIGILCTL_COMMAND(...)                                    \
    static const ::vigil::ctl::CommandRegistrar VIGILCTL_CONCAT( \
        vigilctlCommand, __LINE__)(::vigil::ctl::Command __VA_ARGS__)
