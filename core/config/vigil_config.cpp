#include "core/config/vigil_config.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/config/config_errors.h"
#include "core/config/yaml_map_reader.h"

namespace vigil::config {

std::string ListenAddress::toString() const {
    const bool ipv6 = host.find(':') != std::string::npos;
    return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<ListenAddress> parseListenAddress(std::string_view text) {
    const std::string quoted = "'" + std::string(text) + "'";
    ListenAddress out;
    std::string_view portText;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
            return Status::error("invalid listen address " + quoted + ": expected [IPv6]:PORT");
        }
        out.host = std::string(text.substr(1, close - 1));
        portText = text.substr(close + 2);
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string_view::npos) {
            return Status::error("invalid listen address " + quoted +
                                 ": expected HOST:PORT, e.g. 127.0.0.1:9595");
        }
        out.host = std::string(text.substr(0, colon));
        portText = text.substr(colon + 1);
    }
    if (out.host.empty()) {
        return Status::error(
            "invalid listen address " + quoted +
            ": the host is empty; write 0.0.0.0:PORT to listen on every interface");
    }
    int port = -1;
    auto [ptr, ec] = std::from_chars(portText.data(), portText.data() + portText.size(), port);
    if (portText.empty() || ec != std::errc() || ptr != portText.data() + portText.size() ||
        port < 0 || port > 65535) {
        return Status::error("invalid listen address " + quoted +
                             ": the port must be a number from 0 to 65535");
    }
    out.port = port;
    return out;
}

namespace {

void readServer(const YAML::Node& node, ConfigErrors& errors, VigilConfig::Server& server) {
    YamlMapReader reader(node, errors, "server");
    std::string listen;
    if (reader.read("listen", listen)) {
        auto parsed = parseListenAddress(listen);
        if (parsed) {
            server.listen = *parsed;
        } else {
            errors.add(reader.child("listen").Mark(),
                       "server.listen: " + parsed.status().message());
        }
    }
    reader.readByteSize("max_request_size", server.maxRequestBytes);
    reader.finish();
}

}  // namespace

Result<LoadedConfig> parseVigilConfig(std::string_view text, const std::string& fileName) {
    ConfigErrors errors(fileName);
    YAML::Node root;
    try {
        root = YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
        errors.add(e.mark, "invalid YAML: " + e.msg);
        return errors.toStatus();
    }

    LoadedConfig loaded;
    YamlMapReader top(root, errors, "");
    readServer(top.child("server"), errors, loaded.config.server);
    top.readEnum("log_level", loaded.config.logLevel, {"debug", "info", "warning", "error"});
    top.finish();

    if (!errors.empty())
        return errors.toStatus();
    loaded.warnings = errors.warnings();
    return loaded;
}

Result<LoadedConfig> loadVigilConfig(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return Status::ioError("cannot read config file " + path + ": " + std::strerror(errno));
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    return parseVigilConfig(buffer.str(), path);
}

}  // namespace vigil::config
