#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

#include "core/dashboard/grid_layout.h"
#include "core/util/status.h"

namespace vigil::dashboard {

// A dashboard is a Grafana dashboard JSON document (classic model; see
// ../shared/conformance/grafana/MODEL.md and FORMAT.md here). Vigil reads
// every schemaVersion Grafana has written, migrates old documents in memory
// (legacy rows[] to the grid, graph to timeseries, singlestat to stat or
// gauge) and writes schemaVersion kWrittenSchemaVersion. Every key Vigil does
// not use is kept: each object holds the JSON it came from and export patches
// only the keys Vigil owns.

inline constexpr int kWrittenSchemaVersion = 39;

struct DataSourceRef {
    QString type;  // "prometheus", "loki", "datasource" (a variable), "" unknown
    QString uid;   // uid, legacy name, "${DS_X}", "$datasource", "-- Mixed --"; "" = default
    bool isDefault() const { return uid.isEmpty() && type.isEmpty(); }
    static DataSourceRef fromJson(const QJsonValue& value);
    QJsonValue toJson() const;
};

struct Target {
    QString refId;
    QString expr;
    QString legendFormat;
    QString interval;  // minimum step, e.g. "30s"
    bool instant = false;
    bool hidden = false;
    QString format;  // time_series, table, heatmap
    std::optional<DataSourceRef> datasource;
    QJsonObject raw;
};

struct Panel {
    int id = 0;
    QString type;  // after migration: timeseries, stat, gauge, row, ...
    QString title;
    GridItem gridPos;  // gridPos.id == id
    std::optional<DataSourceRef> datasource;
    std::vector<Target> targets;
    // Rows only: collapsed, with their panels nested here (Grafana's model).
    bool collapsed = false;
    std::vector<Panel> children;
    QJsonObject raw;  // everything else: fieldConfig, options, unknown keys

    bool isRow() const { return type == QLatin1String("row"); }
};

struct Variable {
    QString name;
    QString type;  // query, custom, constant, interval, textbox, datasource, adhoc, ...
    QString label;
    QString query;  // the query string (object queries: their "query" member)
    bool multi = false;
    bool includeAll = false;
    QString allValue;
    QStringList current;  // selected values
    QJsonObject raw;
};

struct TimeRange {
    QString from = QStringLiteral("now-6h");
    QString to = QStringLiteral("now");
};

// What an import found, for `vigilctl dashboard check` and the import
// dialog. Counts follow the source document: panels exclude rows and include
// panels nested in collapsed rows; legacy rows[] entries count as rows.
struct ImportReport {
    int panels = 0;
    int rows = 0;
    int variables = 0;
    int queries = 0;  // targets with a non-empty expr
    int sourceSchemaVersion = 0;
    QStringList migrations;   // what was migrated ("graph -> timeseries (12 panels)")
    QStringList unsupported;  // features Vigil does not render, by name, sorted, unique
};

class Dashboard {
public:
    // Parses and migrates a Grafana dashboard document. `origin` names the
    // document in errors ("node.json"). Errors name the field at fault.
    static Result<Dashboard> fromJson(const QByteArray& json, const QString& origin,
                                      ImportReport* report = nullptr);
    static Result<Dashboard> fromObject(QJsonObject object, const QString& origin,
                                        ImportReport* report = nullptr);

    // The current document, schemaVersion kWrittenSchemaVersion, with every
    // key Vigil does not use preserved.
    QJsonObject toObject() const;
    QByteArray toJson() const;

    QString uid;
    QString title;
    QStringList tags;
    TimeRange time;
    QString refresh;            // "" = off
    std::vector<Panel> panels;  // top level, in layout order; rows hold collapsed children
    std::vector<Variable> variables;
    QJsonObject raw;

    // Every panel that is not a row, including those inside collapsed rows.
    std::vector<const Panel*> allPanels() const;
    const Panel* findPanel(int id) const;
    Panel* findPanel(int id);
    int nextPanelId() const;

    // The top-level grid (collapsed rows' children are not on it).
    GridLayout layout() const;
    // Writes positions back from `layout` (matched by panel id).
    void applyLayout(const GridLayout& layout);
    // Collapses or expands row `rowId` as Grafana's toggleRow does: on
    // collapse the panels after it (up to the next row) nest in it; on expand
    // they come back below it and the panels further down move down by their
    // height; then the grid compacts. False when `rowId` is not a row.
    bool toggleRow(int rowId);
};

// Replaces every `${NAME}` of the document's __inputs (e.g. DS_PROMETHEUS)
// by the given value, in every string of the document, as Grafana's import
// dialog does. Inputs without a value are left as they are.
QJsonObject resolveInputs(const QJsonObject& document,
                          const std::vector<std::pair<QString, QString>>& values);

}  // namespace vigil::dashboard
