// HTTP/1.1 messages from the real captures in tests/data (curl 7.88.1 <->
// nginx 1.22.1), reassembled from their TCP segments, parse to what tshark
// 4.0 shows. Expected values were read with
//   tshark -r FILE -Y http -T fields -e http.request.method -e http.request.uri
//     -e http.request.version -e http.response.code -e http.response.phrase
//     -e http.request.line -e http.response.line -e http.file_data -e frame.time_epoch
// and the big body with `tshark --export-objects http,DIR` (405264 bytes,
// 5264 newlines, ending "...zzh0a6eimK\nYvhMqv74xOdp\n").
//
// The Ethernet/IPv4/TCP walk below is test code only: a minimal offset walk,
// independent of wirekit's own wire headers.
#include "support.hpp"

#include <algorithm>
#include <deque>
#include <map>

#include "support/pcap_file.hpp"
#include "wirekit/wire/http1/date.hpp"

using namespace h1test;

namespace {

struct segment {
    std::uint32_t seq;
    std::string data;
};

struct tcp_streams {
    std::string client;                    // bytes client -> server (port 80)
    std::string server;                    // bytes server -> client
    std::vector<std::string> server_segs;  // the server's payloads as they arrived
};

std::uint32_t be(const std::byte* p, int n) {
    std::uint32_t v = 0;
    for (int i = 0; i < n; ++i) v = (v << 8) | static_cast<std::uint8_t>(p[i]);
    return v;
}

// Reassembles one direction: in-sequence payloads from the SYN's ISN + 1,
// skipping retransmitted bytes.
std::string reassemble(std::uint32_t isn, const std::vector<segment>& segs, std::vector<std::string>* pieces) {
    std::map<std::uint32_t, std::string> by_seq;
    for (const segment& s : segs)
        if (!s.data.empty()) {
            auto& slot = by_seq[s.seq - isn - 1];
            if (s.data.size() > slot.size()) slot = s.data;
        }
    std::string out;
    for (const auto& [rel, data] : by_seq) {
        if (rel > out.size()) break;  // a gap: stop (the captures have none)
        const std::size_t skip = out.size() - rel;
        if (skip >= data.size()) continue;
        out += data.substr(skip);
        if (pieces) pieces->push_back(data.substr(skip));
    }
    return out;
}

tcp_streams http_streams(const std::string& file) {
    std::vector<segment> c, s;
    std::uint32_t c_isn = 0, s_isn = 0;
    for (const auto& f : wirekit::test::read_pcap(file)) {
        const std::byte* b = f.data.data();
        if (f.data.size() < 14 + 20 || be(b + 12, 2) != 0x0800) continue;  // IPv4 only
        const std::byte* ip = b + 14;
        const std::size_t ihl = (static_cast<std::uint8_t>(ip[0]) & 0xF) * 4u;
        const std::size_t total = be(ip + 2, 2);
        if (static_cast<std::uint8_t>(ip[9]) != 6 || 14 + total > f.data.size()) continue;  // TCP, not truncated
        const std::byte* tcp = ip + ihl;
        const std::uint32_t sport = be(tcp, 2), dport = be(tcp + 2, 2), seq = be(tcp + 4, 4);
        const std::size_t doff = (static_cast<std::uint8_t>(tcp[12]) >> 4) * 4u;
        const bool syn = (static_cast<std::uint8_t>(tcp[13]) & 0x02) != 0;
        const std::size_t plen = total - ihl - doff;
        std::string payload(reinterpret_cast<const char*>(tcp + doff), plen);  // ends at IP total length
        if (dport == 80) {
            if (syn) c_isn = seq;
            c.push_back({seq, payload});
        } else if (sport == 80) {
            if (syn) s_isn = seq;
            s.push_back({seq, payload});
        }
    }
    tcp_streams t;
    t.client = reassemble(c_isn, c, nullptr);
    t.server = reassemble(s_isn, s, &t.server_segs);
    return t;
}

struct expected {
    bool request;
    std::string method, uri, version;
    int code;
    std::string phrase;
    std::vector<std::string> lines;  // field lines as tshark prints them
    std::string body_prefix;
    std::int64_t epoch;              // frame.time_epoch, whole seconds
};

struct capture_case {
    std::string file;
    std::vector<expected> messages;  // in capture order, requests and responses interleaved
};

// From tshark (see the file comment).
const std::vector<capture_case> captures = {
    {"http-get.pcap", {
        {true, "GET", "/hello.html", "HTTP/1.1", 0, "", {"Host: 10.66.0.2", "User-Agent: curl/7.88.1", "Accept: */*"}, "", 1795248436},
        {false, "", "", "HTTP/1.1", 200, "OK", {"Server: nginx/1.22.1", "Date: Sat, 21 Nov 2026 08:07:16 GMT", "Content-Type: text/html", "Content-Length: 44", "Last-Modified: Wed, 01 Jan 2020 00:00:00 GMT", "Connection: keep-alive", "ETag: \"5e0be100-2c\"", "Accept-Ranges: bytes"}, "<html><body><h1>It works</h1></body></html>\n", 1795248436},
    }},
    {"http-keepalive.pcap", {
        {true, "HEAD", "/hello.html", "HTTP/1.1", 0, "", {"Host: 10.66.0.2", "User-Agent: curl/7.88.1", "Accept: */*"}, "", 1795248438},
        {false, "", "", "HTTP/1.1", 200, "OK", {"Server: nginx/1.22.1", "Date: Sat, 21 Nov 2026 08:07:18 GMT", "Content-Type: text/html", "Content-Length: 44", "Last-Modified: Wed, 01 Jan 2020 00:00:00 GMT", "Connection: keep-alive", "ETag: \"5e0be100-2c\"", "Accept-Ranges: bytes"}, "", 1795248438},
        {true, "HEAD", "/nope", "HTTP/1.1", 0, "", {"Host: 10.66.0.2", "User-Agent: curl/7.88.1", "Accept: */*"}, "", 1795248438},
        {false, "", "", "HTTP/1.1", 404, "Not Found", {"Server: nginx/1.22.1", "Date: Sat, 21 Nov 2026 08:07:18 GMT", "Content-Type: text/html", "Content-Length: 153", "Connection: keep-alive"}, "", 1795248438},
        {true, "HEAD", "/hello.html", "HTTP/1.1", 0, "", {"Host: 10.66.0.2", "User-Agent: curl/7.88.1", "Accept: */*"}, "", 1795248438},
        {false, "", "", "HTTP/1.1", 200, "OK", {"Server: nginx/1.22.1", "Date: Sat, 21 Nov 2026 08:07:18 GMT", "Content-Type: text/html", "Content-Length: 44", "Last-Modified: Wed, 01 Jan 2020 00:00:00 GMT", "Connection: keep-alive", "ETag: \"5e0be100-2c\"", "Accept-Ranges: bytes"}, "", 1795248438},
    }},
    {"http-conditional.pcap", {
        {true, "GET", "/hello.html", "HTTP/1.1", 0, "", {"Host: 10.66.0.2", "User-Agent: curl/7.88.1", "Accept: */*", "If-Modified-Since: Wed, 01 Jan 2020 00:00:00 GMT"}, "", 1795248439},
        {false, "", "", "HTTP/1.1", 304, "Not Modified", {"Server: nginx/1.22.1", "Date: Sat, 21 Nov 2026 08:07:19 GMT", "Last-Modified: Wed, 01 Jan 2020 00:00:00 GMT", "Connection: keep-alive", "ETag: \"5e0be100-2c\""}, "", 1795248439},
    }},
    {"http-post.pcap", {
        {true, "POST", "/echo", "HTTP/1.1", 0, "", {"Host: 10.66.0.2", "User-Agent: curl/7.88.1", "Accept: */*", "Content-Length: 44", "Content-Type: application/x-www-form-urlencoded"}, "<html><body><h1>It works</h1></body></html>\n", 1795248441},
        {false, "", "", "HTTP/1.1", 200, "OK", {"Server: nginx/1.22.1", "Date: Sat, 21 Nov 2026 08:07:21 GMT", "Content-Type: text/plain", "Content-Length: 7", "Connection: keep-alive"}, "posted\n", 1795248441},
    }},
    {"http-big.pcap", {
        {true, "GET", "/big.txt", "HTTP/1.1", 0, "", {"Host: 10.66.0.2", "User-Agent: curl/7.88.1", "Accept: */*"}, "", 1795248442},
        {false, "", "", "HTTP/1.1", 200, "OK", {"Server: nginx/1.22.1", "Date: Sat, 21 Nov 2026 08:07:22 GMT", "Content-Type: text/plain", "Content-Length: 405264", "Last-Modified: Sat, 21 Nov 2026 08:07:15 GMT", "Connection: keep-alive", "ETag: \"6b015133-62f10\"", "Accept-Ranges: bytes"}, "yD7za+b1PzlJo3vOpYDarqkxugrjyLLcks1xcAG2NnvZ0sShVg0sq88405gYTCrZ", 1795248442},
    }},
};

std::string version_string(int major, int minor) {
    return "HTTP/" + std::to_string(major) + "." + std::to_string(minor);
}

void check_fields(const outcome& o, const expected& e) {
    REQUIRE(o.fields.size() == e.lines.size());
    for (std::size_t i = 0; i < e.lines.size(); ++i) CHECK(o.fields[i].first + ": " + o.fields[i].second == e.lines[i]);
}

}  // namespace

TEST_CASE("captures: reassembled HTTP messages match tshark", "[http1][capture]") {
    for (const capture_case& cc : captures) {
        SECTION(cc.file) {
            const tcp_streams t = http_streams(cc.file);
            REQUIRE(!t.client.empty());
            REQUIRE(!t.server.empty());
            std::string_view cs = t.client, ss = t.server;
            std::deque<std::string> methods;  // requests awaiting their responses
            for (const expected& e : cc.messages) {
                std::string_view& in = e.request ? cs : ss;
                // The head: parsed whole, split at every offset and byte by byte.
                const std::string_view head = in.substr(0, in.find("\r\n\r\n") + 4);
                const outcome o = e.request ? req(head) : res(head);
                REQUIRE(o.kind == outcome::kind_t::complete);
                check_fields(o, e);
                CHECK(version_string(o.major, o.minor) == e.version);

                field_slot slots[32];
                body_framing f;
                std::optional<std::int64_t> date;
                bool alive = false;
                if (e.request) {
                    CHECK(o.a == e.method);
                    CHECK(o.b == e.uri);
                    auto r = parse_request(in, slots);
                    REQUIRE(r);
                    f = *request_framing(**r);
                    alive = keep_alive((*r)->version, (*r)->fields);
                    methods.push_back(e.method);
                } else {
                    CHECK(o.status == e.code);
                    CHECK(o.b == e.phrase);
                    auto r = parse_response(in, slots);
                    REQUIRE(r);
                    REQUIRE(!methods.empty());
                    f = *response_framing(**r, methods.front());
                    methods.pop_front();
                    alive = persists((*r)->version, (*r)->fields, f);
                    // nginx's Date is the second the frame was captured in.
                    if (auto d = (*r)->fields.find("date")) date = *parse_http_date(*d);
                    REQUIRE(date);
                    CHECK(*date == e.epoch);
                }
                CHECK(alive);  // every exchange here is persistent (HTTP/1.1, keep-alive)
                in.remove_prefix(o.consumed);

                // The body, by the framing the head implies.
                const std::string_view rest = in;
                const body_outcome b = rest.size() < 2000 ? decode_every_split(f, rest) : decode_pieces(f, {std::string(rest)}, false);
                REQUIRE(b.ok);
                CHECK(b.ended);
                CHECK(b.content.substr(0, e.body_prefix.size()) == e.body_prefix);
                if (f.kind == body_kind::none) CHECK(b.content.empty());
                if (e.body_prefix.size() < 64) CHECK(b.content == e.body_prefix);
                if (cc.file == "http-big.pcap" && !e.request) {
                    CHECK(b.content.size() == 405264);
                    CHECK(std::count(b.content.begin(), b.content.end(), '\n') == 5264);
                    const std::string tail = "zzh0a6eimK\nYvhMqv74xOdp\n";
                    CHECK(b.content.substr(b.content.size() - tail.size()) == tail);
                }
                in.remove_prefix(b.consumed);
            }
            // Every byte of both directions belongs to a message.
            CHECK(cs.empty());
            CHECK(ss.empty());
        }
    }
}

TEST_CASE("captures: the big response decoded segment by segment as it arrived", "[http1][capture]") {
    const tcp_streams t = http_streams("http-big.pcap");
    REQUIRE(t.server_segs.size() > 100);
    field_slot slots[32];
    response_parser p(slots);
    std::string acc;
    std::size_t seg = 0;
    for (; seg < t.server_segs.size(); ++seg) {
        acc += t.server_segs[seg];
        auto r = p.feed(std::string_view(acc));
        REQUIRE(r);
        if (*r == parse_status::complete) break;
    }
    REQUIRE(p.done());
    const response_head h = p.head();
    CHECK(h.status == 200);
    auto f = response_framing(h, "GET");
    REQUIRE(f);
    CHECK(f->kind == body_kind::content_length);
    std::vector<std::string> pieces{acc.substr(h.head_len)};
    for (++seg; seg < t.server_segs.size(); ++seg) pieces.push_back(t.server_segs[seg]);
    const body_outcome b = decode_pieces(*f, pieces, false);
    REQUIRE(b.ok);
    CHECK(b.ended);
    CHECK(b.content.size() == 405264);
    CHECK(b.content.substr(0, 8) == "yD7za+b1");
}
