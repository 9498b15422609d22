// vigilctl check rules FILE... and vigilctl test rules FILE...: promtool's
// `check rules` and `test rules`, with its output and exit codes.
// `check rules --logql` checks Loki ruler files (LogQL expressions, the
// files of vigil.yml's logs.rule_files) the same way, its errors printed as
// "FILE:LINE:COL: ..." (there is no promtool output to match).

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>

#include "app/vigilctl/command.h"
#include "core/rules/rule_file.h"
#include "core/rules/rule_unit_test.h"

namespace {

constexpr int kLintErrorExitCode = 3;  // promtool's lintErrExitCode

// promtool's checkDuplicates: rules (recording or alerting) with the same
// name and the same labels.
std::string duplicateRulesMessage(const vigil::rules::RuleFile& file) {
    using Key = std::pair<std::string, std::vector<std::pair<std::string, std::string>>>;
    std::vector<Key> rules;
    for (const auto& group : file.groups) {
        for (const auto& rule : group.rules)
            rules.emplace_back(rule.name, rule.labels);
    }
    std::sort(rules.begin(), rules.end());
    std::vector<Key> duplicates;
    for (std::size_t i = 1; i < rules.size(); ++i) {
        if (rules[i] == rules[i - 1] && (duplicates.empty() || duplicates.back() != rules[i]))
            duplicates.push_back(rules[i]);
    }
    if (duplicates.empty())
        return {};
    std::string message = std::to_string(duplicates.size()) + " duplicate rule(s) found.\n";
    for (const auto& [metric, labels] : duplicates) {
        message += "Metric: " + metric + "\nLabel(s):\n";
        for (const auto& [name, value] : labels)
            message += "\t" + name + ": " + value + "\n";
    }
    message += "Might cause inconsistency while recording expressions";
    return "lint error " + message;
}

int checkRules(const std::vector<std::string>& files, bool lintDuplicates, bool lintFatal,
               vigil::rules::RuleLanguage language) {
    bool failed = false;
    bool hasErrors = false;
    for (const auto& path : files) {
        std::printf("Checking %s\n", path.c_str());
        std::fflush(stdout);
        vigil::rules::RuleFileErrors errors;
        auto file = vigil::rules::loadRuleFile(path, &errors, language);
        std::vector<std::string> problems;
        bool lintOnly = false;
        if (!file) {
            problems = language == vigil::rules::RuleLanguage::kLogQL ? errors.positioned
                                                                      : errors.promtool;
        } else if (lintDuplicates) {
            if (std::string lint = duplicateRulesMessage(*file); !lint.empty()) {
                problems.push_back(lint);
                lintOnly = true;
            }
        }
        if (!problems.empty()) {
            std::fprintf(stderr, "  FAILED:\n");
            for (const auto& p : problems)
                std::fprintf(stderr, "%s\n", p.c_str());
            std::fflush(stderr);
            failed = true;
            hasErrors = hasErrors || !lintOnly;
        } else {
            std::printf("  SUCCESS: %zu rules found\n", file->ruleCount());
        }
        std::printf("\n");
        std::fflush(stdout);
    }
    if (failed && hasErrors)
        return 1;
    if (failed && lintFatal)
        return kLintErrorExitCode;
    return 0;
}

// promtool (kingpin) refuses a missing path before checking anything.
bool pathsExist(const std::vector<std::string>& files) {
    for (const auto& f : files) {
        std::error_code ec;
        if (!std::filesystem::exists(f, ec)) {
            std::fprintf(stderr, "vigilctl: error: path '%s' does not exist, try --help\n",
                         f.c_str());
            return false;
        }
    }
    return true;
}

}  // namespace

VIGILCTL_COMMAND(
    {{"check", "rules"},
     "[--logql] [--lint=duplicate-rules|none] [--lint-fatal] FILE...",
     "Check Prometheus rule files, as promtool check rules; with --logql, Loki ruler files "
     "(LogQL metric queries as expr, as in logs.rule_files).",
     [](const std::vector<std::string>& args) -> int {
         auto parsed = vigil::ctl::parseArgs(args, {"--lint"}, {"--lint-fatal", "--logql"});
         if (!parsed.error.empty()) {
             std::fprintf(stderr, "vigilctl check rules: %s\n", parsed.error.c_str());
             return 2;
         }
         const std::string lint = parsed.value("--lint", "duplicate-rules");
         if (lint != "duplicate-rules" && lint != "none" && lint != "all") {
             std::fprintf(stderr, "vigilctl check rules: unknown --lint option %s\n", lint.c_str());
             return 2;
         }
         if (parsed.positional.empty()) {
             std::fprintf(stderr, "vigilctl check rules: at least one FILE is required\n");
             return 2;
         }
         if (!pathsExist(parsed.positional))
             return 1;
         return checkRules(parsed.positional, lint != "none", parsed.has("--lint-fatal"),
                           parsed.has("--logql") ? vigil::rules::RuleLanguage::kLogQL
                                                 : vigil::rules::RuleLanguage::kPromQL);
     }});

VIGILCTL_COMMAND({{"test", "rules"},
                  "TEST_FILE...",
                  "Unit-test rule files, as promtool test rules.",
                  [](const std::vector<std::string>& args) -> int {
                      if (args.empty()) {
                          std::fprintf(stderr,
                                       "vigilctl test rules: at least one FILE is required\n");
                          return 2;
                      }
                      if (!pathsExist(args))
                          return 1;
                      return vigil::rules::runRuleUnitTests(args, std::cout, std::cerr);
                  }});
