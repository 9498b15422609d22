#pragma once

#include <string>
#include <vector>

namespace vigil::logs::tail {

// Promtail's path globs (the doublestar library): `*`, `?`, `[...]` match
// within one path component (dot files included); a component `**` matches
// any number of directories, none included. Patterns are absolute paths.

// The regular files (symbolic links followed) whose path matches `pattern`,
// sorted. Unreadable directories are skipped.
std::vector<std::string> expandGlob(const std::string& pattern);

// Whether `path` matches `pattern` (for `__path_exclude__`).
bool globMatch(const std::string& pattern, const std::string& path);

// The longest directory prefix of `pattern` without a wildcard ("/var/log"
// for "/var/log/**/*.log"): the directory to watch for new files.
std::string globBaseDir(const std::string& pattern);

}  // namespace vigil::logs::tail
