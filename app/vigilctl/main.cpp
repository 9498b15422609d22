// vigilctl: Vigil's command-line tool for checks and scripting. It needs no
// display and never touches a running Vigil's data.

#include <QCoreApplication>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "core/config/vigil_config.h"
#include "vigil/version.h"

namespace {

constexpr const char* kUsage =
    "usage: vigilctl [--help] [--version] <command> [<args>]\n"
    "\n"
    "Vigil's command-line tool for checks and scripting.\n"
    "\n"
    "Commands:\n"
    "  check config FILE...   Check vigil.yml files; print each problem as file:line:col: "
    "message.\n"
    "\n"
    "Options:\n"
    "  -h, --help             Show this help.\n"
    "  -v, --version          Show the version.\n";

void printVersion() {
    std::printf("vigilctl %s (revision %s, %s build, %s, Qt %s)\n", vigil::kVersion,
                vigil::kRevision, vigil::kBuildType, vigil::kCompiler, qVersion());
}

// promtool's convention: 0 when every file is valid, 1 when one is not.
int checkConfig(const std::vector<std::string>& files) {
    if (files.empty()) {
        std::fprintf(stderr, "vigilctl check config: at least one FILE is required\n");
        return 2;
    }
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

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("vigilctl"));
    QCoreApplication::setApplicationVersion(QString::fromLatin1(vigil::kVersion));

    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty()) {
        std::fputs(kUsage, stderr);
        return 2;
    }
    const std::string& first = args[0];
    if (first == "-h" || first == "--help" || first == "help") {
        std::fputs(kUsage, stdout);
        return 0;
    }
    if (first == "-v" || first == "--version" || first == "version") {
        printVersion();
        return 0;
    }
    if (first == "check" && args.size() >= 2 && args[1] == "config") {
        return checkConfig(std::vector<std::string>(args.begin() + 2, args.end()));
    }
    std::fprintf(stderr, "vigilctl: unknown command '%s'\n\n%s", first.c_str(), kUsage);
    return 2;
}
