#include "core/util/status.h"

// Status and Result are header-only; this file anchors the translation unit so
// the header is compiled on its own at least once.
