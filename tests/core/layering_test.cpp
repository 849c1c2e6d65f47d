// DESIGN.md: each layer includes only the layers below it. This test reads
// every public header and checks its wirekit includes against the layer order
//   core (L0) < checksum (L1) < wire (L2) < fsm (L3) < io (L4) < stack (L5).
// fmt/ formatters and the umbrella headers at the top level may include any
// layer; wirekit.hpp (pure computation) only L0..L2.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>

namespace fs = std::filesystem;

namespace {
const std::map<std::string, int> layer_of = {{"core", 0}, {"checksum", 1}, {"wire", 2},
                                             {"fsm", 3},  {"io", 4},       {"stack", 5}};

// Layer of a path relative to include/wirekit ("wire/dns/message.hpp" -> 2),
// or -1 for top-level umbrellas, or 99 for fmt/.
int layer_of_path(const std::string& rel) {
    auto slash = rel.find('/');
    if (slash == std::string::npos) return -1;
    auto top = rel.substr(0, slash);
    if (top == "fmt") return 99;
    auto it = layer_of.find(top);
    return it == layer_of.end() ? 100 : it->second;
}
}  // namespace

TEST_CASE("every wirekit header includes only its own or lower layers") {
    const fs::path root = fs::path(WIREKIT_SOURCE_DIR) / "include" / "wirekit";
    REQUIRE(fs::exists(root));
    // Matches both <wirekit/x/y.hpp> and relative "../x/y.hpp" / "y.hpp".
    const std::regex include_re(R"re(^\s*#\s*include\s*([<"])([^>"]+)[>"])re");
    int headers = 0;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
        if (!entry.is_regular_file() || entry.path().extension() != ".hpp") continue;
        ++headers;
        const std::string rel = fs::relative(entry.path(), root).generic_string();
        const int own = layer_of_path(rel);
        INFO("header " << rel);
        CHECK(own != 100);  // every header lives in a known layer folder
        if (own == -1 && rel != "wirekit.hpp") continue;  // umbrellas
        if (own == 99) continue;                            // fmt/ formatters
        const int limit = rel == "wirekit.hpp" ? 2 : own;
        std::ifstream in(entry.path());
        std::string line;
        while (std::getline(in, line)) {
            std::smatch m;
            if (!std::regex_search(line, m, include_re)) continue;
            const bool quoted = m[1] == "\"";
            const std::string inc = m[2];
            std::string target;
            if (inc.rfind("wirekit/", 0) == 0) {
                target = inc.substr(8);
            } else if (quoted) {
                // relative include: resolve against the including header
                fs::path p = (entry.path().parent_path() / inc).lexically_normal();
                target = fs::relative(p, root).generic_string();
            } else {
                continue;  // standard or third-party header
            }
            const int dep = layer_of_path(target);
            INFO("includes " << target);
            CHECK(dep != 99);  // layers never depend on fmt/ formatters
            CHECK(dep <= limit);
        }
    }
    CHECK(headers > 5);
}
