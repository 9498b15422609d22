// Prints how fast core/promql parses and prints PromQL: every eval expression
// of the shared conformance scripts, parsed (and printed) `rounds` times.
// Usage: bench_promql_parse [shared-dir (default $VIGIL_SHARED_DIR or
// /work/shared)] [rounds (default 200)]

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/promql/parser.h"

namespace {

// The expression after `eval... instant [at T]` or `eval... range from A to B step S`.
bool extractExpression(const std::string& line, std::string* expr) {
    std::size_t i = line.find_first_not_of(" \t");
    if (i == std::string::npos || line.compare(i, 4, "eval") != 0)
        return false;
    std::vector<std::string> words;
    std::size_t pos = i;
    // Skip a fixed number of words depending on the form.
    auto nextWord = [&](std::string* w) {
        pos = line.find_first_not_of(" \t", pos);
        if (pos == std::string::npos)
            return false;
        const std::size_t end = line.find_first_of(" \t", pos);
        *w = line.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
        pos = end == std::string::npos ? line.size() : end;
        return true;
    };
    std::string w;
    if (!nextWord(&w) || !nextWord(&w))
        return false;
    int skip = 0;
    if (w == "instant") {
        const std::size_t save = pos;
        if (nextWord(&w) && w == "at")
            skip = 1;
        else
            pos = save;
    } else if (w == "range") {
        skip = 6;  // from A to B step S
    } else {
        return false;
    }
    for (int k = 0; k < skip; ++k)
        if (!nextWord(&w))
            return false;
    const std::size_t start = line.find_first_not_of(" \t", pos);
    if (start == std::string::npos)
        return false;
    *expr = line.substr(start);
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    const char* env = std::getenv("VIGIL_SHARED_DIR");
    const std::string shared = argc > 1 ? argv[1] : (env ? env : "/work/shared");
    const int rounds = argc > 2 ? std::atoi(argv[2]) : 200;
    const std::filesystem::path root = std::filesystem::path(shared) / "conformance" / "promql";
    if (!std::filesystem::exists(root)) {
        std::fprintf(stderr, "no conformance scripts under %s\n", root.c_str());
        return 1;
    }
    std::vector<std::string> exprs;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
        if (entry.path().extension() != ".test")
            continue;
        std::ifstream in(entry.path());
        std::string line;
        std::string expr;
        while (std::getline(in, line))
            if (extractExpression(line, &expr))
                exprs.push_back(expr);
    }
    std::size_t bytes = 0;
    for (const auto& e : exprs)
        bytes += e.size();

    using Clock = std::chrono::steady_clock;
    std::size_t ok = 0;
    std::size_t printedBytes = 0;
    auto t0 = Clock::now();
    for (int r = 0; r < rounds; ++r)
        for (const auto& e : exprs) {
            vigil::promql::ParseError err;
            ok += vigil::promql::parse(e, &err) != nullptr;
        }
    auto t1 = Clock::now();
    std::vector<vigil::promql::ExprPtr> trees;
    for (const auto& e : exprs) {
        vigil::promql::ParseError err;
        if (auto t = vigil::promql::parse(e, &err))
            trees.push_back(std::move(t));
    }
    auto t2 = Clock::now();
    for (int r = 0; r < rounds; ++r)
        for (const auto& t : trees)
            printedBytes += vigil::promql::toString(*t).size();
    auto t3 = Clock::now();

    const double parseSec = std::chrono::duration<double>(t1 - t0).count();
    const double printSec = std::chrono::duration<double>(t3 - t2).count();
    const double n = double(exprs.size()) * rounds;
    std::printf("expressions: %zu (%zu bytes), rounds: %d, parsed ok per round: %zu\n",
                exprs.size(), bytes, rounds, ok / std::size_t(rounds));
    std::printf("parse:    %.2f us/expression, %.1f MB/s\n", parseSec / n * 1e6,
                double(bytes) * rounds / parseSec / 1e6);
    std::printf("toString: %.2f us/expression (%zu bytes printed)\n",
                printSec / (double(trees.size()) * rounds) * 1e6, printedBytes);
    return 0;
}
