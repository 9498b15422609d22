#include "ui/panels/stat_panels.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QPainter>
#include <QPainterPath>
#include <QVBoxLayout>

#include <cmath>

namespace vigil::panels {

class ValueCanvas : public QWidget {
public:
    explicit ValueCanvas(ValuePanel* owner) : QWidget(owner), m_owner(owner) {
        setMinimumSize(40, 30);
    }

protected:
    void paintEvent(QPaintEvent*) override {
        QPainter painter(this);
        painter.setRenderHint(QPainter::Antialiasing);
        const auto& values = m_owner->m_values;
        if (values.empty())
            return;
        const int n = int(values.size());
        if (m_owner->m_kind == ValuePanel::Kind::kBarGauge) {
            const double rowHeight = double(height()) / n;
            for (int i = 0; i < n; ++i)
                paintBar(painter,
                         QRectF(0, i * rowHeight, width(), rowHeight).adjusted(2, 2, -2, -2),
                         std::size_t(i));
            return;
        }
        // Tiles side by side (wide) or stacked (tall).
        const bool horizontal = width() >= height();
        for (int i = 0; i < n; ++i) {
            const QRectF tile =
                horizontal ? QRectF(double(width()) * i / n, 0, double(width()) / n, height())
                           : QRectF(0, double(height()) * i / n, width(), double(height()) / n);
            if (m_owner->m_kind == ValuePanel::Kind::kGauge)
                paintGauge(painter, tile.adjusted(4, 4, -4, -4), std::size_t(i));
            else
                paintStat(painter, tile.adjusted(2, 2, -2, -2), std::size_t(i));
        }
    }

private:
    static void fitText(QPainter& painter, const QRectF& rect, const QString& text,
                        double maxPixelSize, int flags = Qt::AlignCenter) {
        QFont font = painter.font();
        font.setBold(true);
        double size = std::max(6.0, std::min(maxPixelSize, rect.height() * 0.8));
        font.setPixelSize(int(size));
        QFontMetricsF metrics(font);
        while (size > 6 && metrics.horizontalAdvance(text) > rect.width() * 0.95) {
            size -= 1;
            font.setPixelSize(int(size));
            metrics = QFontMetricsF(font);
        }
        painter.setFont(font);
        painter.drawText(rect, flags, text);
    }

    void paintStat(QPainter& painter, const QRectF& rect, std::size_t i) {
        const ReducedValue& v = m_owner->m_values[i];
        const QColor color = m_owner->valueColor(i);
        QColor textColor = palette().color(QPalette::WindowText);
        if (m_owner->m_colorMode == QLatin1String("background") ||
            m_owner->m_colorMode == QLatin1String("background_solid")) {
            painter.fillRect(rect, color);
            textColor = color.lightnessF() > 0.6 ? Qt::black : Qt::white;
        } else if (m_owner->m_colorMode == QLatin1String("value")) {
            textColor = color;
        }
        if (m_owner->m_sparkline && v.sparkline.size() > 1) {
            double lo = v.sparkline.front().y(), hi = lo;
            for (const QPointF& p : v.sparkline) {
                lo = std::min(lo, p.y());
                hi = std::max(hi, p.y());
            }
            const double t0 = v.sparkline.front().x(), t1 = v.sparkline.back().x();
            const QRectF band(rect.left(), rect.top() + rect.height() * 0.55, rect.width(),
                              rect.height() * 0.45);
            QPainterPath path;
            path.moveTo(band.left(), band.bottom());
            for (const QPointF& p : v.sparkline) {
                const double x =
                    band.left() + (t1 > t0 ? (p.x() - t0) / (t1 - t0) : 0) * band.width();
                const double y =
                    band.bottom() - (hi > lo ? (p.y() - lo) / (hi - lo) : 0.5) * band.height();
                path.lineTo(x, y);
            }
            path.lineTo(band.right(), band.bottom());
            QColor fill = m_owner->m_colorMode == QLatin1String("background")
                              ? QColor(255, 255, 255, 60)
                              : color;
            fill.setAlpha(std::min(fill.alpha(), 60));
            painter.fillPath(path, fill);
        }
        painter.setPen(textColor);
        QRectF valueRect = rect;
        if (m_owner->m_showName && !v.name.isEmpty()) {
            QFont font = painter.font();
            font.setPixelSize(std::max(8, int(rect.height() * 0.15)));
            font.setBold(false);
            painter.setFont(font);
            painter.drawText(QRectF(rect.left(), rect.top(), rect.width(), rect.height() * 0.25),
                             Qt::AlignCenter, v.name);
            valueRect.setTop(rect.top() + rect.height() * 0.25);
        }
        fitText(painter, valueRect, m_owner->valueText(i), rect.height() * 0.5);
    }

    void paintGauge(QPainter& painter, const QRectF& tile, std::size_t i) {
        const ReducedValue& v = m_owner->m_values[i];
        const FieldOptions& options = m_owner->fieldOptions();
        const double lo = options.min.value_or(0);
        const double hi = options.max.value_or(100);
        const double side = std::min(tile.width(), tile.height() * 1.3);
        const QRectF square(tile.center().x() - side / 2, tile.top() + 4, side, side);
        const double thickness = side * 0.12;
        const QRectF arcRect = square.adjusted(thickness, thickness, -thickness, -thickness);
        auto angleFor = [&](double value) {
            const double f = hi > lo ? std::clamp((value - lo) / (hi - lo), 0.0, 1.0) : 0.0;
            return 210.0 - 240.0 * f;  // Qt angles: counter-clockwise from 3 o'clock
        };
        QColor track = palette().color(QPalette::WindowText);
        track.setAlpha(40);
        painter.setPen(QPen(track, thickness, Qt::SolidLine, Qt::FlatCap));
        painter.drawArc(arcRect, int(210 * 16), int(-240 * 16));
        if (m_owner->m_thresholdMarkers) {
            const auto& steps = options.thresholds;
            for (std::size_t s = 0; s < steps.size(); ++s) {
                const double from = steps[s].value.value_or(lo);
                const double to =
                    s + 1 < steps.size() && steps[s + 1].value ? *steps[s + 1].value : hi;
                painter.setPen(QPen(steps[s].color, thickness * 0.3, Qt::SolidLine, Qt::FlatCap));
                const QRectF outer = arcRect.adjusted(-thickness * 0.8, -thickness * 0.8,
                                                      thickness * 0.8, thickness * 0.8);
                painter.drawArc(outer, int(angleFor(from) * 16),
                                int((angleFor(to) - angleFor(from)) * 16));
            }
        }
        if (!std::isnan(v.value)) {
            painter.setPen(QPen(m_owner->valueColor(i), thickness, Qt::SolidLine, Qt::FlatCap));
            painter.drawArc(arcRect, int(210 * 16), int((angleFor(v.value) - 210.0) * 16));
        }
        painter.setPen(m_owner->valueColor(i));
        fitText(painter,
                arcRect.adjusted(thickness, arcRect.height() * 0.25, -thickness,
                                 -arcRect.height() * 0.2),
                m_owner->valueText(i), arcRect.height() * 0.3);
        if (m_owner->m_values.size() > 1) {
            painter.setPen(palette().color(QPalette::WindowText));
            QFont font = painter.font();
            font.setBold(false);
            font.setPixelSize(std::max(8, int(tile.height() * 0.08)));
            painter.setFont(font);
            painter.drawText(QRectF(tile.left(), tile.bottom() - tile.height() * 0.15, tile.width(),
                                    tile.height() * 0.15),
                             Qt::AlignCenter, v.name);
        }
    }

    void paintBar(QPainter& painter, const QRectF& row, std::size_t i) {
        const ReducedValue& v = m_owner->m_values[i];
        const FieldOptions& options = m_owner->fieldOptions();
        const double lo = options.min.value_or(0);
        const double hi = options.max.value_or(100);
        const double nameWidth = row.width() * 0.25;
        const double valueWidth = row.width() * 0.18;
        const QRectF nameRect(row.left(), row.top(), nameWidth, row.height());
        const QRectF barRect(row.left() + nameWidth + 4, row.top() + row.height() * 0.15,
                             row.width() - nameWidth - valueWidth - 8, row.height() * 0.7);
        const QRectF valueRect(barRect.right() + 4, row.top(), valueWidth, row.height());
        painter.setPen(palette().color(QPalette::WindowText));
        QFont font = painter.font();
        font.setBold(false);
        font.setPixelSize(std::clamp(int(row.height() * 0.4), 8, 16));
        painter.setFont(font);
        painter.drawText(nameRect, Qt::AlignVCenter | Qt::AlignRight, v.name);
        QColor unfilled = palette().color(QPalette::WindowText);
        unfilled.setAlpha(25);
        painter.fillRect(barRect, unfilled);
        const double f = hi > lo && !std::isnan(v.value)
                             ? std::clamp((v.value - lo) / (hi - lo), 0.0, 1.0)
                             : 0.0;
        const QColor color = m_owner->valueColor(i);
        QLinearGradient gradient(barRect.topLeft(), barRect.topRight());
        QColor start = color;
        start.setAlpha(90);
        gradient.setColorAt(0, start);
        gradient.setColorAt(1, color);
        painter.fillRect(
            QRectF(barRect.left(), barRect.top(), barRect.width() * f, barRect.height()), gradient);
        painter.setPen(color);
        fitText(painter, valueRect, m_owner->valueText(i), row.height() * 0.6,
                Qt::AlignVCenter | Qt::AlignLeft);
    }

    ValuePanel* m_owner;
};

ValuePanel::ValuePanel(Kind kind, QWidget* parent) : PanelWidget(parent), m_kind(kind) {}

QWidget* ValuePanel::createContent() {
    m_canvas = new ValueCanvas(this);
    return m_canvas;
}

void ValuePanel::configure(const dashboard::Panel& panel, const dashboard::InterpolationContext&) {
    const QJsonObject options = panel.raw.value(QStringLiteral("options")).toObject();
    const QJsonArray calcs = options.value(QStringLiteral("reduceOptions"))
                                 .toObject()
                                 .value(QStringLiteral("calcs"))
                                 .toArray();
    m_calc = calcs.isEmpty() ? QStringLiteral("lastNotNull") : calcs.first().toString();
    m_colorMode = options.value(QStringLiteral("colorMode")).toString(QStringLiteral("value"));
    m_sparkline = options.value(QStringLiteral("graphMode")).toString(QStringLiteral("area")) ==
                  QLatin1String("area");
    const QString textMode =
        options.value(QStringLiteral("textMode")).toString(QStringLiteral("auto"));
    m_showName = textMode == QLatin1String("value_and_name") || textMode == QLatin1String("name");
    m_thresholdMarkers = options.value(QStringLiteral("showThresholdMarkers")).toBool(true);
}

void ValuePanel::render(const PanelData& data) {
    m_values.clear();
    for (const NamedSeries& s : namedSeries(data)) {
        ReducedValue v;
        v.name = s.name;
        v.value = reduceSeries(*s.data, m_calc);
        if (m_kind == Kind::kStat && s.data->timestamps.size() > 1)
            for (std::size_t i = 0; i < s.data->timestamps.size(); ++i)
                if (!std::isnan(s.data->values[i]))
                    v.sparkline.emplace_back(double(s.data->timestamps[i]), s.data->values[i]);
        m_values.push_back(std::move(v));
    }
    // Several values: show names in stat tiles, as Grafana's "auto" does.
    if (m_kind == Kind::kStat && m_values.size() > 1)
        m_showName = true;
    m_canvas->update();
}

QString ValuePanel::valueText(std::size_t i) const {
    return i < m_values.size() ? fieldOptions().format(m_values[i].value) : QString();
}

QColor ValuePanel::valueColor(std::size_t i) const {
    if (i >= m_values.size() || std::isnan(m_values[i].value))
        return palette().color(QPalette::PlaceholderText);
    if (fieldOptions().colorMode == QLatin1String("fixed") && fieldOptions().fixedColor.isValid())
        return fieldOptions().fixedColor;
    FieldOptions options = fieldOptions();
    if (m_kind != Kind::kStat) {
        options.min = options.min.value_or(0);
        options.max = options.max.value_or(100);
    }
    return options.thresholdColor(m_values[i].value);
}

}  // namespace vigil::panels
