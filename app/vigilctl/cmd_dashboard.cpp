// vigilctl dashboard check FILE [--json]: imports a Grafana dashboard without
// a display and says what Vigil found in it and what it cannot render.

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

#include <cstdio>

#include "app/vigilctl/command.h"
#include "core/dashboard/dashboard.h"

namespace {

int checkDashboard(const std::string& file, bool json) {
    QFile input(QString::fromStdString(file));
    if (!input.open(QIODevice::ReadOnly)) {
        std::fprintf(stderr, "%s: %s\n", file.c_str(), input.errorString().toUtf8().constData());
        return 1;
    }
    vigil::dashboard::ImportReport report;
    auto dashboard = vigil::dashboard::Dashboard::fromJson(input.readAll(),
                                                           QString::fromStdString(file), &report);
    if (!dashboard.isOk()) {
        std::fprintf(stderr, "%s\n", dashboard.status().message().c_str());
        return 1;
    }
    if (json) {
        // Keys in the documented order (QJsonObject would sort them).
        const QByteArray unsupported = QJsonDocument(QJsonArray::fromStringList(report.unsupported))
                                           .toJson(QJsonDocument::Compact);
        std::printf(
            "{\"panels\":%d,\"rows\":%d,\"variables\":%d,\"queries\":%d,\"unsupported\":%s}\n",
            report.panels, report.rows, report.variables, report.queries, unsupported.constData());
        return 0;
    }
    std::printf("Checking %s\n", file.c_str());
    std::printf("  title: %s (schemaVersion %d)\n", dashboard->title.toUtf8().constData(),
                report.sourceSchemaVersion);
    std::printf("  panels: %d, rows: %d, variables: %d, queries: %d\n", report.panels, report.rows,
                report.variables, report.queries);
    for (const QString& migration : report.migrations)
        std::printf("  migrated: %s\n", migration.toUtf8().constData());
    for (const QString& feature : report.unsupported)
        std::printf("  unsupported: %s\n", feature.toUtf8().constData());
    std::printf("  SUCCESS: %s can be opened\n", file.c_str());
    return 0;
}

}  // namespace

VIGILCTL_COMMAND({{"dashboard", "check"},
                  "FILE [--json]",
                  "Import a Grafana dashboard headless; print its panels, rows, variables, "
                  "queries and the features Vigil does not support.",
                  [](const std::vector<std::string>& args) -> int {
                      const auto parsed = vigil::ctl::parseArgs(args, {}, {"--json"});
                      if (!parsed.error.empty() || parsed.positional.size() != 1) {
                          std::fprintf(stderr,
                                       "vigilctl dashboard check: %s\nusage: vigilctl "
                                       "dashboard check FILE [--json]\n",
                                       parsed.error.empty() ? "exactly one FILE is required"
                                                            : parsed.error.c_str());
                          return 2;
                      }
                      return checkDashboard(parsed.positional.front(), parsed.has("--json"));
                  }});
