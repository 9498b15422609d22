#pragma once

#include <QJsonObject>
#include <QStringList>

namespace vigil::dashboard {

// In-memory migrations of old Grafana documents to the model Vigil renders,
// following Grafana's DashboardMigrator (MODEL.md §7). Each appends a line
// to `notes` saying what it changed ("graph -> timeseries (12 panels)").

// schemaVersion < 16: rows[] with span/height become grid panels (Grafana's
// upgradeToGridLayout: w = span*2, h = ceil(max(px, 90) / 38), packed left to
// right and wrapping within the row's band; row panels only when a row is
// collapsed, repeated or shows its title).
void migrateLegacyRows(QJsonObject& dashboard, QStringList& notes);

// Panel-level migrations, applied to every panel (nested ones too): legacy
// graph to timeseries, singlestat to stat or gauge, Angular table (styles[])
// to table, pre-7 text panels, missing or duplicate ids.
void migrateLegacyPanels(QJsonObject& dashboard, QStringList& notes);

// Dashboard-level renames (sharedCrosshair -> graphTooltip, ...).
void migrateDashboardKeys(QJsonObject& dashboard, QStringList& notes);

}  // namespace vigil::dashboard
