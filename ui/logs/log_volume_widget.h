#pragma once

#include <QWidget>

#include "core/logs/level/log_volume.h"

namespace vigil::logsui {

// The log volume histogram above the results: one stacked bar per time
// bucket, coloured by level (Grafana's colours), the levels' totals in a
// legend line. Shows "Loading…" / a message while there is no volume.
class LogVolumeWidget : public QWidget {
    Q_OBJECT
public:
    explicit LogVolumeWidget(QWidget* parent = nullptr);

    void setVolume(logs::LogVolume volume);
    void setMessage(const QString& message);  // clears the bars
    const logs::LogVolume& volume() const { return m_volume; }
    // Lines counted per level over the whole range.
    std::array<std::uint64_t, logs::kLogLevelCount> totals() const;
    QString legendText() const;

    QSize sizeHint() const override { return {600, 110}; }
    // The bucket under x (widget coordinates), or -1.
    int bucketAt(int x) const;
    // "14:05:00 – 14:06:00: error 3, info 12" for a bucket.
    QString bucketText(int bucket) const;

protected:
    void paintEvent(QPaintEvent* event) override;
    bool event(QEvent* event) override;

private:
    logs::LogVolume m_volume;
    QString m_message;
};

}  // namespace vigil::logsui
