#include "core/logs/tail/glob.h"

#include <dirent.h>
#include <fnmatch.h>
#include <sys/stat.h>

#include <algorithm>
#include <string_view>

namespace vigil::logs::tail {
namespace {

bool hasWildcard(std::string_view component) {
    return component.find_first_of("*?[") != std::string_view::npos;
}

std::vector<std::string> splitPath(const std::string& path) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= path.size()) {
        std::size_t end = path.find('/', start);
        if (end == std::string::npos)
            end = path.size();
        if (end > start)
            out.push_back(path.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

std::string join(const std::string& dir, const std::string& name) {
    return dir == "/" ? "/" + name : dir + "/" + name;
}

bool componentMatch(const std::string& pattern, const std::string& name) {
    return fnmatch(pattern.c_str(), name.c_str(), 0) == 0;
}

bool matchFrom(const std::vector<std::string>& pattern, std::size_t p,
               const std::vector<std::string>& path, std::size_t i) {
    while (p < pattern.size()) {
        if (pattern[p] == "**") {
            for (std::size_t k = i; k <= path.size(); ++k) {
                if (matchFrom(pattern, p + 1, path, k))
                    return true;
            }
            return false;
        }
        if (i >= path.size() || !componentMatch(pattern[p], path[i]))
            return false;
        ++p;
        ++i;
    }
    return i == path.size();
}

void listDir(const std::string& dir, std::vector<std::string>& names) {
    names.clear();
    DIR* d = opendir(dir.c_str());
    if (!d)
        return;
    while (dirent* e = readdir(d)) {
        const std::string_view name = e->d_name;
        if (name == "." || name == "..")
            continue;
        names.emplace_back(name);
    }
    closedir(d);
    std::sort(names.begin(), names.end());
}

bool isDir(const std::string& path) {
    struct stat st {};
    return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool isRegular(const std::string& path) {
    struct stat st {};
    return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// Expands components [i..] under `base` (an existing directory).
void expand(const std::string& base, const std::vector<std::string>& comps, std::size_t i,
            int depth, std::vector<std::string>& out) {
    if (depth > 64)  // a symbolic link loop under `**`
        return;
    if (i == comps.size()) {
        if (isRegular(base))
            out.push_back(base);
        return;
    }
    const std::string& comp = comps[i];
    if (comp == "**") {
        expand(base, comps, i + 1, depth, out);  // zero directories
        std::vector<std::string> names;
        listDir(base, names);
        for (const auto& name : names) {
            const std::string child = join(base, name);
            if (isDir(child))
                expand(child, comps, i, depth + 1, out);
        }
        return;
    }
    if (!hasWildcard(comp)) {
        const std::string child = join(base, comp);
        if (i + 1 == comps.size() || isDir(child))
            expand(child, comps, i + 1, depth, out);
        return;
    }
    std::vector<std::string> names;
    listDir(base, names);
    for (const auto& name : names) {
        if (!componentMatch(comp, name))
            continue;
        const std::string child = join(base, name);
        if (i + 1 == comps.size() || isDir(child))
            expand(child, comps, i + 1, depth, out);
    }
}

}  // namespace

std::vector<std::string> expandGlob(const std::string& pattern) {
    std::vector<std::string> out;
    if (pattern.empty() || pattern.front() != '/')
        return out;
    expand("/", splitPath(pattern), 0, 0, out);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

bool globMatch(const std::string& pattern, const std::string& path) {
    return matchFrom(splitPath(pattern), 0, splitPath(path), 0);
}

std::string globBaseDir(const std::string& pattern) {
    std::string base = "/";
    const auto comps = splitPath(pattern);
    for (std::size_t i = 0; i + 1 < comps.size(); ++i) {
        if (hasWildcard(comps[i]))
            break;
        base = join(base, comps[i]);
    }
    return base;
}

}  // namespace vigil::logs::tail
