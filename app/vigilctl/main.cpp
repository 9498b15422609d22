// vigilctl: Vigil's command-line tool for checks and scripting. It needs no
// display. Commands register themselves from their cmd_*.cpp files.

#include <QCoreApplication>
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "app/vigilctl/command.h"
#include "vigil/version.h"

namespace {

std::string joined(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& part : parts)
        out += (out.empty() ? "" : " ") + part;
    return out;
}

void printUsage(std::FILE* out) {
    std::fputs(
        "usage: vigilctl [--help] [--version] <command> [<args>]\n"
        "\n"
        "Vigil's command-line tool for checks and scripting.\n"
        "\n"
        "Commands:\n",
        out);
    auto commands = vigil::ctl::commandRegistry();
    std::sort(commands.begin(), commands.end(),
              [](const auto& a, const auto& b) { return a.path < b.path; });
    for (const auto& command : commands) {
        const std::string head = joined(command.path) + " " + command.synopsis;
        std::fprintf(out, "  %s\n      %s\n", head.c_str(), command.summary.c_str());
    }
    std::fputs(
        "\n"
        "Options:\n"
        "  -h, --help       Show this help.\n"
        "  -v, --version    Show the version.\n",
        out);
}

void printVersion() {
    std::printf("vigilctl %s (revision %s, %s build, %s, Qt %s)\n", vigil::kVersion,
                vigil::kRevision, vigil::kBuildType, vigil::kCompiler, qVersion());
}

}  // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("vigilctl"));
    QCoreApplication::setApplicationVersion(QString::fromLatin1(vigil::kVersion));

    const std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty()) {
        printUsage(stderr);
        return 2;
    }
    if (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
        printUsage(stdout);
        return 0;
    }
    if (args[0] == "-v" || args[0] == "--version" || args[0] == "version") {
        printVersion();
        return 0;
    }

    // The longest registered path that prefixes the arguments wins.
    const vigil::ctl::Command* best = nullptr;
    for (const auto& command : vigil::ctl::commandRegistry()) {
        if (command.path.size() > args.size())
            continue;
        if (!std::equal(command.path.begin(), command.path.end(), args.begin()))
            continue;
        if (!best || command.path.size() > best->path.size())
            best = &command;
    }
    if (!best) {
        std::fprintf(stderr, "vigilctl: unknown command '%s'\n\n", joined(args).c_str());
        printUsage(stderr);
        return 2;
    }
    const std::vector<std::string> rest(
        args.begin() + static_cast<std::ptrdiff_t>(best->path.size()), args.end());
    if (!rest.empty() && (rest[0] == "--help" || rest[0] == "-h")) {
        std::printf("usage: vigilctl %s %s\n\n%s\n", joined(best->path).c_str(),
                    best->synopsis.c_str(), best->summary.c_str());
        return 0;
    }
    return best->run(rest);
}
