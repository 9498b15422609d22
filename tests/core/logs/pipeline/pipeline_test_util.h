#pragma once

#include <QString>

#include <string>

// Where the pipeline test fixtures are (the source tree; VIGIL_TEST_DATA_DIR
// is set by CMake at build time).
inline QString pipelineFixture(const QString& name) {
    return QStringLiteral(VIGIL_TEST_DATA_DIR "/fixtures/") + name;
}
