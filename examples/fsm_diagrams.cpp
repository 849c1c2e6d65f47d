// fsm-diagrams: prints the state diagrams of wirekit's machines, generated
// from the same transition tables the machines dispatch on.
//
//   fsm-diagrams          every diagram to stdout, each after a "==> name <==" line
//   fsm-diagrams DIR      writes DIR/<name> for each (docs/diagrams in the repository)
//
// docs/diagrams/ holds this program's output; tests/fsm/diagrams_test.cpp
// regenerates it and fails when the committed files differ, so the docs
// cannot drift from the tables. To refresh them after changing a table:
//
//   fsm-diagrams docs/diagrams
#include <wirekit/fsm/diagram.hpp>
#include <wirekit/fsm/tcp/connection.hpp>

#include <cstdio>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace wirekit_examples {

/// (file name, contents) of every generated diagram.
inline std::vector<std::pair<std::string, std::string>> fsm_diagrams() {
    namespace fsm = wirekit::fsm;
    using tcp_machine = fsm::machine<fsm::tcp::connection_table>;
    fsm::diagram_options all;
    all.internal = true;
    return {
        // RFC 9293 Figure 5's shape: state changes only.
        {"tcp.mmd", fsm::to_mermaid<tcp_machine>()},
        {"tcp.dot", fsm::to_dot<fsm::tcp::connection_table>()},
        // Every row that does something, including internal ones (SEND,
        // RECEIVE, challenge ACKs, retransmission, the RFC's error replies).
        {"tcp-full.mmd", fsm::to_mermaid<tcp_machine>(all)},
        // The congestion-control policies, one of which runs as a region
        // beside it: Tahoe and Reno (RFC 5681), NewReno (RFC 6582, the default).
        {"tcp-congestion-tahoe.mmd", fsm::to_mermaid<fsm::machine<fsm::tcp::tahoe>>(all)},
        {"tcp-congestion-reno.mmd", fsm::to_mermaid<fsm::machine<fsm::tcp::reno>>(all)},
        {"tcp-congestion-newreno.mmd", fsm::to_mermaid<fsm::machine<fsm::tcp::newreno>>(all)},
        // Both, as the orthogonal regions a tcp::connection runs.
        {"tcp-regions.mmd", fsm::to_mermaid<fsm::tcp::connection::machine_type>()},
    };
}

}  // namespace wirekit_examples

#ifndef WIREKIT_FSM_DIAGRAMS_NO_MAIN
int main(int argc, char** argv) {
    const auto diagrams = wirekit_examples::fsm_diagrams();
    if (argc < 2) {
        for (const auto& [name, text] : diagrams) std::printf("==> %s <==\n%s", name.c_str(), text.c_str());
        return 0;
    }
    for (const auto& [name, text] : diagrams) {
        const std::string path = std::string(argv[1]) + "/" + name;
        std::ofstream out(path, std::ios::binary);
        out << text;
        if (!out) {
            std::fprintf(stderr, "fsm-diagrams: cannot write %s\n", path.c_str());
            return 1;
        }
        std::printf("wrote %s\n", path.c_str());
    }
    return 0;
}
#endif
