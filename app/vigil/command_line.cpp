#include "app/vigil/command_line.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <cstdlib>
#include <cstring>

namespace vigil::app {

bool wantsNoDisplay(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        const char* arg = argv[i];
        if (!std::strcmp(arg, "--headless") || !std::strcmp(arg, "--help") ||
            !std::strcmp(arg, "-h") || !std::strcmp(arg, "--version") || !std::strcmp(arg, "-v") ||
            !std::strcmp(arg, "--help-all")) {
            return true;
        }
    }
    return false;
}

bool displayAvailable() {
    auto set = [](const char* name) {
        const char* value = std::getenv(name);
        return value && *value;
    };
    return set("DISPLAY") || set("WAYLAND_DISPLAY") || set("QT_QPA_PLATFORM");
}

VigilOptions parseVigilCommandLine() {
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Vigil: metrics, alerts, dashboards and logs in one native console.\n"
                       "Without options it opens the main window; --headless runs the engine alone "
                       "until SIGINT or SIGTERM."));
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption headless(
        QStringLiteral("headless"),
        QStringLiteral("Run the engine without a GUI until SIGINT/SIGTERM."));
    QCommandLineOption config(
        QStringLiteral("config"),
        QStringLiteral("Read the configuration from <file> instead of the XDG location "
                       "(~/.config/vigil/vigil.yml)."),
        QStringLiteral("file"));
    QCommandLineOption dataDir(QStringLiteral("data-dir"),
                               QStringLiteral("Keep data in <dir> instead of the XDG location "
                                              "(~/.local/share/vigil)."),
                               QStringLiteral("dir"));
    QCommandLineOption listen(
        QStringLiteral("listen"),
        QStringLiteral("Serve HTTP on <addr:port>, overriding server.listen in vigil.yml "
                       "(default 127.0.0.1:9595; port 0 picks a free port)."),
        QStringLiteral("addr:port"));
    parser.addOptions({headless, config, dataDir, listen});
    parser.process(*QCoreApplication::instance());  // exits on --help, --version and errors
    if (!parser.positionalArguments().isEmpty()) {
        std::fprintf(stderr, "vigil: unexpected argument '%s'; see vigil --help\n",
                     qPrintable(parser.positionalArguments().first()));
        std::exit(2);
    }

    VigilOptions options;
    options.headless = parser.isSet(headless);
    options.configFile = parser.value(config);
    options.dataDir = parser.value(dataDir);
    options.listen = parser.value(listen);
    return options;
}

}  // namespace vigil::app
