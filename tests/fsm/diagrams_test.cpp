// The diagrams in docs/diagrams/ are the output of examples/fsm_diagrams.cpp.
// This test runs the same generator (the example's own source) and compares
// byte for byte, so a table change without regenerated docs fails here.
// Refresh with:  fsm-diagrams docs/diagrams
#include <catch2/catch.hpp>

#define WIREKIT_FSM_DIAGRAMS_NO_MAIN
#include "../../examples/fsm_diagrams.cpp"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace {
std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}
}  // namespace

TEST_CASE("docs/diagrams matches the generator (run fsm-diagrams docs/diagrams to refresh)") {
    const std::filesystem::path dir = std::filesystem::path(WIREKIT_SOURCE_DIR) / "docs" / "diagrams";
    const auto diagrams = wirekit_examples::fsm_diagrams();
    REQUIRE(diagrams.size() >= 3);
    for (const auto& [name, text] : diagrams) {
        INFO("docs/diagrams/" << name);
        REQUIRE(std::filesystem::exists(dir / name));
        CHECK(slurp(dir / name) == text);
    }
}

TEST_CASE("docs/tcp.md embeds the generated TCP diagrams verbatim") {
    const auto md = slurp(std::filesystem::path(WIREKIT_SOURCE_DIR) / "docs" / "tcp.md");
    int embedded = 0;
    for (const auto& [name, text] : wirekit_examples::fsm_diagrams()) {
        if (name != "tcp.mmd" && name.rfind("tcp-congestion-", 0) != 0) continue;
        INFO(name);
        CHECK(md.find("```mermaid\n" + text + "```\n") != std::string::npos);
        ++embedded;
    }
    CHECK(embedded == 4);  // tcp.mmd and the three congestion policies
}

TEST_CASE("the TCP diagram has RFC 9293 Figure 5's transitions") {
    const auto mmd = wirekit_examples::fsm_diagrams().front().second;
    // Figure 5, edge by edge (event labels as the figure writes them).
    for (const char* edge : {
             "CLOSED --> LISTEN : passive OPEN",
             "CLOSED --> SYN_SENT : active OPEN / snd SYN",
             "LISTEN --> SYN_RECEIVED : rcv SYN / snd SYN,ACK",
             "LISTEN --> SYN_SENT : SEND [foreign socket known] / snd SYN",
             "SYN_SENT --> SYN_RECEIVED : rcv SYN / snd SYN,ACK",
             "SYN_SENT --> ESTABLISHED : rcv SYN,ACK / snd ACK",
             "SYN_RECEIVED --> ESTABLISHED : rcv ACK of SYN",
             "SYN_RECEIVED --> FIN_WAIT_1 : CLOSE / snd FIN",
             "ESTABLISHED --> FIN_WAIT_1 : CLOSE / snd FIN",
             "ESTABLISHED --> CLOSE_WAIT : rcv FIN / snd ACK",
             "FIN_WAIT_1 --> FIN_WAIT_2 : rcv ACK of FIN",
             "FIN_WAIT_1 --> CLOSING : rcv FIN / snd ACK",
             "FIN_WAIT_2 --> TIME_WAIT : rcv FIN / snd ACK",
             "CLOSING --> TIME_WAIT : rcv ACK of FIN",
             "CLOSE_WAIT --> LAST_ACK : CLOSE / snd FIN",
             "LAST_ACK --> CLOSED : rcv ACK of FIN",
             "TIME_WAIT --> CLOSED : timeout=2MSL",
             "LISTEN --> CLOSED : CLOSE",
             "SYN_SENT --> CLOSED : CLOSE",
         }) {
        INFO(edge);
        CHECK(mmd.find(std::string("    ") + edge) != std::string::npos);
    }
    CHECK(mmd.find("state \"SYN-RECEIVED\" as SYN_RECEIVED") != std::string::npos);
}
