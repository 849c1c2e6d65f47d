// wirekit-dump — a packet dissector on wirekit's I/O and wire layers.
//
//   wirekit-dump (-r FILE | -i IFACE) [-f 'BPF filter'] [-c COUNT] [-V]
//                [--json] [--stats] [-w OUT.pcap]
//
// Reads frames from a capture file (pcap or pcapng) or a live interface,
// optionally writes them to OUT.pcap, and decodes Ethernet, 802.1Q, ARP,
// IPv4 (reassembling fragments), IPv6, ICMP, ICMPv6, UDP and TCP; DNS over
// UDP and TCP (port 53) and HTTP/1.x (ports 80, 8080, 8000) over reassembled
// TCP streams, so messages split across segments decode whole — on the frame
// that completes them, as tshark shows them.
//
// Output: one line per frame (default); a field tree (-V); or JSON Lines
// (--json), one object per frame whose keys are Wireshark display-filter
// field names and whose values are what `tshark -T fields` prints (numbers,
// or strings where tshark prints hex or text; arrays for repeated fields).
// --stats prints counters at the end (alone: decoding without printing).
//
// A malformed frame is decoded as far as it goes and its error (layer, kind,
// offset) is shown; the tool goes on. An unreadable or corrupt file prints a
// message and exits with status 1; usage errors exit with status 2.
#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "wirekit/io/device.hpp"
#include "wirekit/io/pcap.hpp"
#include "wirekit/wire/arp.hpp"
#include "wirekit/wire/dns/dns.hpp"
#include "wirekit/wire/dns/format.hpp"
#include "wirekit/wire/ethernet.hpp"
#include "wirekit/wire/http1/http1.hpp"
#include "wirekit/wire/icmpv4.hpp"
#include "wirekit/wire/icmpv6.hpp"
#include "wirekit/wire/ip_protocol.hpp"
#include "wirekit/wire/ipv4.hpp"
#include "wirekit/wire/ipv6.hpp"
#include "wirekit/wire/reassembly.hpp"
#include "wirekit/wire/tcp.hpp"
#include "wirekit/wire/udp.hpp"

namespace {

namespace io = wirekit::io;
using wirekit::bytes_view;
using wirekit::wire_error;

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

// ---------------------------------------------------------------------------
// Per-frame fields, in insertion order; a repeated key collects several values.

struct value {
    std::string text;
    bool number = false;  // printed bare in JSON
};

// Disabled (enabled = false) when nothing is printed (--stats alone), so that
// decoding costs no formatting.
class fields {
public:
    bool enabled = true;
    void num(std::string_view key, std::uint64_t v) { if (enabled) slot(key).push_back({std::to_string(v), true}); }
    void hex(std::string_view key, std::uint64_t v, int digits) { if (enabled) slot(key).push_back({fmt::format("0x{:0{}x}", v, digits), false}); }
    void str(std::string_view key, std::string v) { if (enabled) slot(key).push_back({std::move(v), false}); }
    template <class... A>
    void strf(std::string_view key, fmt::format_string<A...> f, A&&... a) {
        if (enabled) slot(key).push_back({fmt::format(f, std::forward<A>(a)...), false});
    }
    void clear() { items_.clear(); }
    [[nodiscard]] const std::vector<std::pair<std::string_view, std::vector<value>>>& items() const { return items_; }

private:
    std::vector<value>& slot(std::string_view key) {
        for (auto& [k, v] : items_)
            if (k == key) return v;
        items_.emplace_back(key, std::vector<value>{});
        return items_.back().second;
    }
    std::vector<std::pair<std::string_view, std::vector<value>>> items_;
};

void json_quote(std::string& out, std::string_view s) {
    out += '"';
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') { out += '\\'; out += c; }
        else if (u < 0x20) out += fmt::format("\\u{:04x}", u);
        else out += c;
    }
    out += '"';
}

std::string to_json(const fields& f) {
    std::string out = "{";
    bool first = true;
    for (const auto& [k, vs] : f.items()) {
        if (!first) out += ", ";
        first = false;
        json_quote(out, k);
        out += ": ";
        if (vs.size() > 1) out += '[';
        for (std::size_t i = 0; i < vs.size(); ++i) {
            if (i) out += ", ";
            if (vs[i].number) out += vs[i].text;
            else json_quote(out, vs[i].text);
        }
        if (vs.size() > 1) out += ']';
    }
    out += '}';
    return out;
}

std::string dns_name(const wirekit::dns::name_view& n) {
    std::string s = fmt::format("{}", n);
    if (s == ".") return "<Root>";
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
}

// ---------------------------------------------------------------------------
// Counters for --stats.

struct statistics {
    // A dozen protocol names at most, each counted several times per frame:
    // a short vector searched in order beats a std::map<std::string> (no
    // string compares down a tree per count). Sorted only for printing.
    std::vector<std::pair<std::string_view, std::size_t>> protocols;
    std::size_t frames = 0, malformed = 0, bad_checksums = 0, reassembled_datagrams = 0, tcp_streams = 0,
                stream_messages = 0;
    /// `proto` must be a string literal (it is kept).
    void count(std::string_view proto) {
        for (auto& [name, n] : protocols)
            if (name.data() == proto.data() || name == proto) {
                ++n;
                return;
            }
        protocols.emplace_back(proto, 1);
    }
    [[nodiscard]] std::vector<std::pair<std::string_view, std::size_t>> sorted() const {
        auto v = protocols;
        std::sort(v.begin(), v.end());
        return v;
    }
};

// ---------------------------------------------------------------------------
// TCP stream reassembly: in-order bytes per direction, out-of-order segments
// held (bounded) until the gap fills — tshark with
// tcp.reassemble_out_of_order:TRUE behaves the same way.

constexpr std::size_t max_held_bytes = 8u << 20;         // per direction
constexpr std::size_t max_held_total = 64u << 20;        // all streams together
constexpr std::size_t max_connections = 4096;

enum class app { none, http, dns };

struct half_stream {
    bool started = false;
    std::uint32_t next = 0;                          // next expected sequence number
    std::map<std::uint32_t, std::string> held;       // out-of-order data by sequence number
    std::size_t held_bytes = 0;
    std::optional<std::uint32_t> fin_seq;
    bool closed = false, broken = false;
    std::string buf;                                 // in-order bytes not yet consumed by the decoder
    // HTTP state of this direction.
    bool in_body = false;
    wirekit::http1::body_framing framing{};
    std::optional<wirekit::http1::body_decoder> body;
    fields pending;                                  // fields of the message being completed
};

struct connection {
    app kind = app::none;
    bool a_is_client = true;       // direction 0 (lower endpoint → higher) carries requests
    half_stream dir[2];
    std::vector<std::string> methods;  // requests awaiting a response (HEAD has no body)
};

using endpoint_key = std::tuple<std::array<std::byte, 16>, std::uint16_t>;
using conn_key = std::pair<endpoint_key, endpoint_key>;

// ---------------------------------------------------------------------------

struct options {
    std::string read_file, interface, filter, write_file;
    long count = -1;
    bool verbose = false, json = false, stats = false;
};

class dumper {
public:
    explicit dumper(const options& o) : opt_(o), lines_(!o.json && !o.verbose && !o.stats) {
        out_.enabled = o.json;
    }

    // Decodes one frame and prints it (per the output mode).
    void frame(const io::frame_ref& f, std::size_t number) {
        out_.clear();
        tree_.clear();
        line_.clear();
        error_.reset();
        ++stats_.frames;
        out_.num("frame.number", number);
        out_.num("frame.len", f.wire_len);
        now_ = std::chrono::duration_cast<std::chrono::microseconds>(f.time);
        ethernet(f.data);
        if (error_) {
            ++stats_.malformed;
            out_.strf("_ws.malformed", "{} {} at offset {}: {}", error_->layer, to_string(error_->kind), error_->offset, error_->detail);
        }
        if (opt_.json) {
            std::puts(to_json(out_).c_str());
        } else if (opt_.verbose) {
            fmt::print("Frame {}: {} bytes on wire, {} captured\n{}", number, f.wire_len, f.data.size(), tree_);
            if (error_) fmt::print("  [malformed: {} {} at offset {}: {}]\n", error_->layer, to_string(error_->kind), error_->offset, error_->detail);
            std::fputc('\n', stdout);
        } else if (!opt_.stats) {
            const auto secs = std::chrono::duration_cast<std::chrono::seconds>(f.time);
            const auto usec = std::chrono::duration_cast<std::chrono::microseconds>(f.time - secs).count();
            const std::time_t t = static_cast<std::time_t>(secs.count());
            std::tm tm{};
            gmtime_r(&t, &tm);
            fmt::print("{:02}:{:02}:{:02}.{:06} {}", tm.tm_hour, tm.tm_min, tm.tm_sec, usec, line_);
            if (error_) fmt::print(" [malformed: {} {} at {}: {}]", error_->layer, to_string(error_->kind), error_->offset, error_->detail);
            std::fputc('\n', stdout);
        }
    }

    void print_stats() const {
        fmt::print("frames: {}\n", stats_.frames);
        for (const auto& [p, n] : stats_.sorted()) fmt::print("  {}: {}\n", p, n);
        fmt::print("malformed: {}\nchecksum failures: {}\nreassembled IPv4 datagrams: {}\nTCP streams: {}\n"
                   "messages from reassembled TCP streams: {}\n",
                   stats_.malformed, stats_.bad_checksums, stats_.reassembled_datagrams, stats_.tcp_streams,
                   stats_.stream_messages);
    }

private:
    template <class... A>
    void set_line(fmt::format_string<A...> f, A&&... a) {
        if (lines_) line_ = fmt::format(f, std::forward<A>(a)...);
    }
    template <class... A>
    void add_line(fmt::format_string<A...> f, A&&... a) {
        if (lines_) line_ += fmt::format(f, std::forward<A>(a)...);
    }
    void fail(const wire_error& e, std::size_t base) {
        if (!error_) error_ = e.shifted(base);
    }
    template <class V>
    void node(const V& v) {
        if (opt_.verbose) tree_ += fmt::format("{:v}\n", v);
    }

    void ethernet(bytes_view b) {
        auto f = wirekit::ethernet::frame::checked(b);
        if (!f) return fail(f.error(), 0);
        stats_.count("eth");
        out_.strf("eth.src", "{}", f->src_addr());
        out_.strf("eth.dst", "{}", f->dst_addr());
        out_.hex("eth.type", f->ethertype(), 4);
        node(*f);
        auto r = wirekit::ethernet::repr::parse(*f);
        if (!r) return fail(r.error(), 0);
        for (std::size_t i = 0; i < r->tag_count; ++i) out_.num("vlan.id", r->tags[i].vid);
        if (r->tag_count) stats_.count("vlan");
        const std::size_t l3 = r->header_len();
        const bytes_view net = b.subspan(l3);
        switch (r->ethertype) {
            case wirekit::ethernet::ethertype::arp: return arp(net, l3);
            case wirekit::ethernet::ethertype::ipv4: return ipv4(net, l3);
            case wirekit::ethernet::ethertype::ipv6: return ipv6(net, l3);
            default: set_line("{} > {}, ethertype 0x{:04x}, length {}", f->src_addr(), f->dst_addr(), r->ethertype, b.size());
        }
    }

    void arp(bytes_view b, std::size_t at) {
        auto p = wirekit::arp::packet::checked(b);
        if (!p) return fail(p.error(), at);
        stats_.count("arp");
        out_.num("arp.opcode", p->oper());
        out_.strf("arp.src.proto_ipv4", "{}", p->spa());
        out_.strf("arp.dst.proto_ipv4", "{}", p->tpa());
        node(*p);
        line_ = p->oper() == wirekit::arp::operation::request
                    ? fmt::format("ARP, Request who-has {} tell {}", p->tpa(), p->spa())
                    : fmt::format("ARP, Reply {} is-at {}", p->spa(), p->sha());
    }

    void ipv4(bytes_view b, std::size_t at) {
        auto p = wirekit::ipv4::packet::checked(b);
        if (!p) {
            // A packet cut short (snap length, damage) still shows its header
            // when the fixed part is there: decoded as far as it goes.
            if (p.error().kind == wirekit::errc::truncated && b.size() >= wirekit::ipv4::min_header_len &&
                (std::to_integer<unsigned>(b[0]) >> 4) == 4) {
                ipv4_header(wirekit::ipv4::packet::unchecked(b.first(wirekit::ipv4::min_header_len)), false);
            }
            return fail(p.error(), at);
        }
        ipv4_header(*p, true);
        node(*p);
        if (auto o = wirekit::ipv4::walk_options(p->options(), [](const wirekit::ipv4::option&) {}); !o) return fail(o.error(), at);
        ipv4_payload(*p, at);
    }

    void ipv4_header(const wirekit::ipv4::packet& p, bool whole) {
        stats_.count("ip");
        out_.strf("ip.src", "{}", p.src_addr());
        out_.strf("ip.dst", "{}", p.dst_addr());
        out_.hex("ip.id", p.identification(), 4);
        out_.num("ip.flags.df", p.dont_fragment());
        out_.num("ip.flags.mf", p.more_fragments());
        out_.num("ip.frag_offset", p.fragment_offset());
        out_.num("ip.ttl", p.ttl());
        out_.num("ip.proto", p.protocol());
        if (!whole) return;
        const bool good = p.verify_checksum();
        if (!good) ++stats_.bad_checksums;
        out_.num("ip.checksum.status", good ? 1 : 0);
    }

    void ipv4_payload(const wirekit::ipv4::packet& pk, std::size_t at) {
        const auto* p = &pk;

        if (lines_) {
            ip_src_ = fmt::format("{}", p->src_addr());
            ip_dst_ = fmt::format("{}", p->dst_addr());
        }
        pseudo4_ = wirekit::ipv4_pseudo{p->src_addr(), p->dst_addr()};
        v6_ = false;
        addr_key(p->src_addr().octets, p->dst_addr().octets);
        set_line("IP {} > {}: proto {} length {}", ip_src_, ip_dst_, p->protocol(), p->total_length());
        bytes_view payload = p->payload();
        std::size_t off = at + p->header_length();
        bool verify = true;
        if (p->is_fragment()) {
            stats_.count("ip-fragment");
            auto r = reasm_.push(*p, now_);
            add_line(" (fragment id 0x{:04x} offset {}{})", p->identification(), p->fragment_offset_bytes(), p->more_fragments() ? " +" : "");
            if (!r) return fail(r.error(), at);
            if (!*r) return;  // holes remain
            ++stats_.reassembled_datagrams;
            auto whole = wirekit::ipv4::packet::checked(**r);
            if (!whole) return fail(whole.error(), at);
            payload = whole->payload();
            off = at;  // offsets now refer to the reassembled datagram
            verify = true;
            add_line(" [reassembled {} bytes]", whole->total_length());
        }
        transport(p->protocol(), payload, off, verify);
    }

    void ipv6(bytes_view b, std::size_t at) {
        auto p = wirekit::ipv6::packet::checked(b);
        if (!p) return fail(p.error(), at);
        stats_.count("ipv6");
        out_.strf("ipv6.src", "{}", p->src_addr());
        out_.strf("ipv6.dst", "{}", p->dst_addr());
        out_.num("ipv6.nxt", p->next_header());
        node(*p);
        auto c = wirekit::ipv6::walk(*p);
        if (!c) return fail(c.error(), at);
        if (lines_) {
            ip_src_ = fmt::format("{}", p->src_addr());
            ip_dst_ = fmt::format("{}", p->dst_addr());
        }
        pseudo6_ = wirekit::ipv6_pseudo{p->src_addr(), p->dst_addr()};
        v6_ = true;
        addr_key(p->src_addr().octets, p->dst_addr().octets);
        set_line("IP6 {} > {}: next header {} payload length {}", ip_src_, ip_dst_, c->upper_protocol, p->payload_length());
        if (c->has_fragment) {
            stats_.count("ipv6-fragment");
            if (c->fragment.fragment_offset != 0 || c->fragment.more_fragments) return;  // no IPv6 reassembly here
        }
        transport(c->upper_protocol, wirekit::ipv6::upper_payload(*p, *c), at + c->upper_offset, true);
    }

    void addr_key(const auto& src, const auto& dst) {
        src_addr_ = {};
        dst_addr_ = {};
        std::memcpy(src_addr_.data(), src.data(), src.size());
        std::memcpy(dst_addr_.data(), dst.data(), dst.size());
    }

    void transport(std::uint8_t proto, bytes_view b, std::size_t at, bool verify) {
        namespace ipp = wirekit::ip_protocol;
        switch (proto) {
            case ipp::tcp: return tcp(b, at, verify);
            case ipp::udp: return udp(b, at, verify);
            case ipp::icmp: if (!v6_) icmp(b, at); return;
            case ipp::icmpv6: if (v6_) icmp6(b, at); return;
            default: return;
        }
    }

    void icmp(bytes_view b, std::size_t at) {
        auto m = wirekit::icmpv4::message::checked(b);
        if (!m) return fail(m.error(), at);
        stats_.count("icmp");
        out_.num("icmp.type", m->type());
        out_.num("icmp.code", m->code());
        const bool echo = m->type() == wirekit::icmpv4::type::echo_request || m->type() == wirekit::icmpv4::type::echo_reply;
        if (echo) out_.num("icmp.seq", m->sequence());
        if (!m->verify_checksum()) ++stats_.bad_checksums;
        node(*m);
        add_line(", ICMP type {} code {}", m->type(), m->code());
        if (echo) add_line(" id {} seq {}", m->identifier(), m->sequence());
    }

    void icmp6(bytes_view b, std::size_t at) {
        auto m = wirekit::icmpv6::message::checked(b);
        if (!m) return fail(m.error(), at);
        stats_.count("icmpv6");
        out_.num("icmpv6.type", m->type());
        if (!m->verify_checksum(pseudo6_)) ++stats_.bad_checksums;
        node(*m);
        add_line(", ICMP6 type {} code {}", m->type(), m->code());
    }

    void udp(bytes_view b, std::size_t at, bool verify) {
        auto u = wirekit::udp::datagram::checked(b);
        if (!u) return fail(u.error(), at);
        stats_.count("udp");
        out_.num("udp.srcport", u->src_port());
        out_.num("udp.dstport", u->dst_port());
        out_.num("udp.length", u->total_length());
        if (verify) {
            int status = 3;  // Wireshark's "not present": checksum 0 over IPv4 (RFC 768)
            if (v6_ || u->checksum() != 0) {
                const bool good = v6_ ? u->verify_checksum(pseudo6_) : u->verify_checksum(pseudo4_);
                if (!good) ++stats_.bad_checksums;
                status = good ? 1 : 0;
            }
            out_.num("udp.checksum.status", static_cast<unsigned>(status));
        }
        node(*u);
        set_line("{} {}.{} > {}.{}: UDP, length {}", v6_ ? "IP6" : "IP", ip_src_, u->src_port(), ip_dst_, u->dst_port(),
                            u->payload().size());
        if (u->src_port() == 53 || u->dst_port() == 53) dns(u->payload(), at + wirekit::udp::header_len);
    }

    void tcp(bytes_view b, std::size_t at, bool verify) {
        auto s = wirekit::tcp::segment::checked(b);
        if (!s) return fail(s.error(), at);
        stats_.count("tcp");
        const std::size_t len = b.size() - s->header_length();
        out_.num("tcp.srcport", s->src_port());
        out_.num("tcp.dstport", s->dst_port());
        out_.num("tcp.seq_raw", s->seq_number());
        out_.num("tcp.ack_raw", s->ack_number());
        out_.hex("tcp.flags", s->flags(), 4);
        out_.num("tcp.window_size_value", s->window());
        out_.num("tcp.len", len);
        if (verify) {
            const bool good = v6_ ? s->verify_checksum(pseudo6_) : s->verify_checksum(pseudo4_);
            if (!good) ++stats_.bad_checksums;
            out_.num("tcp.checksum.status", good ? 1 : 0);
        }
        node(*s);
        auto o = wirekit::tcp::parse_options(s->options());
        if (!o) return fail(o.error(), at);
        if (o->mss) out_.num("tcp.options.mss_val", *o->mss);
        if (o->window_scale) out_.num("tcp.options.wscale.shift", *o->window_scale);
        if (o->ts) {
            out_.num("tcp.options.timestamp.tsval", o->ts->tsval);
            out_.num("tcp.options.timestamp.tsecr", o->ts->tsecr);
        }
        std::string flags;
        if (s->syn()) flags += 'S';
        if (s->fin()) flags += 'F';
        if (s->rst()) flags += 'R';
        if (s->psh()) flags += 'P';
        if (s->ack()) flags += '.';
        set_line("{} {}.{} > {}.{}: Flags [{}], seq {}, ack {}, win {}, length {}", v6_ ? "IP6" : "IP", ip_src_,
                            s->src_port(), ip_dst_, s->dst_port(), flags, s->seq_number(), s->ack_number(), s->window(), len);
        stream(*s, s->payload(), at + s->header_length());
    }

    // -----------------------------------------------------------------------
    // TCP streams

    void stream(const wirekit::tcp::segment& s, bytes_view data, std::size_t at) {
        const std::uint16_t sp = s.src_port(), dp = s.dst_port();
        auto is_http = [](std::uint16_t p) { return p == 80 || p == 8080 || p == 8000; };
        app kind = app::none;
        if (sp == 53 || dp == 53) kind = app::dns;
        else if (is_http(sp) || is_http(dp)) kind = app::http;
        if (kind == app::none) return;
        const endpoint_key src{src_addr_, sp}, dst{dst_addr_, dp};
        const bool forward = src < dst;
        const conn_key key = forward ? conn_key{src, dst} : conn_key{dst, src};
        auto it = conns_.find(key);
        if (it == conns_.end()) {
            if (conns_.size() >= max_connections) return;  // bound memory on hostile input
            it = conns_.emplace(key, connection{}).first;
            it->second.kind = kind;
            // The client is the side not on the well-known port.
            const bool src_is_server = kind == app::http ? is_http(sp) : sp == 53;
            it->second.a_is_client = forward ? !src_is_server : src_is_server;
            ++stats_.tcp_streams;
        }
        connection& c = it->second;
        const int d = forward ? 0 : 1;
        half_stream& h = c.dir[d];
        if (h.broken) return;
        const std::uint32_t seq = s.seq_number();
        if (!h.started) {
            h.started = true;
            h.next = s.syn() ? seq + 1 : seq;
        }
        std::uint32_t data_seq = s.syn() ? seq + 1 : seq;
        if (s.fin()) h.fin_seq = data_seq + static_cast<std::uint32_t>(data.size());
        if (!data.empty()) {
            const auto rel = static_cast<std::int32_t>(data_seq - h.next);
            if (rel > 0) {  // a gap: hold it
                if (h.held_bytes + data.size() > max_held_bytes || held_total_ + data.size() > max_held_total) {
                    held_total_ -= h.held_bytes;  // give up on this direction, free what it held
                    h.held.clear();
                    h.held_bytes = 0;
                    h.broken = true;
                    return;
                }
                auto [pos, inserted] = h.held.emplace(data_seq, std::string(wirekit::as_chars(data)));
                if (inserted) {
                    h.held_bytes += data.size();
                    held_total_ += data.size();
                } else if (pos->second.size() < data.size()) {
                    h.held_bytes += data.size() - pos->second.size();
                    held_total_ += data.size() - pos->second.size();
                    pos->second = std::string(wirekit::as_chars(data));
                }
            } else {
                append(h, data_seq, wirekit::as_chars(data));
            }
            // Held segments that now fit.
            for (auto hit = h.held.begin(); hit != h.held.end();) {
                if (static_cast<std::int32_t>(hit->first - h.next) > 0) break;
                append(h, hit->first, hit->second);
                h.held_bytes -= hit->second.size();
                held_total_ -= hit->second.size();
                hit = h.held.erase(hit);
            }
        }
        const bool client = (d == 0) == c.a_is_client;
        if (c.kind == app::dns) dns_tcp(h, at);
        else http(c, h, client, at);
        if (h.fin_seq && h.next == *h.fin_seq && !h.closed) {
            h.closed = true;
            if (c.kind == app::http && h.in_body && h.body) {
                if (h.body->finish()) http_done(h);
            }
        }
    }

    static void append(half_stream& h, std::uint32_t seq, std::string_view bytes) {
        const auto skip = static_cast<std::uint32_t>(h.next - seq);  // already received (retransmission overlap)
        if (skip >= bytes.size()) return;
        h.buf.append(bytes.substr(skip));
        h.next += static_cast<std::uint32_t>(bytes.size() - skip);
    }

    void dns_tcp(half_stream& h, std::size_t at) {
        // RFC 1035 §4.2.2 / RFC 7766 §8: a two-byte length before each message.
        while (h.buf.size() >= 2) {
            const std::size_t n = std::size_t(static_cast<unsigned char>(h.buf[0])) << 8 | static_cast<unsigned char>(h.buf[1]);
            if (h.buf.size() < 2 + n) break;
            ++stats_.stream_messages;
            dns(wirekit::as_bytes(std::string_view(h.buf).substr(2, n)), at);
            h.buf.erase(0, 2 + n);
        }
    }

    void http(connection& c, half_stream& h, bool client, std::size_t at) {
        namespace h1 = wirekit::http1;
        for (int guard = 0; guard < 1000 && !h.buf.empty(); ++guard) {
            if (!h.in_body) {
                std::array<h1::field_slot, 128> slots{};
                if (client) {
                    h1::request_parser p(slots);
                    auto r = p.feed(std::string_view(h.buf));
                    if (!r) { fail(r.error(), at); h.broken = true; return; }
                    if (*r == h1::parse_status::need_more) return;
                    const auto head = p.head();
                    h.pending.clear();
                    h.pending.str("http.request.method", std::string(head.method));
                    h.pending.str("http.request.uri", std::string(head.target));
                    h.pending.str("http.request.version", fmt::format("HTTP/{}.{}", head.version.major, head.version.minor));
                    if (auto host = head.fields.find("host")) h.pending.str("http.host", std::string(*host));
                    if (auto cl = head.fields.find("content-length")) h.pending.str("http.content_length", std::string(*cl));
                    auto fr = h1::request_framing(head);
                    if (!fr) { fail(fr.error(), at); h.broken = true; return; }
                    c.methods.emplace_back(head.method);
                    h.framing = *fr;
                    h.buf.erase(0, head.head_len);
                } else {
                    h1::response_parser p(slots);
                    auto r = p.feed(std::string_view(h.buf));
                    if (!r) { fail(r.error(), at); h.broken = true; return; }
                    if (*r == h1::parse_status::need_more) return;
                    const auto head = p.head();
                    h.pending.clear();
                    h.pending.num("http.response.code", static_cast<unsigned>(head.status));
                    if (auto cl = head.fields.find("content-length")) h.pending.str("http.content_length", std::string(*cl));
                    std::string method = "GET";
                    if (head.status >= 200 && !c.methods.empty()) {
                        method = c.methods.front();
                        c.methods.erase(c.methods.begin());
                    }
                    auto fr = h1::response_framing(head, method);
                    if (!fr) { fail(fr.error(), at); h.broken = true; return; }
                    h.framing = *fr;
                    h.buf.erase(0, head.head_len);
                }
                h.in_body = true;
                h.body.emplace(h.framing);
                if (h.framing.kind == h1::body_kind::tunnel) { h.broken = true; return; }
            }
            // Body.
            std::string_view in(h.buf);
            std::size_t used = 0;
            bool end = h.body->done();
            while (!end) {
                auto ev = h.body->decode(in.substr(used));
                if (!ev) { fail(ev.error(), at); h.broken = true; return; }
                used += ev->consumed;
                if (ev->kind == h1::body_event_kind::end) end = true;
                if (ev->kind == h1::body_event_kind::need_more) break;
            }
            h.buf.erase(0, used);
            if (!end) return;
            http_done(h);
        }
    }

    void http_done(half_stream& h) {
        ++stats_.stream_messages;
        stats_.count("http");
        for (const auto& [k, vs] : h.pending.items())
            for (const auto& v : vs) {
                // Content-Length is a number in tshark's output.
                if (k == "http.content_length" && !v.text.empty() && v.text.find_first_not_of("0123456789") == std::string::npos)
                    out_.num(k, std::stoull(v.text));
                else if (v.number) out_.num(k, std::stoull(v.text));
                else out_.str(k, v.text);
            }
        std::string summary;
        for (const auto& [k, vs] : h.pending.items())
            if (k == "http.request.method" || k == "http.request.uri" || k == "http.response.code") summary += " " + vs.front().text;
        line_ += ", HTTP" + summary;
        if (opt_.verbose) tree_ += "http\n" + summary + "\n";
        h.pending.clear();
        h.in_body = false;
        h.body.reset();
    }

    void dns(bytes_view msg, std::size_t at) {
        namespace dn = wirekit::dns;
        auto p = dn::parser::start(msg);
        if (!p) return fail(p.error(), at);
        stats_.count("dns");
        const auto& hd = p->header();
        out_.hex("dns.id", hd.id, 4);
        out_.num("dns.flags.response", hd.qr);
        if (hd.qr) out_.num("dns.flags.rcode", hd.rcode);
        const bool text = out_.enabled || lines_ || opt_.verbose;  // names are formatted only when shown
        std::string summary = !text ? std::string() : fmt::format(", DNS {} 0x{:04x}", hd.qr ? "response" : "query", hd.id);
        if (opt_.verbose) tree_ += fmt::format("dns\n  id: 0x{:04x}\n  qr: {}\n  rcode: {}\n", hd.id, int(hd.qr), hd.rcode);
        for (;;) {
            auto q = p->question();
            if (!q) return fail(q.error(), at);
            if (!*q) break;
            out_.num("dns.qry.type", static_cast<unsigned>((*q)->type));
            if (!text) continue;
            out_.str("dns.qry.name", dns_name((*q)->name));
            summary += fmt::format(" {} {}", (*q)->type, dns_name((*q)->name));
            if (opt_.verbose) tree_ += fmt::format("  question: {} {}\n", dns_name((*q)->name), (*q)->type);
        }
        for (int section = 0; section < 3; ++section) {
            for (;;) {
                auto r = section == 0 ? p->answer() : section == 1 ? p->authority() : p->additional();
                if (!r) return fail(r.error(), at);
                if (!*r) break;
                const auto& rr = **r;
                if (rr.header.type == dn::rr_type::opt) continue;
                out_.num("dns.resp.ttl", rr.header.ttl);
                if (!text) continue;
                if (const auto* a = std::get_if<dn::a_rdata>(&rr.data)) {
                    const auto s = fmt::format("{}.{}.{}.{}", a->address[0], a->address[1], a->address[2], a->address[3]);
                    out_.str("dns.a", s);
                    if (section == 0) summary += " A " + s;
                }
                if (std::holds_alternative<dn::aaaa_rdata>(rr.data)) out_.strf("dns.aaaa", "{}", rr.data);
                if (const auto* x = std::get_if<dn::cname_rdata>(&rr.data)) out_.str("dns.cname", dns_name(x->cname));
                if (const auto* x = std::get_if<dn::mx_rdata>(&rr.data)) out_.str("dns.mx.mail_exchange", dns_name(x->exchange));
                if (opt_.verbose) tree_ += fmt::format("  {}: {} {} ttl {} {}\n", section == 0 ? "answer" : section == 1 ? "authority" : "additional",
                                                       dns_name(rr.header.name), rr.header.type, rr.header.ttl, rr.data);
            }
        }
        if (lines_) line_ += summary;
    }

    const options& opt_;
    bool lines_ = true;  // the default one-line output is printed
    fields out_;
    std::string tree_, line_;
    std::optional<wire_error> error_;
    statistics stats_;
    std::chrono::microseconds now_{};
    wirekit::ipv4::reassembler reasm_{};
    std::map<conn_key, connection> conns_;
    std::size_t held_total_ = 0;  // out-of-order bytes held, all streams
    std::string ip_src_, ip_dst_;
    std::array<std::byte, 16> src_addr_{}, dst_addr_{};
    wirekit::ipv4_pseudo pseudo4_{};
    wirekit::ipv6_pseudo pseudo6_{};
    bool v6_ = false;
};

int usage(const char* msg) {
    if (msg) std::fprintf(stderr, "wirekit-dump: %s\n", msg);
    std::fputs("usage: wirekit-dump (-r FILE | -i IFACE) [-f 'BPF filter'] [-c COUNT] [-V] [--json] [--stats] [-w OUT.pcap]\n", stderr);
    return 2;
}

template <class Device>
int run(Device& dev, const options& opt, bool live) {
    dumper d(opt);
    std::optional<io::pcap_writer> writer;
    if (!opt.write_file.empty()) {
        auto w = io::pcap_writer::open(opt.write_file, dev.capabilities().link);
        if (!w) {
            std::fprintf(stderr, "wirekit-dump: %s\n", w.error().what().c_str());
            return 1;
        }
        writer.emplace(std::move(*w));
    }
    if (dev.capabilities().link != io::link_type::ethernet) {
        std::fprintf(stderr, "wirekit-dump: link type %u is not Ethernet; only Ethernet is decoded\n",
                     static_cast<unsigned>(dev.capabilities().link));
        return 1;
    }
    std::size_t n = 0;
    int status = 0;
    const int handle[] = {dev.native_handle()};
    while (!g_stop && (opt.count < 0 || static_cast<long>(n) < opt.count)) {
        auto f = dev.receive();
        if (!f) {
            std::fflush(stdout);
            std::fprintf(stderr, "wirekit-dump: %s\n", f.error().what().c_str());
            status = 1;
            break;
        }
        if (!*f) {
            if (!live) break;  // end of file
            (void)io::wait_readable(handle, std::chrono::milliseconds(200));
            continue;
        }
        ++n;
        if (writer) {
            writer->write(**f);
            if (live) (void)writer->flush();
        }
        d.frame(**f, n);
    }
    if (writer) (void)writer->flush();
    if (opt.stats) d.print_stats();
    std::fflush(stdout);
    return status;
}

}  // namespace

int main(int argc, char** argv) {
    options opt;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        auto next = [&](const char* what) -> const char* {
            if (i + 1 >= argc) return nullptr;
            (void)what;
            return argv[++i];
        };
        if (a == "-r" || a == "-i" || a == "-f" || a == "-c" || a == "-w") {
            const char* v = next(argv[i]);
            if (!v) return usage("option needs a value");
            if (a == "-r") opt.read_file = v;
            else if (a == "-i") opt.interface = v;
            else if (a == "-f") opt.filter = v;
            else if (a == "-w") opt.write_file = v;
            else {
                char* end = nullptr;
                opt.count = std::strtol(v, &end, 10);
                if (*end != '\0' || opt.count < 0) return usage("-c needs a non-negative number");
            }
        } else if (a == "-V") opt.verbose = true;
        else if (a == "--json") opt.json = true;
        else if (a == "--stats") opt.stats = true;
        else if (a == "-h" || a == "--help") return usage(nullptr), 0;
        else return usage(("unknown argument: " + std::string(a)).c_str());
    }
    if (opt.read_file.empty() == opt.interface.empty()) return usage("give exactly one of -r FILE and -i IFACE");
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    if (!opt.read_file.empty()) {
        // Reading a file, nobody waits for single lines: fully buffer stdout
        // in 64 KiB and write it in large chunks (a terminal would otherwise
        // get a write per line). Live capture keeps the default buffering.
        static char out_buf[1 << 16];
        std::setvbuf(stdout, out_buf, _IOFBF, sizeof out_buf);
        auto r = io::pcap_reader::open(opt.read_file, opt.filter);
        if (!r) {
            std::fprintf(stderr, "wirekit-dump: %s: %s\n", opt.read_file.c_str(), r.error().what().c_str());
            return 1;
        }
        return run(*r, opt, false);
    }
    auto l = io::pcap_live::open(opt.interface, {.filter = opt.filter, .promiscuous = true});
    if (!l) {
        std::fprintf(stderr, "wirekit-dump: %s: %s\n", opt.interface.c_str(), l.error().what().c_str());
        return 1;
    }
    return run(*l, opt, true);
}
