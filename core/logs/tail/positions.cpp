#include "core/logs/tail/positions.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <filesystem>

namespace vigil::logs::tail {

Result<std::map<std::string, std::string>> Positions::parse(const std::string& text,
                                                            const std::string& fileName) {
    std::map<std::string, std::string> out;
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        return Status::corruption(fileName + ":" + std::to_string(e.mark.line + 1) + ":" +
                                  std::to_string(e.mark.column + 1) +
                                  ": invalid positions file: " + e.msg);
    }
    if (!root || root.IsNull())
        return out;
    auto where = [&](const YAML::Node& node) {
        return fileName + ":" + std::to_string(node.Mark().line + 1) + ":" +
               std::to_string(node.Mark().column + 1) + ": ";
    };
    if (!root.IsMap())
        return Status::corruption(where(root) + "invalid positions file: expected a mapping");
    const YAML::Node positions = root["positions"];
    if (!positions || positions.IsNull())
        return out;
    if (!positions.IsMap()) {
        return Status::corruption(where(positions) +
                                  "invalid positions file: positions must be a mapping");
    }
    for (auto it = positions.begin(); it != positions.end(); ++it) {
        if (!it->first.IsScalar() || !it->second.IsScalar()) {
            return Status::corruption(where(it->first) +
                                      "invalid positions file: expected key: \"value\"");
        }
        out[it->first.Scalar()] = it->second.Scalar();
    }
    return out;
}

Result<Positions> Positions::load(Env* env, std::string path, bool ignoreInvalid) {
    Positions positions(env, path);
    if (!env->fileExists(path))
        return positions;
    auto file = env->newSequentialFile(path);
    if (!file)
        return file.status();
    std::string text;
    char buffer[16384];
    for (;;) {
        auto n = (*file)->read(buffer, sizeof buffer);
        if (!n)
            return n.status();
        if (*n == 0)
            break;
        text.append(buffer, *n);
    }
    auto parsed = parse(text, path);
    if (!parsed) {
        if (ignoreInvalid) {
            positions.m_dirty = true;  // rewritten at the next save
            return positions;
        }
        return parsed.status();
    }
    positions.m_entries = std::move(*parsed);
    return positions;
}

std::optional<std::string> Positions::get(const std::string& key) const {
    auto it = m_entries.find(key);
    if (it == m_entries.end())
        return std::nullopt;
    return it->second;
}

std::optional<std::uint64_t> Positions::offset(const std::string& key) const {
    auto it = m_entries.find(key);
    if (it == m_entries.end())
        return std::nullopt;
    std::uint64_t value = 0;
    const std::string& text = it->second;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || ptr != text.data() + text.size() || text.empty())
        return std::nullopt;
    return value;
}

void Positions::set(const std::string& key, std::string value) {
    auto [it, inserted] = m_entries.try_emplace(key, value);
    if (!inserted) {
        if (it->second == value)
            return;
        it->second = std::move(value);
    }
    m_dirty = true;
}

void Positions::remove(const std::string& key) {
    if (m_entries.erase(key) > 0)
        m_dirty = true;
}

std::string Positions::serialize() const {
    YAML::Emitter out;
    out << YAML::BeginMap << YAML::Key << "positions" << YAML::Value << YAML::BeginMap;
    for (const auto& [key, value] : m_entries)
        out << YAML::Key << key << YAML::Value << YAML::DoubleQuoted << value;
    out << YAML::EndMap << YAML::EndMap;
    return std::string(out.c_str()) + "\n";
}

Status Positions::save() {
    const std::string dir = std::filesystem::path(m_path).parent_path().string();
    if (!dir.empty() && !m_env->isDirectory(dir)) {
        std::error_code ec;
        std::filesystem::create_directories(dir, ec);
        if (ec)
            return Status::ioError("cannot create " + dir + ": " + ec.message());
    }
    const std::string tmp = m_path + ".tmp";
    auto file = m_env->newWritableFile(tmp);
    if (!file)
        return file.status();
    Status s = (*file)->append(serialize());
    if (s.isOk())
        s = (*file)->sync();
    if (Status closed = (*file)->close(); s.isOk())
        s = closed;
    if (s.isOk())
        s = m_env->renameFile(tmp, m_path);
    if (s.isOk() && !dir.empty())
        s = m_env->syncDir(dir);
    if (!s.isOk()) {
        (void)m_env->removeFile(tmp);
        return s;
    }
    m_dirty = false;
    return Status::ok();
}

}  // namespace vigil::logs::tail
