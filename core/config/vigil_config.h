#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/status.h"

namespace vigil::config {

// A host and port to listen on: "127.0.0.1:9595", "[::1]:9595", "localhost:0".
struct ListenAddress {
    std::string host = "127.0.0.1";
    int port = 9595;

    std::string toString() const;
};
Result<ListenAddress> parseListenAddress(std::string_view text);

// vigil.yml. Each section grows with the subsystems that land; a key that is
// not in this schema is an error, never silently ignored.
struct VigilConfig {
    struct Server {
        ListenAddress listen;
        std::uint64_t maxRequestBytes = 32ULL << 20;  // larger request bodies get 413
    } server;

    std::string logLevel = "info";  // debug, info, warning, error
};

struct LoadedConfig {
    VigilConfig config;
    std::vector<std::string> warnings;  // "file:line:col: ..." for fields accepted but not acted on
};

// Parses vigil.yml text; `fileName` prefixes every message. All problems are
// reported together, one "file:line:col: message" per line.
Result<LoadedConfig> parseVigilConfig(std::string_view text, const std::string& fileName);

// Reads and parses a file; a missing or unreadable file is an error naming it.
Result<LoadedConfig> loadVigilConfig(const std::string& path);

}  // namespace vigil::config
