#include "core/dashboard/dashboard.h"

#include <QJsonDocument>
#include <QSet>
#include <QUuid>

#include <algorithm>
#include <functional>
#include <limits>

#include "core/dashboard/legacy_migration.h"

namespace vigil::dashboard {
namespace {

// What Vigil renders (ui/panels). Anything else is reported by name.
const QSet<QString>& supportedPanelTypes() {
    static const QSet<QString> kTypes = {QStringLiteral("timeseries"), QStringLiteral("stat"),
                                         QStringLiteral("gauge"),      QStringLiteral("bargauge"),
                                         QStringLiteral("table"),      QStringLiteral("text"),
                                         QStringLiteral("logs"),       QStringLiteral("alertlist"),
                                         QStringLiteral("heatmap"),    QStringLiteral("row")};
    return kTypes;
}

const QSet<QString>& supportedVariableTypes() {
    static const QSet<QString> kTypes = {QStringLiteral("query"),    QStringLiteral("custom"),
                                         QStringLiteral("constant"), QStringLiteral("interval"),
                                         QStringLiteral("textbox"),  QStringLiteral("datasource")};
    return kTypes;
}

// Data-source plugin types Vigil answers: its own Prometheus and Loki APIs,
// plus Grafana's pseudo sources.
bool supportedDataSourceType(const QString& type) {
    return type.isEmpty() || type == QLatin1String("prometheus") || type == QLatin1String("loki") ||
           type == QLatin1String("datasource") || type == QLatin1String("grafana") ||
           type == QLatin1String("__expr__") || type.startsWith(QLatin1Char('$'));
}

QJsonObject gridPosJson(const GridItem& item) {
    return QJsonObject{{QStringLiteral("x"), item.x},
                       {QStringLiteral("y"), item.y},
                       {QStringLiteral("w"), item.w},
                       {QStringLiteral("h"), item.h}};
}

Target parseTarget(const QJsonObject& object) {
    Target target;
    target.raw = object;
    target.refId = object.value(QStringLiteral("refId")).toString();
    target.expr = object.value(QStringLiteral("expr")).toString();
    target.legendFormat = object.value(QStringLiteral("legendFormat")).toString();
    target.interval = object.value(QStringLiteral("interval")).toString();
    target.instant = object.value(QStringLiteral("instant")).toBool();
    target.hidden = object.value(QStringLiteral("hide")).toBool();
    target.format = object.value(QStringLiteral("format")).toString();
    if (object.contains(QStringLiteral("datasource")))
        target.datasource = DataSourceRef::fromJson(object.value(QStringLiteral("datasource")));
    return target;
}

QJsonObject targetToJson(const Target& target) {
    QJsonObject object = target.raw;
    object.insert(QStringLiteral("refId"), target.refId);
    object.insert(QStringLiteral("expr"), target.expr);
    auto setOrRemove = [&](const QString& key, const QString& value) {
        if (value.isEmpty())
            object.remove(key);
        else
            object.insert(key, value);
    };
    setOrRemove(QStringLiteral("legendFormat"), target.legendFormat);
    setOrRemove(QStringLiteral("interval"), target.interval);
    setOrRemove(QStringLiteral("format"), target.format);
    if (target.instant || object.contains(QStringLiteral("instant")))
        object.insert(QStringLiteral("instant"), target.instant);
    if (target.hidden || object.contains(QStringLiteral("hide")))
        object.insert(QStringLiteral("hide"), target.hidden);
    if (target.datasource)
        object.insert(QStringLiteral("datasource"), target.datasource->toJson());
    return object;
}

Panel parsePanel(const QJsonObject& object) {
    Panel panel;
    panel.raw = object;
    panel.id = object.value(QStringLiteral("id")).toInt();
    panel.type = object.value(QStringLiteral("type")).toString();
    panel.title = object.value(QStringLiteral("title")).toString();
    const QJsonObject pos = object.value(QStringLiteral("gridPos")).toObject();
    panel.gridPos.id = panel.id;
    panel.gridPos.x = pos.value(QStringLiteral("x")).toInt(0);
    panel.gridPos.y = pos.value(QStringLiteral("y")).toInt(0);
    panel.gridPos.w = pos.value(QStringLiteral("w")).toInt(panel.isRow() ? kGridColumns : 12);
    panel.gridPos.h = pos.value(QStringLiteral("h")).toInt(panel.isRow() ? 1 : 8);
    panel.gridPos.isStatic = pos.value(QStringLiteral("static")).toBool();
    if (object.contains(QStringLiteral("datasource")))
        panel.datasource = DataSourceRef::fromJson(object.value(QStringLiteral("datasource")));
    for (const QJsonValue& t : object.value(QStringLiteral("targets")).toArray())
        panel.targets.push_back(parseTarget(t.toObject()));
    // Targets without a refId get the next free letter, as Grafana does.
    QSet<QString> used;
    for (const Target& target : panel.targets)
        used.insert(target.refId);
    char next = 'A';
    for (Target& target : panel.targets) {
        if (!target.refId.isEmpty())
            continue;
        while (used.contains(QString(QLatin1Char(next))) && next < 'Z')
            ++next;
        target.refId = QString(QLatin1Char(next));
        used.insert(target.refId);
    }
    panel.collapsed = object.value(QStringLiteral("collapsed")).toBool();
    if (panel.isRow())
        for (const QJsonValue& child : object.value(QStringLiteral("panels")).toArray())
            panel.children.push_back(parsePanel(child.toObject()));
    return panel;
}

QJsonObject panelToJson(const Panel& panel) {
    QJsonObject object = panel.raw;
    object.insert(QStringLiteral("id"), panel.id);
    object.insert(QStringLiteral("type"), panel.type);
    object.insert(QStringLiteral("title"), panel.title);
    QJsonObject pos = gridPosJson(panel.gridPos);
    if (panel.gridPos.isStatic)
        pos.insert(QStringLiteral("static"), true);
    object.insert(QStringLiteral("gridPos"), pos);
    if (panel.datasource)
        object.insert(QStringLiteral("datasource"), panel.datasource->toJson());
    if (panel.isRow()) {
        object.insert(QStringLiteral("collapsed"), panel.collapsed);
        QJsonArray children;
        for (const Panel& child : panel.children)
            children.append(panelToJson(child));
        object.insert(QStringLiteral("panels"), children);
        object.remove(QStringLiteral("targets"));
    } else {
        QJsonArray targets;
        for (const Target& target : panel.targets)
            targets.append(targetToJson(target));
        object.insert(QStringLiteral("targets"), targets);
    }
    return object;
}

Variable parseVariable(const QJsonObject& object) {
    Variable variable;
    variable.raw = object;
    variable.name = object.value(QStringLiteral("name")).toString();
    variable.type = object.value(QStringLiteral("type")).toString();
    variable.label = object.value(QStringLiteral("label")).toString();
    const QJsonValue query = object.value(QStringLiteral("query"));
    variable.query = query.isObject() ? query.toObject().value(QStringLiteral("query")).toString()
                                      : query.toString();
    variable.multi = object.value(QStringLiteral("multi")).toBool();
    variable.includeAll = object.value(QStringLiteral("includeAll")).toBool();
    variable.allValue = object.value(QStringLiteral("allValue")).toString();
    const QJsonValue current =
        object.value(QStringLiteral("current")).toObject().value(QStringLiteral("value"));
    if (current.isArray()) {
        for (const QJsonValue& v : current.toArray())
            variable.current << v.toString();
    } else if (current.isString()) {
        variable.current << current.toString();
    }
    return variable;
}

QJsonObject variableToJson(const Variable& variable) {
    QJsonObject object = variable.raw;
    object.insert(QStringLiteral("name"), variable.name);
    object.insert(QStringLiteral("type"), variable.type);
    if (!variable.label.isEmpty())
        object.insert(QStringLiteral("label"), variable.label);
    if (!object.value(QStringLiteral("query")).isObject())
        object.insert(QStringLiteral("query"), variable.query);
    object.insert(QStringLiteral("multi"), variable.multi);
    object.insert(QStringLiteral("includeAll"), variable.includeAll);
    QJsonObject current = object.value(QStringLiteral("current")).toObject();
    if (variable.multi) {
        current.insert(QStringLiteral("value"), QJsonArray::fromStringList(variable.current));
        current.insert(QStringLiteral("text"), QJsonArray::fromStringList(variable.current));
    } else if (!variable.current.isEmpty()) {
        current.insert(QStringLiteral("value"), variable.current.front());
        current.insert(QStringLiteral("text"), variable.current.front());
    }
    object.insert(QStringLiteral("current"), current);
    return object;
}

// Counts in the source document, before any migration (MODEL.md, SOURCES.md).
void countSource(const QJsonObject& document, ImportReport& report) {
    report.sourceSchemaVersion = document.value(QStringLiteral("schemaVersion")).toInt();
    std::function<void(const QJsonArray&)> walk = [&](const QJsonArray& panels) {
        for (const QJsonValue& value : panels) {
            const QJsonObject panel = value.toObject();
            if (panel.value(QStringLiteral("type")).toString() == QLatin1String("row")) {
                ++report.rows;
                walk(panel.value(QStringLiteral("panels")).toArray());
                continue;
            }
            ++report.panels;
            for (const QJsonValue& t : panel.value(QStringLiteral("targets")).toArray())
                if (!t.toObject().value(QStringLiteral("expr")).toString().isEmpty())
                    ++report.queries;
        }
    };
    walk(document.value(QStringLiteral("panels")).toArray());
    for (const QJsonValue& row : document.value(QStringLiteral("rows")).toArray()) {
        ++report.rows;
        walk(row.toObject().value(QStringLiteral("panels")).toArray());
    }
    report.variables = static_cast<int>(document.value(QStringLiteral("templating"))
                                            .toObject()
                                            .value(QStringLiteral("list"))
                                            .toArray()
                                            .size());
}

void findUnsupported(const Dashboard& dashboard, ImportReport& report) {
    QSet<QString> found;
    std::function<void(const Panel&)> visit = [&](const Panel& panel) {
        if (!supportedPanelTypes().contains(panel.type))
            found << QStringLiteral("panel type \"%1\"").arg(panel.type);
        for (const QJsonValue& t : panel.raw.value(QStringLiteral("transformations")).toArray())
            found << QStringLiteral("transformation \"%1\"")
                         .arg(t.toObject().value(QStringLiteral("id")).toString());
        if (!panel.raw.value(QStringLiteral("repeat")).toString().isEmpty())
            found << (panel.isRow() ? QStringLiteral("repeated rows")
                                    : QStringLiteral("repeated panels"));
        if (panel.raw.contains(QStringLiteral("libraryPanel")))
            found << QStringLiteral("library panels");
        if (panel.raw.value(QStringLiteral("x-vigil-legacy-table")).toBool())
            found << QStringLiteral("Angular table styles");
        if (!panel.raw.value(QStringLiteral("links")).toArray().isEmpty())
            found << QStringLiteral("panel links");
        if (!panel.raw.value(QStringLiteral("fieldConfig"))
                 .toObject()
                 .value(QStringLiteral("defaults"))
                 .toObject()
                 .value(QStringLiteral("links"))
                 .toArray()
                 .isEmpty())
            found << QStringLiteral("data links");
        auto checkDataSource = [&](const std::optional<DataSourceRef>& ds) {
            if (ds && !supportedDataSourceType(ds->type))
                found << QStringLiteral("data source type \"%1\"").arg(ds->type);
        };
        checkDataSource(panel.datasource);
        for (const Target& target : panel.targets)
            checkDataSource(target.datasource);
        for (const Panel& child : panel.children)
            visit(child);
    };
    for (const Panel& panel : dashboard.panels)
        visit(panel);
    for (const Variable& variable : dashboard.variables)
        if (!supportedVariableTypes().contains(variable.type))
            found << QStringLiteral("variable type \"%1\"").arg(variable.type);
    for (const QJsonValue& a : dashboard.raw.value(QStringLiteral("annotations"))
                                   .toObject()
                                   .value(QStringLiteral("list"))
                                   .toArray()) {
        const QJsonObject annotation = a.toObject();
        if (annotation.value(QStringLiteral("builtIn")).toInt() != 1 &&
            annotation.value(QStringLiteral("enable")).toBool(true))
            found << QStringLiteral("annotation queries");
    }
    if (!dashboard.raw.value(QStringLiteral("links")).toArray().isEmpty())
        found << QStringLiteral("dashboard links");
    report.unsupported = QStringList(found.begin(), found.end());
    report.unsupported.sort();
}

}  // namespace

DataSourceRef DataSourceRef::fromJson(const QJsonValue& value) {
    DataSourceRef ref;
    if (value.isObject()) {
        ref.type = value.toObject().value(QStringLiteral("type")).toString();
        ref.uid = value.toObject().value(QStringLiteral("uid")).toString();
    } else if (value.isString()) {
        ref.uid = value.toString();
        if (ref.uid.startsWith(QLatin1Char('$')))
            ref.type = QStringLiteral("datasource");
        else if (ref.uid == QLatin1String("-- Mixed --") ||
                 ref.uid == QLatin1String("-- Grafana --") ||
                 ref.uid == QLatin1String("-- Dashboard --"))
            ref.type = QStringLiteral("datasource");
    }
    return ref;
}

QJsonValue DataSourceRef::toJson() const {
    if (isDefault())
        return QJsonValue::Null;
    QJsonObject object{{QStringLiteral("uid"), uid}};
    if (!type.isEmpty())
        object.insert(QStringLiteral("type"), type);
    return object;
}

Result<Dashboard> Dashboard::fromJson(const QByteArray& json, const QString& origin,
                                      ImportReport* report) {
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError) {
        // Name the line and column of the offset, as an editor shows them.
        int line = 1;
        int column = 1;
        for (int i = 0; i < error.offset && i < json.size(); ++i) {
            if (json[i] == '\n') {
                ++line;
                column = 1;
            } else {
                ++column;
            }
        }
        return Status::error(QStringLiteral("%1:%2:%3: invalid JSON: %4")
                                 .arg(origin)
                                 .arg(line)
                                 .arg(column)
                                 .arg(error.errorString())
                                 .toStdString());
    }
    if (!document.isObject())
        return Status::error(origin.toStdString() + ": a dashboard is a JSON object, found " +
                             (document.isArray() ? "an array" : "something else"));
    return fromObject(document.object(), origin, report);
}

Result<Dashboard> Dashboard::fromObject(QJsonObject object, const QString& origin,
                                        ImportReport* report) {
    const std::string where = origin.toStdString();
    // Kubernetes-style resources (Grafana 12.2+): v1 wraps the classic model
    // in spec; v2 is a different model.
    if (object.contains(QStringLiteral("apiVersion")) && object.contains(QStringLiteral("spec"))) {
        const QJsonObject spec = object.value(QStringLiteral("spec")).toObject();
        if (spec.contains(QStringLiteral("elements")) || spec.contains(QStringLiteral("layout")))
            return Status::error(where +
                                 ": spec: Grafana's v2 dashboard resource (spec.elements, "
                                 "spec.layout) is not supported; export the dashboard "
                                 "with the classic JSON model");
        object = spec;
    }
    if (object.value(QStringLiteral("dashboard")).isObject() &&
        !object.contains(QStringLiteral("panels")) && !object.contains(QStringLiteral("rows")))
        object = object.value(QStringLiteral("dashboard")).toObject();  // API envelope
    const QJsonValue panelsValue = object.value(QStringLiteral("panels"));
    const QJsonValue rowsValue = object.value(QStringLiteral("rows"));
    if (!panelsValue.isUndefined() && !panelsValue.isArray() && !panelsValue.isNull())
        return Status::error(where + ": panels: expected an array");
    if (!rowsValue.isUndefined() && !rowsValue.isArray() && !rowsValue.isNull())
        return Status::error(where + ": rows: expected an array");
    if (panelsValue.isUndefined() && rowsValue.isUndefined() &&
        !object.contains(QStringLiteral("title")))
        return Status::error(where + ": not a Grafana dashboard: no title, panels or rows");
    const QJsonValue templating = object.value(QStringLiteral("templating"));
    if (!templating.isUndefined() && !templating.isObject())
        return Status::error(where + ": templating: expected an object with a list");
    int index = 0;
    for (const QJsonValue& panel : panelsValue.toArray()) {
        if (!panel.isObject())
            return Status::error(where + ": panels[" + std::to_string(index) +
                                 "]: expected an object");
        const QJsonValue pos = panel.toObject().value(QStringLiteral("gridPos"));
        if (!pos.isUndefined() && !pos.isObject())
            return Status::error(where + ": panels[" + std::to_string(index) +
                                 "].gridPos: expected an object {x, y, w, h}");
        ++index;
    }

    ImportReport local;
    ImportReport& r = report ? *report : local;
    r = ImportReport();
    countSource(object, r);

    migrateDashboardKeys(object, r.migrations);
    migrateLegacyRows(object, r.migrations);
    migrateLegacyPanels(object, r.migrations);

    Dashboard dashboard;
    dashboard.uid = object.value(QStringLiteral("uid")).toString();
    if (dashboard.uid.isEmpty()) {
        dashboard.uid = QUuid::createUuid().toString(QUuid::Id128).left(14);
        r.migrations << QStringLiteral("missing uid -> generated");
    }
    dashboard.title = object.value(QStringLiteral("title")).toString();
    for (const QJsonValue& tag : object.value(QStringLiteral("tags")).toArray())
        dashboard.tags << tag.toString();
    const QJsonObject time = object.value(QStringLiteral("time")).toObject();
    if (time.contains(QStringLiteral("from")))
        dashboard.time.from = time.value(QStringLiteral("from")).toString();
    if (time.contains(QStringLiteral("to")))
        dashboard.time.to = time.value(QStringLiteral("to")).toString();
    dashboard.refresh = object.value(QStringLiteral("refresh")).toString();
    for (const QJsonValue& panel : object.value(QStringLiteral("panels")).toArray())
        dashboard.panels.push_back(parsePanel(panel.toObject()));
    for (const QJsonValue& variable : object.value(QStringLiteral("templating"))
                                          .toObject()
                                          .value(QStringLiteral("list"))
                                          .toArray())
        dashboard.variables.push_back(parseVariable(variable.toObject()));
    dashboard.raw = object;

    // Grafana floats panels up on load; do the same so the grid matches.
    GridLayout layout = dashboard.layout();
    layout.normalize();
    dashboard.applyLayout(layout);
    // Collapsed rows' children get the same bounds correction now (real files
    // have x + w > 24 there: loki-operational); compaction waits for expand.
    for (Panel& row : dashboard.panels) {
        for (Panel& child : row.children) {
            GridLayout one({child.gridPos});
            one.normalize();
            const int y = child.gridPos.y;
            child.gridPos = one.items().front();
            child.gridPos.y = y;
        }
    }

    findUnsupported(dashboard, r);
    return dashboard;
}

QJsonObject Dashboard::toObject() const {
    QJsonObject object = raw;
    object.insert(QStringLiteral("uid"), uid);
    object.insert(QStringLiteral("title"), title);
    object.insert(QStringLiteral("tags"), QJsonArray::fromStringList(tags));
    object.insert(QStringLiteral("time"), QJsonObject{{QStringLiteral("from"), time.from},
                                                      {QStringLiteral("to"), time.to}});
    object.insert(QStringLiteral("refresh"), refresh);
    object.insert(
        QStringLiteral("schemaVersion"),
        std::max(kWrittenSchemaVersion, raw.value(QStringLiteral("schemaVersion")).toInt()));
    QJsonArray panelArray;
    for (const Panel& panel : panels)
        panelArray.append(panelToJson(panel));
    object.insert(QStringLiteral("panels"), panelArray);
    QJsonObject templating = object.value(QStringLiteral("templating")).toObject();
    QJsonArray list;
    for (const Variable& variable : variables)
        list.append(variableToJson(variable));
    templating.insert(QStringLiteral("list"), list);
    object.insert(QStringLiteral("templating"), templating);
    object.remove(QStringLiteral("id"));
    return object;
}

QByteArray Dashboard::toJson() const {
    return QJsonDocument(toObject()).toJson(QJsonDocument::Indented);
}

std::vector<const Panel*> Dashboard::allPanels() const {
    std::vector<const Panel*> out;
    for (const Panel& panel : panels) {
        if (panel.isRow()) {
            for (const Panel& child : panel.children)
                out.push_back(&child);
        } else {
            out.push_back(&panel);
        }
    }
    return out;
}

const Panel* Dashboard::findPanel(int id) const {
    for (const Panel& panel : panels) {
        if (panel.id == id)
            return &panel;
        for (const Panel& child : panel.children)
            if (child.id == id)
                return &child;
    }
    return nullptr;
}

Panel* Dashboard::findPanel(int id) {
    return const_cast<Panel*>(std::as_const(*this).findPanel(id));
}

int Dashboard::nextPanelId() const {
    int maxId = 0;
    for (const Panel& panel : panels) {
        maxId = std::max(maxId, panel.id);
        for (const Panel& child : panel.children)
            maxId = std::max(maxId, child.id);
    }
    return maxId + 1;
}

bool Dashboard::toggleRow(int rowId) {
    auto rowIt = std::find_if(panels.begin(), panels.end(),
                              [&](const Panel& p) { return p.id == rowId && p.isRow(); });
    if (rowIt == panels.end())
        return false;
    Panel& row = *rowIt;
    if (row.collapsed) {
        // Grafana's toggleRow (expand): children go back below the row; the
        // panels below move down by the children's height.
        row.collapsed = false;
        const int rowY = row.gridPos.y;
        int yMax = rowY;
        std::vector<Panel> children = std::move(row.children);
        row.children.clear();
        if (!children.empty()) {
            const int yDiff = children.front().gridPos.y - (rowY + 1);
            for (Panel& child : children) {
                child.gridPos.y -= yDiff;
                yMax = std::max(yMax, child.gridPos.y + child.gridPos.h);
            }
            const int push = yMax - rowY - 1;
            for (Panel& other : panels)
                if (other.id != rowId && other.gridPos.y > rowY)
                    other.gridPos.y += push;
            for (Panel& child : children)
                panels.push_back(std::move(child));
        }
    } else {
        // Collapse: the panels after the row, up to the next row, nest in it.
        const int rowY = row.gridPos.y;
        int nextRowY = std::numeric_limits<int>::max();
        for (const Panel& p : panels)
            if (p.isRow() && p.id != rowId && p.gridPos.y > rowY)
                nextRowY = std::min(nextRowY, p.gridPos.y);
        std::vector<Panel> keep;
        std::vector<Panel> nested;
        for (Panel& p : panels) {
            if (!p.isRow() && p.gridPos.y > rowY && p.gridPos.y < nextRowY)
                nested.push_back(std::move(p));
            else
                keep.push_back(std::move(p));
        }
        std::sort(nested.begin(), nested.end(), [](const Panel& a, const Panel& b) {
            return a.gridPos.y < b.gridPos.y ||
                   (a.gridPos.y == b.gridPos.y && a.gridPos.x < b.gridPos.x);
        });
        for (Panel& p : keep)
            if (p.id == rowId) {
                p.collapsed = true;
                p.children = std::move(nested);
            }
        panels = std::move(keep);
    }
    std::stable_sort(panels.begin(), panels.end(), [](const Panel& a, const Panel& b) {
        return a.gridPos.y < b.gridPos.y ||
               (a.gridPos.y == b.gridPos.y && a.gridPos.x < b.gridPos.x);
    });
    GridLayout grid = layout();
    grid.compact();
    applyLayout(grid);
    return true;
}

GridLayout Dashboard::layout() const {
    std::vector<GridItem> items;
    items.reserve(panels.size());
    for (const Panel& panel : panels) {
        GridItem item = panel.gridPos;
        item.id = panel.id;
        items.push_back(item);
    }
    return GridLayout(std::move(items));
}

void Dashboard::applyLayout(const GridLayout& layout) {
    for (Panel& panel : panels) {
        if (const GridItem* item = layout.find(panel.id)) {
            // A collapsed row's children keep their offsets relative to it.
            const int dy = item->y - panel.gridPos.y;
            panel.gridPos = *item;
            for (Panel& child : panel.children)
                child.gridPos.y += dy;
        }
    }
}

QJsonObject resolveInputs(const QJsonObject& document,
                          const std::vector<std::pair<QString, QString>>& values) {
    QByteArray json = QJsonDocument(document).toJson(QJsonDocument::Compact);
    for (const auto& [name, value] : values) {
        // Substitute inside JSON strings: the value is JSON-escaped.
        QByteArray escaped = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
        escaped = escaped.mid(2, escaped.size() - 4);  // strip ["..."]
        json.replace("${" + name.toUtf8() + "}", escaped);
    }
    QJsonObject resolved = QJsonDocument::fromJson(json).object();
    resolved.remove(QStringLiteral("__inputs"));
    return resolved;
}

}  // namespace vigil::dashboard
