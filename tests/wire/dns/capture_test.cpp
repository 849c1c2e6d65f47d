// Every DNS message in tests/data/dns-queries.pcap (UDP) and dns-tcp.pcap
// (TCP, 2-byte framing) parses, and its fields equal tshark's, queried at
// test time. Each message is rebuilt with the builder and re-parsed to the
// same content.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <string>
#include <tuple>
#include <vector>

#include "wirekit/wire/dns/dns.hpp"
#include "wirekit/wire/dns/format.hpp"
#include "wire/dns/dns_test_util.hpp"

namespace dns = wirekit::dns;
using wirekit::bytes_view;
using namespace wirekit::test::dns;

namespace {

const std::vector<std::string> kFields = {
    "dns.id", "dns.flags.response", "dns.flags.opcode", "dns.flags.rcode", "dns.flags.truncated",
    "dns.flags.recdesired", "dns.flags.recavail", "dns.flags.authoritative", "dns.count.queries",
    "dns.count.answers", "dns.count.auth_rr", "dns.count.add_rr", "dns.qry.name", "dns.qry.type",
    "dns.qry.class", "dns.resp.name", "dns.resp.type", "dns.resp.class", "dns.resp.ttl", "dns.resp.len",
    "dns.a", "dns.aaaa", "dns.cname", "dns.ns", "dns.mx.preference", "dns.mx.mail_exchange", "dns.txt",
    "dns.srv.service", "dns.srv.proto", "dns.srv.name", "dns.srv.priority", "dns.srv.weight", "dns.srv.port",
    "dns.srv.target", "dns.ptr.domain_name", "dns.rr.udp_payload_size", "dns.resp.ext_rcode",
    "dns.resp.edns0_version", "dns.resp.z.do", "dns.opt.code", "dns.opt.len", "dns.opt.data",
};

// tshark spells names without the trailing dot and the root as "<Root>".
std::string ws_name(const dns::name_view& n) {
    if (n.is_root()) return "<Root>";
    std::string s;
    n.write_text(std::back_inserter(s));
    s.pop_back();
    return s;
}

using field_map = std::map<std::string, std::vector<std::string>>;

void add(field_map& m, const std::string& k, const std::string& v) { m[k].push_back(v); }

std::string hex_lower(bytes_view b) {
    std::string s;
    for (auto x : b) s += fmt::format("{:02x}", std::to_integer<unsigned>(x));
    return s;
}

// The same fields, computed with the wirekit parser.
std::map<std::string, std::string> our_fields(bytes_view msg) {
    field_map m;
    auto p = dns::parser::start(msg);
    REQUIRE(p);
    const auto& h = p->header();
    add(m, "dns.id", fmt::format("0x{:04x}", h.id));
    add(m, "dns.flags.response", h.qr ? "1" : "0");
    add(m, "dns.flags.opcode", std::to_string(h.opcode));
    add(m, "dns.flags.truncated", h.tc ? "1" : "0");
    add(m, "dns.flags.recdesired", h.rd ? "1" : "0");
    if (h.qr) {  // tshark shows these only in responses
        add(m, "dns.flags.rcode", std::to_string(h.rcode));
        add(m, "dns.flags.recavail", h.ra ? "1" : "0");
        add(m, "dns.flags.authoritative", h.aa ? "1" : "0");
    }
    add(m, "dns.count.queries", std::to_string(h.qdcount));
    add(m, "dns.count.answers", std::to_string(h.ancount));
    add(m, "dns.count.auth_rr", std::to_string(h.nscount));
    add(m, "dns.count.add_rr", std::to_string(h.arcount));
    for (;;) {
        auto q = p->question();
        REQUIRE(q);
        if (!*q) break;
        add(m, "dns.qry.name", ws_name((*q)->name));
        add(m, "dns.qry.type", std::to_string(static_cast<unsigned>((*q)->type)));
        add(m, "dns.qry.class", fmt::format("0x{:04x}", static_cast<unsigned>((*q)->cls)));
    }
    for (int s = 0; s < 3; ++s) {
        for (;;) {
            auto r = s == 0 ? p->answer() : s == 1 ? p->authority() : p->additional();
            REQUIRE(r);
            if (!*r) break;
            const auto& rh = (*r)->header;
            const auto& d = (*r)->data;
            if (rh.type == dns::rr_type::srv) {
                // tshark splits an SRV owner "_service._proto.name" into three fields.
                auto it = rh.name.begin();
                add(m, "dns.srv.service", std::string(*it++));
                add(m, "dns.srv.proto", std::string(*it++));
                std::string rest;
                for (; it != rh.name.end(); ++it) rest += std::string(*it) + ".";
                rest.pop_back();
                add(m, "dns.srv.name", rest);
            } else {
                add(m, "dns.resp.name", ws_name(rh.name));
            }
            add(m, "dns.resp.type", std::to_string(static_cast<unsigned>(rh.type)));
            add(m, "dns.resp.len", std::to_string(rh.rdlength));
            if (rh.type == dns::rr_type::opt) {
                const auto e = dns::edns_info::from_header(rh);
                add(m, "dns.rr.udp_payload_size", std::to_string(e.udp_payload_size));
                add(m, "dns.resp.ext_rcode", fmt::format("0x{:02x}", e.extended_rcode));
                add(m, "dns.resp.edns0_version", std::to_string(e.version));
                add(m, "dns.resp.z.do", e.dnssec_ok ? "1" : "0");
                for (auto o : std::get<dns::opt_rdata>(d)) {
                    add(m, "dns.opt.code", std::to_string(o.code));
                    add(m, "dns.opt.len", std::to_string(o.data.size()));
                    add(m, "dns.opt.data", hex_lower(o.data));
                }
                continue;
            }
            add(m, "dns.resp.class", fmt::format("0x{:04x}", static_cast<unsigned>(rh.cls)));
            add(m, "dns.resp.ttl", std::to_string(rh.ttl));
            if (auto* a = std::get_if<dns::a_rdata>(&d)) add(m, "dns.a", fmt::format("{}", dns::rdata{*a}));
            if (auto* a = std::get_if<dns::aaaa_rdata>(&d)) add(m, "dns.aaaa", fmt::format("{}", dns::rdata{*a}));
            if (auto* c = std::get_if<dns::cname_rdata>(&d)) add(m, "dns.cname", ws_name(c->cname));
            if (auto* n = std::get_if<dns::ns_rdata>(&d)) add(m, "dns.ns", ws_name(n->nsdname));
            if (auto* x = std::get_if<dns::ptr_rdata>(&d)) add(m, "dns.ptr.domain_name", ws_name(x->ptrdname));
            if (auto* x = std::get_if<dns::mx_rdata>(&d)) {
                add(m, "dns.mx.preference", std::to_string(x->preference));
                add(m, "dns.mx.mail_exchange", ws_name(x->exchange));
            }
            if (auto* x = std::get_if<dns::txt_rdata>(&d))
                for (std::string_view t : *x) add(m, "dns.txt", std::string(t));
            if (auto* x = std::get_if<dns::srv_rdata>(&d)) {
                add(m, "dns.srv.priority", std::to_string(x->priority));
                add(m, "dns.srv.weight", std::to_string(x->weight));
                add(m, "dns.srv.port", std::to_string(x->port));
                add(m, "dns.srv.target", ws_name(x->target));
            }
        }
    }
    CHECK(p->done());
    std::map<std::string, std::string> joined;
    for (const auto& f : kFields) {
        std::string s;
        for (std::size_t i = 0; i < m[f].size(); ++i) s += (i ? "," : "") + m[f][i];
        joined[f] = s;
    }
    return joined;
}

// A record list of a message: every section, header and RDATA.
struct content {
    dns::header hdr;
    std::vector<dns::question> questions;
    std::vector<std::pair<int, dns::resource>> records;
};

content read_all(bytes_view msg) {
    content c;
    auto p = dns::parser::start(msg);
    REQUIRE(p);
    c.hdr = p->header();
    while (true) {
        auto q = p->question();
        REQUIRE(q);
        if (!*q) break;
        c.questions.push_back(**q);
    }
    for (int s = 0; s < 3; ++s) {
        while (true) {
            auto r = s == 0 ? p->answer() : s == 1 ? p->authority() : p->additional();
            REQUIRE(r);
            if (!*r) break;
            c.records.emplace_back(s, **r);
        }
    }
    return c;
}

// Rebuilds `msg` with the builder into `buf`.
bytes_view rebuild(bytes_view msg, std::vector<std::byte>& buf) {
    const content c = read_all(msg);
    dns::builder b{buf, c.hdr};
    for (const auto& q : c.questions) REQUIRE(b.question(q));
    for (const auto& [s, r] : c.records) {
        auto res = s == 0 ? b.answer(r.header, r.data) : s == 1 ? b.authority(r.header, r.data)
                                                                 : b.additional(r.header, r.data);
        REQUIRE(res);
    }
    auto out = b.finish();
    REQUIRE(out);
    return *out;
}

void check_same_content(bytes_view a, bytes_view b) {
    const content x = read_all(a), y = read_all(b);
    CHECK(x.hdr == y.hdr);
    REQUIRE(x.questions.size() == y.questions.size());
    for (std::size_t i = 0; i < x.questions.size(); ++i) CHECK(x.questions[i] == y.questions[i]);
    REQUIRE(x.records.size() == y.records.size());
    for (std::size_t i = 0; i < x.records.size(); ++i) {
        const auto& [sa, ra] = x.records[i];
        const auto& [sb, rb] = y.records[i];
        CHECK(sa == sb);
        CHECK(ra.header.name == rb.header.name);
        CHECK(ra.header.type == rb.header.type);
        CHECK(ra.header.cls == rb.header.cls);
        CHECK(ra.header.ttl == rb.header.ttl);
        CHECK(ra.data == rb.data);
    }
}

std::vector<std::pair<std::size_t, std::vector<std::byte>>> udp_messages() {
    std::vector<std::pair<std::size_t, std::vector<std::byte>>> out;
    for (auto& p : transport_payloads("dns-queries.pcap"))
        if (!p.tcp && (p.src_port == 53 || p.dst_port == 53)) out.emplace_back(p.frame_number, p.bytes);
    return out;
}

// TCP messages, reassembled per direction with dns::tcp_reader; keyed by the
// frame that completed each message.
std::vector<std::pair<std::size_t, std::vector<std::byte>>> tcp_messages() {
    std::vector<std::pair<std::size_t, std::vector<std::byte>>> out;
    std::vector<std::byte> st_a(65535), st_b(65535);
    dns::tcp_reader to_server{st_a}, to_client{st_b};
    for (auto& p : transport_payloads("dns-tcp.pcap")) {
        if (!p.tcp) continue;
        auto& r = p.dst_port == 53 ? to_server : to_client;
        bytes_view in{p.bytes};
        while (!in.empty()) {
            auto s = r.feed(in);
            REQUIRE(s);
            in = in.subspan(s->consumed);
            if (s->message) out.emplace_back(p.frame_number, std::vector<std::byte>(s->message->begin(), s->message->end()));
        }
    }
    CHECK(to_server.idle());
    CHECK(to_client.idle());
    return out;
}

void compare_with_tshark(const std::string& file, const std::vector<std::pair<std::size_t, std::vector<std::byte>>>& msgs) {
    const auto ts = tshark_fields(file, kFields);
    for (const auto& [frame, bytes] : msgs) {
        INFO(file << " frame " << frame);
        const auto it = ts.find(frame);
        REQUIRE(it != ts.end());
        const auto ours = our_fields(bytes);
        for (const auto& f : kFields) {
            INFO("field " << f);
            CHECK(ours.at(f) == it->second.at(f));
        }
    }
}

}  // namespace

TEST_CASE("dns: every UDP message of dns-queries.pcap matches tshark", "[dns][capture]") {
    const auto msgs = udp_messages();
    REQUIRE(msgs.size() == 16);  // README: 16 frames, all DNS
    compare_with_tshark("dns-queries.pcap", msgs);
}

TEST_CASE("dns: the TCP exchange of dns-tcp.pcap matches tshark", "[dns][capture][tcp]") {
    const auto msgs = tcp_messages();
    REQUIRE(msgs.size() == 2);  // one query, one response
    CHECK(msgs[0].first == 4);
    CHECK(msgs[1].first == 6);
    compare_with_tshark("dns-tcp.pcap", msgs);
}

TEST_CASE("dns: TCP stream fed one byte at a time gives the same messages", "[dns][capture][tcp]") {
    // The whole client->server byte stream of the capture, then the reverse.
    std::vector<std::byte> stream;
    for (auto& p : transport_payloads("dns-tcp.pcap"))
        if (p.tcp && p.dst_port == 53) stream.insert(stream.end(), p.bytes.begin(), p.bytes.end());
    REQUIRE(stream.size() == 55);  // tshark: tcp.len 55 in frame 4
    std::vector<std::byte> storage(512);
    dns::tcp_reader r{storage};
    int complete = 0;
    for (std::size_t i = 0; i < stream.size(); ++i) {
        auto s = r.feed(bytes_view{&stream[i], 1});
        REQUIRE(s);
        CHECK(s->consumed == 1);
        if (s->message) {
            ++complete;
            CHECK(i == stream.size() - 1);
            CHECK(s->message->size() == 53);  // tshark dns.length
            auto p = dns::parser::start(*s->message);
            REQUIRE(p);
            CHECK(p->header().id == 0xfb33);
        }
    }
    CHECK(complete == 1);
}

TEST_CASE("dns: the suffix cache is transparent on every capture message", "[dns][capture][name]") {
    for (const auto& [frame, bytes] : udp_messages()) {
        INFO("frame " << frame);
        for (int order = 0; order < 2; ++order) {
            dns::detail::suffix_cache cache;
            for (std::size_t k = 0; k < bytes.size(); ++k) {
                const std::size_t i = order == 0 ? k : bytes.size() - 1 - k;
                dns::detail::name_scan a, b;
                wirekit::wire_error ea, eb;
                const bool ok_a = dns::detail::scan_name_into(bytes, i, bytes.size(), a, ea, nullptr);
                const bool ok_b = dns::detail::scan_name_into(bytes, i, bytes.size(), b, eb, &cache);
                REQUIRE(ok_a == ok_b);
                if (ok_a) CHECK((a.end == b.end && a.length == b.length && a.labels == b.labels));
                else CHECK(ea == eb);
            }
        }
    }
}

TEST_CASE("dns: capture messages survive parse -> build -> parse", "[dns][capture][builder]") {
    std::vector<std::tuple<bool, std::size_t, std::vector<std::byte>>> all;
    for (auto& [f, m] : udp_messages()) all.emplace_back(true, f, m);
    for (auto& [f, m] : tcp_messages()) all.emplace_back(false, f, m);
    for (const auto& [udp, frame, bytes] : all) {
        INFO((udp ? "dns-queries.pcap" : "dns-tcp.pcap") << " frame " << frame);
        std::vector<std::byte> buf(4096);
        const bytes_view rebuilt = rebuild(bytes, buf);
        check_same_content(bytes, rebuilt);
        // The builder compresses at least as well as dig and dnsmasq (which
        // leave the MX exchange and CNAME target uncompressed: frames 6, 8).
        CHECK(rebuilt.size() <= bytes.size());
        const bool mx_or_cname = udp && (frame == 6 || frame == 8);
        if (!mx_or_cname) {
            CHECK(rebuilt.size() == bytes.size());
            // Same compression choices as dig and dnsmasq: byte-identical.
            CHECK(std::equal(rebuilt.begin(), rebuilt.end(), bytes.begin(), bytes.end()));
        }
        if (mx_or_cname) CHECK(rebuilt.size() == bytes.size() - 8);  // "dev.test" (10) -> pointer (2)
    }
}
