#include "ui/dashboards/panel_editor.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTimer>
#include <QVBoxLayout>

#include "core/dashboard/panel_queries.h"
#include "ui/dashboards/panel_query_service.h"
#include "ui/dashboards/promql_editor.h"
#include "ui/panels/panel_data.h"
#include "ui/panels/panel_factory.h"
#include "ui/panels/panel_widget.h"

namespace vigil::dashboards {
namespace {

constexpr const char* kTypes[] = {"timeseries", "stat",    "gauge", "bargauge",
                                  "table",      "heatmap", "text",  "alertlist"};
constexpr const char* kUnits[] = {"",      "short",    "none",    "percent",     "percentunit",
                                  "bytes", "decbytes", "bits",    "bps",         "Bps",
                                  "s",     "ms",       "ns",      "reqps",       "ops",
                                  "iops",  "hertz",    "celsius", "dtdurations", "currencyUSD"};

QJsonObject subObject(const QJsonObject& o, const char* key) {
    return o.value(QLatin1String(key)).toObject();
}

}  // namespace

QJsonArray PanelEditor::parseThresholds(const QString& text, QString* error) {
    QJsonArray steps;
    int index = 0;
    for (const QString& part : text.split(QLatin1Char(';'), Qt::SkipEmptyParts)) {
        const QStringList words = part.trimmed().split(QLatin1Char(' '), Qt::SkipEmptyParts);
        if (index == 0 && words.size() == 1) {
            steps.append(QJsonObject{{QStringLiteral("color"), words[0]},
                                     {QStringLiteral("value"), QJsonValue::Null}});
        } else {
            bool ok = false;
            const double value = words.value(0).toDouble(&ok);
            if (words.size() != 2 || !ok) {
                if (error)
                    *error = QObject::tr(
                                 "threshold %1: expected \"VALUE COLOR\" (e.g. \"80 orange\"), got "
                                 "\"%2\"")
                                 .arg(index + 1)
                                 .arg(part.trimmed());
                return {};
            }
            if (index == 0)
                steps.append(QJsonObject{{QStringLiteral("color"), QStringLiteral("green")},
                                         {QStringLiteral("value"), QJsonValue::Null}});
            steps.append(
                QJsonObject{{QStringLiteral("color"), words[1]}, {QStringLiteral("value"), value}});
        }
        ++index;
    }
    if (error)
        error->clear();
    return steps;
}

QString PanelEditor::formatThresholds(const QJsonArray& steps) {
    QStringList parts;
    for (const QJsonValue& v : steps) {
        const QJsonObject step = v.toObject();
        const QString color = step.value(QStringLiteral("color")).toString();
        parts << (step.value(QStringLiteral("value")).isDouble()
                      ? QString::number(step.value(QStringLiteral("value")).toDouble()) +
                            QLatin1Char(' ') + color
                      : color);
    }
    return parts.join(QStringLiteral("; "));
}

PanelEditor::PanelEditor(const dashboard::Panel& panel,
                         std::shared_ptr<dashboard::MetricsSource> source,
                         dashboard::InterpolationContext context, dashboard::ResolvedRange range,
                         QWidget* parent)
    : QDialog(parent),
      m_panel(panel),
      m_source(std::move(source)),
      m_context(std::move(context)),
      m_range(range) {
    setWindowTitle(tr("Edit panel: %1").arg(panel.title));
    resize(1100, 750);
    m_queries = new PanelQueryService(m_source, this);
    connect(m_queries, &PanelQueryService::panelDataReady, this,
            [this](int, const panels::PanelData& data) {
                if (m_preview)
                    m_preview->setData(data);
            });
    m_debounce = new QTimer(this);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(400);
    connect(m_debounce, &QTimer::timeout, this, &PanelEditor::refreshPreview);

    auto* layout = new QVBoxLayout(this);
    auto* splitter = new QSplitter(Qt::Vertical, this);
    m_previewHost = new QWidget(splitter);
    new QVBoxLayout(m_previewHost);
    m_previewHost->setMinimumHeight(260);

    auto* bottom = new QWidget(splitter);
    auto* bottomLayout = new QHBoxLayout(bottom);
    auto* queries = new QGroupBox(tr("Queries"), bottom);
    m_queryLayout = new QVBoxLayout(queries);
    auto* add = new QPushButton(tr("Add query"), queries);
    connect(add, &QPushButton::clicked, this, [this] { addQuery(); });
    m_queryLayout->addWidget(add);
    m_queryLayout->addStretch(1);
    bottomLayout->addWidget(queries, 3);

    auto* options = new QGroupBox(tr("Panel options"), bottom);
    auto* form = new QFormLayout(options);
    m_title = new QLineEdit(panel.title, options);
    m_type = new QComboBox(options);
    for (const char* type : kTypes)
        m_type->addItem(QString::fromLatin1(type));
    m_type->setCurrentText(panel.type);
    const QJsonObject defaults = subObject(subObject(panel.raw, "fieldConfig"), "defaults");
    m_unit = new QComboBox(options);
    m_unit->setEditable(true);
    for (const char* unit : kUnits)
        m_unit->addItem(QString::fromLatin1(unit));
    m_unit->setCurrentText(defaults.value(QStringLiteral("unit")).toString());
    m_min = new QLineEdit(defaults.contains(QStringLiteral("min"))
                              ? QString::number(defaults.value(QStringLiteral("min")).toDouble())
                              : QString(),
                          options);
    m_max = new QLineEdit(defaults.contains(QStringLiteral("max"))
                              ? QString::number(defaults.value(QStringLiteral("max")).toDouble())
                              : QString(),
                          options);
    m_min->setPlaceholderText(tr("auto"));
    m_max->setPlaceholderText(tr("auto"));
    m_decimals = new QSpinBox(options);
    m_decimals->setRange(-1, 10);
    m_decimals->setSpecialValueText(tr("auto"));
    m_decimals->setValue(defaults.value(QStringLiteral("decimals")).isDouble()
                             ? defaults.value(QStringLiteral("decimals")).toInt()
                             : -1);
    m_thresholds = new QLineEdit(
        formatThresholds(
            subObject(defaults, "thresholds").value(QStringLiteral("steps")).toArray()),
        options);
    m_thresholds->setPlaceholderText(QStringLiteral("green; 80 orange; 90 red"));
    form->addRow(tr("Title"), m_title);
    form->addRow(tr("Visualization"), m_type);
    form->addRow(tr("Unit"), m_unit);
    form->addRow(tr("Min"), m_min);
    form->addRow(tr("Max"), m_max);
    form->addRow(tr("Decimals"), m_decimals);
    form->addRow(tr("Thresholds"), m_thresholds);
    bottomLayout->addWidget(options, 2);

    splitter->addWidget(m_previewHost);
    splitter->addWidget(bottom);
    layout->addWidget(splitter, 1);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);

    for (const dashboard::Target& target : panel.targets)
        addQuery(target.expr, target.legendFormat);
    if (panel.targets.empty() && panel.type != QLatin1String("text") &&
        panel.type != QLatin1String("row"))
        addQuery();

    auto schedule = [this] { m_debounce->start(); };
    connect(m_title, &QLineEdit::textChanged, this, schedule);
    connect(m_unit, &QComboBox::currentTextChanged, this, schedule);
    connect(m_min, &QLineEdit::textChanged, this, schedule);
    connect(m_max, &QLineEdit::textChanged, this, schedule);
    connect(m_decimals, qOverload<int>(&QSpinBox::valueChanged), this, schedule);
    connect(m_thresholds, &QLineEdit::textChanged, this, schedule);
    connect(m_type, &QComboBox::currentTextChanged, this, [this] {
        rebuildPreviewWidget();
        refreshPreview();
    });
    rebuildPreviewWidget();
    refreshPreview();

    // Completion: the source's metric names, off the GUI thread.
    auto* watcher = new QFutureWatcher<Result<std::vector<dashboard::MetricInfo>>>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher] {
        auto result = watcher->result();
        if (!result.isOk())
            return;
        QStringList names;
        for (const auto& m : *result)
            names << m.name;
        for (auto& [editor, legend] : m_targets)
            editor->setCompletions(names, {QStringLiteral("job"), QStringLiteral("instance")});
    });
    watcher->setFuture(fetchMetricsAsync(m_source, m_range.toMs));
}

PanelEditor::~PanelEditor() = default;

void PanelEditor::addQuery(const QString& expr, const QString& legend) {
    auto* row = new QWidget(this);
    auto* rowLayout = new QVBoxLayout(row);
    rowLayout->setContentsMargins(0, 0, 0, 0);
    auto* editor = new PromQLEditor(row);
    editor->setPlainText(expr);
    auto* error = new QLabel(row);
    error->setStyleSheet(QStringLiteral("color: #E02F44"));
    error->setWordWrap(true);
    error->setText(editor->errorText());
    connect(editor, &PromQLEditor::errorChanged, error, &QLabel::setText);
    auto* legendEdit = new QLineEdit(legend, row);
    legendEdit->setPlaceholderText(tr("Legend, e.g. {{instance}}"));
    rowLayout->addWidget(new QLabel(
        QStringLiteral("%1").arg(QChar(QLatin1Char('A' + char(m_targets.size())))), row));
    rowLayout->addWidget(editor);
    rowLayout->addWidget(error);
    rowLayout->addWidget(legendEdit);
    m_queryLayout->insertWidget(int(m_targets.size()), row);
    m_targets.emplace_back(editor, legendEdit);
    connect(editor, &QPlainTextEdit::textChanged, m_debounce, qOverload<>(&QTimer::start));
    connect(legendEdit, &QLineEdit::textChanged, m_debounce, qOverload<>(&QTimer::start));
}

std::vector<PromQLEditor*> PanelEditor::queryEditors() const {
    std::vector<PromQLEditor*> editors;
    for (const auto& [editor, legend] : m_targets)
        editors.push_back(editor);
    return editors;
}

QLineEdit* PanelEditor::legendEditor(int index) const {
    return index >= 0 && index < int(m_targets.size()) ? m_targets[std::size_t(index)].second
                                                       : nullptr;
}

dashboard::Panel PanelEditor::panel() const {
    dashboard::Panel panel = m_panel;
    panel.title = m_title->text();
    panel.type = m_type->currentText();
    QJsonObject fieldConfig = subObject(panel.raw, "fieldConfig");
    QJsonObject defaults = subObject(fieldConfig, "defaults");
    auto setOrRemove = [&defaults](const char* key, const QJsonValue& value) {
        if (value.isUndefined() || (value.isString() && value.toString().isEmpty()))
            defaults.remove(QLatin1String(key));
        else
            defaults.insert(QLatin1String(key), value);
    };
    setOrRemove("unit", m_unit->currentText());
    bool ok = false;
    const double min = m_min->text().toDouble(&ok);
    setOrRemove("min", ok ? QJsonValue(min) : QJsonValue(QJsonValue::Undefined));
    const double max = m_max->text().toDouble(&ok);
    setOrRemove("max", ok ? QJsonValue(max) : QJsonValue(QJsonValue::Undefined));
    setOrRemove("decimals", m_decimals->value() >= 0 ? QJsonValue(m_decimals->value())
                                                     : QJsonValue(QJsonValue::Undefined));
    QString error;
    const QJsonArray steps = parseThresholds(m_thresholds->text(), &error);
    if (error.isEmpty() && !steps.isEmpty())
        defaults.insert(QStringLiteral("thresholds"),
                        QJsonObject{{QStringLiteral("mode"), QStringLiteral("absolute")},
                                    {QStringLiteral("steps"), steps}});
    fieldConfig.insert(QStringLiteral("defaults"), defaults);
    panel.raw.insert(QStringLiteral("fieldConfig"), fieldConfig);
    // Targets: keep what each had (datasource, editorMode...), replace the rest.
    std::vector<dashboard::Target> targets;
    for (std::size_t i = 0; i < m_targets.size(); ++i) {
        dashboard::Target target =
            i < m_panel.targets.size() ? m_panel.targets[i] : dashboard::Target{};
        target.refId = QString(QLatin1Char(char('A' + i)));
        target.expr = m_targets[i].first->toPlainText();
        target.legendFormat = m_targets[i].second->text();
        targets.push_back(std::move(target));
    }
    panel.targets = std::move(targets);
    return panel;
}

void PanelEditor::rebuildPreviewWidget() {
    delete m_preview;
    m_preview = panels::createPanelWidget(m_type->currentText(), m_previewHost);
    m_previewHost->layout()->addWidget(m_preview);
    m_preview->setPanel(panel(), m_context);
}

void PanelEditor::refreshPreview() {
    const dashboard::Panel edited = panel();
    if (!m_preview)
        return;
    m_preview->setPanel(edited, m_context);
    auto planned = dashboard::planPanelQueries(
        edited, m_range, m_context,
        dashboard::PanelQueryOptions{std::max(200, m_preview->width()), 15000});
    if (planned.empty())
        return;
    m_preview->setLoading(true);
    m_queries->refresh(edited.id, std::move(planned), m_range.fromMs, m_range.toMs);
}

}  // namespace vigil::dashboards
