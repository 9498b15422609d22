// vigilctl check config FILE...: validates vigil.yml files.

#include <cstdio>

#include "app/vigilctl/command.h"
#include "core/config/vigil_config.h"

namespace {

// promtool's convention: 0 when every file is valid, 1 when one is not.
int checkConfig(const std::vector<std::string>& files) {
    int exitCode = 0;
    for (const auto& file : files) {
        std::printf("Checking %s\n", file.c_str());
        auto loaded = vigil::config::loadVigilConfig(file);
        if (!loaded) {
            std::printf("  FAILED:\n%s\n", loaded.status().message().c_str());
            exitCode = 1;
            continue;
        }
        for (const auto& warning : loaded->warnings)
            std::printf("  WARNING: %s\n", warning.c_str());
        std::printf("  SUCCESS: %s is valid vigil.yml syntax\n", file.c_str());
    }
    return exitCode;
}

}  // namespace

VIGILCTL_COMMAND({{"check", "config"},
                  "FILE...",
                  "Check vigil.yml files; print each problem as file:line:col: message.",
                  [](const std::vector<std::string>& args) -> int {
                      if (args.empty()) {
                          std::fprintf(stderr,
                                       "vigilctl check config: at least one FILE is required\n");
                          return 2;
                      }
                      return checkConfig(args);
                  }});
