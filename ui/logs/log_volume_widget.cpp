#include "ui/logs/log_volume_widget.h"

#include <QDateTime>
#include <QHelpEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>

#include "ui/logs/log_list_model.h"

namespace vigil::logsui {

LogVolumeWidget::LogVolumeWidget(QWidget* parent) : QWidget(parent) {
    setMinimumHeight(80);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void LogVolumeWidget::setVolume(logs::LogVolume volume) {
    m_volume = std::move(volume);
    m_message.clear();
    update();
}

void LogVolumeWidget::setMessage(const QString& message) {
    m_volume = {};
    m_message = message;
    update();
}

std::array<std::uint64_t, logs::kLogLevelCount> LogVolumeWidget::totals() const {
    std::array<std::uint64_t, logs::kLogLevelCount> t{};
    for (const auto& b : m_volume.buckets)
        for (std::size_t i = 0; i < t.size(); ++i)
            t[i] += b[i];
    return t;
}

QString LogVolumeWidget::legendText() const {
    const auto t = totals();
    QStringList parts;
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (t[i] > 0)
            parts << QStringLiteral("%1: %2")
                         .arg(QString::fromLatin1(
                             logs::logLevelName(static_cast<logs::LogLevel>(i)).data()))
                         .arg(t[i]);
    }
    QString text = parts.join(QStringLiteral("  "));
    if (m_volume.truncated)
        text += tr("  (first %1 lines only)").arg(m_volume.lines);
    return text;
}

int LogVolumeWidget::bucketAt(int x) const {
    const int n = static_cast<int>(m_volume.buckets.size());
    const int plotWidth = width() - 8;
    if (n == 0 || plotWidth <= 0 || x < 4 || x >= 4 + plotWidth)
        return -1;
    return std::min(n - 1, (x - 4) * n / plotWidth);
}

QString LogVolumeWidget::bucketText(int bucket) const {
    if (bucket < 0 || bucket >= static_cast<int>(m_volume.buckets.size()))
        return {};
    const qint64 fromMs = (m_volume.startNs + bucket * m_volume.stepNs) / 1'000'000;
    const qint64 toMs = fromMs + m_volume.stepNs / 1'000'000;
    const QString format = m_volume.stepNs >= 86'400'000'000'000LL
                               ? QStringLiteral("yyyy-MM-dd HH:mm")
                               : QStringLiteral("HH:mm:ss");
    QStringList parts;
    const auto& b = m_volume.buckets[static_cast<std::size_t>(bucket)];
    for (std::size_t i = 0; i < b.size(); ++i)
        if (b[i] > 0)
            parts << QStringLiteral("%1 %2")
                         .arg(QString::fromLatin1(
                             logs::logLevelName(static_cast<logs::LogLevel>(i)).data()))
                         .arg(b[i]);
    return QStringLiteral("%1 – %2: %3")
        .arg(QDateTime::fromMSecsSinceEpoch(fromMs).toString(format),
             QDateTime::fromMSecsSinceEpoch(toMs).toString(format),
             parts.isEmpty() ? tr("no lines") : parts.join(QStringLiteral(", ")));
}

bool LogVolumeWidget::event(QEvent* event) {
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const QString text = bucketText(bucketAt(help->pos().x()));
        if (text.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(help->globalPos(), text, this);
        return true;
    }
    return QWidget::event(event);
}

void LogVolumeWidget::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.fillRect(rect(), palette().base());
    const QFontMetrics fm(font());
    if (m_volume.buckets.empty()) {
        p.setPen(palette().placeholderText().color());
        p.drawText(rect(), Qt::AlignCenter, m_message.isEmpty() ? tr("No log volume") : m_message);
        return;
    }
    const int legendHeight = fm.lineSpacing() + 2;
    const QRect plot = rect().adjusted(4, 4, -4, -legendHeight - 2);
    std::uint64_t maxTotal = 1;
    for (const auto& b : m_volume.buckets) {
        std::uint64_t sum = 0;
        for (auto c : b)
            sum += c;
        maxTotal = std::max(maxTotal, sum);
    }
    const int n = static_cast<int>(m_volume.buckets.size());
    const double barWidth = static_cast<double>(plot.width()) / n;
    for (int i = 0; i < n; ++i) {
        const auto& b = m_volume.buckets[static_cast<std::size_t>(i)];
        double y = plot.bottom();
        // Severe levels at the bottom, as Grafana stacks them.
        for (std::size_t level = 0; level < b.size(); ++level) {
            if (b[level] == 0)
                continue;
            const double h = plot.height() * static_cast<double>(b[level]) / maxTotal;
            const QRectF bar(plot.left() + i * barWidth + 0.5, y - h, std::max(1.0, barWidth - 1.0),
                             h);
            p.fillRect(bar, logLevelColor(static_cast<logs::LogLevel>(level)));
            y -= h;
        }
    }
    p.setPen(palette().text().color());
    p.drawText(QRect(4, height() - legendHeight, width() - 8, legendHeight),
               Qt::AlignLeft | Qt::AlignVCenter, legendText());
    p.drawText(QRect(4, height() - legendHeight, width() - 8, legendHeight),
               Qt::AlignRight | Qt::AlignVCenter, tr("max %1 lines per bar").arg(maxTotal));
}

}  // namespace vigil::logsui
