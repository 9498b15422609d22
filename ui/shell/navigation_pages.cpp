#include "ui/shell/navigation_pages.h"

#include <QCoreApplication>

namespace vigil::ui {

const std::array<PageInfo, kPageCount>& pageInfos() {
    static const std::array<PageInfo, kPageCount> kPages = {{
        {Page::kDashboards, QCoreApplication::translate("Navigation", "Dashboards"),
         QStringLiteral("view-grid"),
         QCoreApplication::translate(
             "Navigation",
             "Grafana-compatible dashboards will live here: the bundled Host overview, your own "
             "dashboards built "
             "by drag and drop on a 24-column grid, and dashboards imported from Grafana JSON.")},
        {Page::kExplore, QCoreApplication::translate("Navigation", "Explore"),
         QStringLiteral("edit-find"),
         QCoreApplication::translate("Navigation",
                                     "Ad-hoc PromQL will live here: a query editor with "
                                     "completion, a metrics browser with labels and "
                                     "help text, and graph and table results.")},
        {Page::kLogs, QCoreApplication::translate("Navigation", "Logs"),
         QStringLiteral("text-x-generic"),
         QCoreApplication::translate("Navigation",
                                     "The live log viewer will live here: the system logs and your "
                                     "Promtail sources, tailed live and "
                                     "filtered with LogQL, coloured by level.")},
        {Page::kAlerts, QCoreApplication::translate("Navigation", "Alerts"),
         QStringLiteral("dialog-warning"),
         QCoreApplication::translate("Navigation",
                                     "Alerts will live here: firing and pending alerts by group, "
                                     "acknowledgements, silences and the "
                                     "notification history.")},
        {Page::kTargets, QCoreApplication::translate("Navigation", "Targets"),
         QStringLiteral("network-server"),
         QCoreApplication::translate("Navigation",
                                     "Scrape targets will live here: each target's health, last "
                                     "scrape, duration and error, with its "
                                     "labels before and after relabeling.")},
        {Page::kSettings, QCoreApplication::translate("Navigation", "Settings"),
         QStringLiteral("preferences-system"), QString()},
    }};
    return kPages;
}

const PageInfo& pageInfo(Page page) {
    return pageInfos()[static_cast<std::size_t>(page)];
}

}  // namespace vigil::ui
