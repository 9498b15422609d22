#pragma once

#include <string>

namespace vigil {

// Routes Qt's logging (qDebug/qInfo/qWarning, categories "vigil.*") to
// standard error in logfmt, as Prometheus logs:
//   ts=2026-11-21T09:15:02.123Z level=info component=vigil.http msg="listening on 127.0.0.1:9595"
// `level` is the lowest level printed: debug, info, warning or error.
void installLogOutput(const std::string& level);

}  // namespace vigil
