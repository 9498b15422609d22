#include "app/vigilctl/command.h"

#include <algorithm>
#include <cstdio>

namespace vigil::ctl {

std::vector<Command>& commandRegistry() {
    static std::vector<Command> commands;
    return commands;
}

int usageError(const Command& command, const std::string& message) {
    std::string path;
    for (const auto& part : command.path)
        path += (path.empty() ? "" : " ") + part;
    std::fprintf(stderr, "vigilctl %s: %s\nusage: vigilctl %s %s\n", path.c_str(), message.c_str(),
                 path.c_str(), command.synopsis.c_str());
    return 2;
}

bool ParsedArgs::has(const std::string& flag) const {
    return std::any_of(options.begin(), options.end(),
                       [&](const auto& o) { return o.first == flag; });
}

std::string ParsedArgs::value(const std::string& flag, const std::string& fallback) const {
    for (auto it = options.rbegin(); it != options.rend(); ++it) {
        if (it->first == flag)
            return it->second;
    }
    return fallback;
}

std::vector<std::string> ParsedArgs::values(const std::string& flag) const {
    std::vector<std::string> out;
    for (const auto& o : options) {
        if (o.first == flag)
            out.push_back(o.second);
    }
    return out;
}

ParsedArgs parseArgs(const std::vector<std::string>& args, const std::vector<std::string>& flags,
                     const std::vector<std::string>& switches) {
    ParsedArgs parsed;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg.size() < 3 || arg.compare(0, 2, "--") != 0) {
            parsed.positional.push_back(arg);
            continue;
        }
        std::string name = arg;
        std::string value;
        bool inlineValue = false;
        if (const auto eq = arg.find('='); eq != std::string::npos) {
            name = arg.substr(0, eq);
            value = arg.substr(eq + 1);
            inlineValue = true;
        }
        if (std::find(switches.begin(), switches.end(), name) != switches.end()) {
            parsed.options.emplace_back(name, inlineValue ? value : "true");
            continue;
        }
        if (std::find(flags.begin(), flags.end(), name) == flags.end()) {
            parsed.error = "unknown flag " + name;
            return parsed;
        }
        if (!inlineValue) {
            if (i + 1 >= args.size()) {
                parsed.error = "flag " + name + " needs a value";
                return parsed;
            }
            value = args[++i];
        }
        parsed.options.emplace_back(name, value);
    }
    return parsed;
}

}  // namespace vigil::ctl
