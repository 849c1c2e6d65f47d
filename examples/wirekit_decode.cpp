// wirekit-decode — decodes one protocol message from standard input and prints
// it as JSON, with Wireshark's display-filter field names as keys where they
// exist (so the output can be compared with `tshark -T json`).
//
//   wirekit-decode dns [--hex] < message
//   wirekit-decode http-request [--hex] < client-to-server bytes
//   wirekit-decode http-response [--hex] [--method METHOD] < server-to-client bytes
//
// Input is the raw message (binary), or with --hex its bytes as hex digits
// (whitespace ignored). On malformed input the tool prints
//   {"error": {"kind": "...", "layer": "...", "offset": N, "detail": "..."}}
// and exits with status 1; usage errors exit with status 2.
//
// The HTTP kinds print every message of the stream (pipelining), one JSON
// object per line: method, target, version or status and reason (Wireshark's
// http.request.method, http.request.uri, http.request.version,
// http.response.code, http.response.phrase), the header fields as an ordered
// list, the body length and bytes in hex, and the bytes the message used. If
// the input ends mid-message they print {"incomplete": true} and exit with 3.
// --method names the request method a response answers (default GET), which
// decides its framing (RFC 9112 §6.3: a response to HEAD has no body).
//
// Adding a kind: write `int decode_foo(bytes_view, json&)` and add a row to
// `kinds` below.
#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "wirekit/core/bytes.hpp"
#include "wirekit/core/result.hpp"
#include "wirekit/wire/dns/dns.hpp"
#include "wirekit/wire/dns/format.hpp"
#include "wirekit/wire/http1/http1.hpp"

namespace {

using wirekit::bytes_view;

/// A minimal streaming JSON writer (objects, arrays, scalars; pretty-printed).
class json {
public:
    void begin_object(std::string_view key = {}) { open(key, '{'); }
    void end_object() { close('}'); }
    void begin_array(std::string_view key = {}) { open(key, '['); }
    void end_array() { close(']'); }
    void field(std::string_view key, std::string_view v) { item(key); quoted(v); }
    void field(std::string_view key, const char* v) { field(key, std::string_view{v}); }
    void field(std::string_view key, bool v) { item(key); out_ += v ? "true" : "false"; }
    void field(std::string_view key, unsigned long long v) { item(key); out_ += std::to_string(v); }
    void field(std::string_view key, unsigned v) { field(key, static_cast<unsigned long long>(v)); }
    void field(std::string_view key, std::size_t v) { field(key, static_cast<unsigned long long>(v)); }
    void value(std::string_view v) { item({}); quoted(v); }
    [[nodiscard]] const std::string& str() const { return out_; }

private:
    void indent() { out_.append(2 * first_.size(), ' '); }
    void item(std::string_view key) {
        if (!first_.empty()) {
            if (!first_.back()) out_ += ',';
            first_.back() = false;
            out_ += '\n';
            indent();
        }
        if (!key.empty()) {
            quoted(key);
            out_ += ": ";
        }
    }
    void open(std::string_view key, char c) {
        item(key);
        out_ += c;
        first_.push_back(true);
    }
    void close(char c) {
        const bool empty = first_.back();
        first_.pop_back();
        if (!empty) {
            out_ += '\n';
            indent();
        }
        out_ += c;
    }
    void quoted(std::string_view s) { append_quoted(out_, s); }

public:
    /// Appends `s` to `out` as a JSON string (quotes, escapes, \u00XX for
    /// control and non-ASCII bytes).
    static void append_quoted(std::string& out, std::string_view s) {
        out += '"';
        for (char ch : s) {
            const auto c = static_cast<unsigned char>(ch);
            if (c == '"' || c == '\\') {
                out += '\\';
                out += ch;
            } else if (c < 0x20 || c >= 0x7F) {
                out += fmt::format("\\u{:04x}", unsigned{c});
            } else {
                out += ch;
            }
        }
        out += '"';
    }

private:
    std::string out_;
    std::vector<bool> first_;
};

std::string hex(bytes_view b) {
    std::string s;
    for (auto x : b) s += fmt::format("{:02x}", std::to_integer<unsigned>(x));
    return s;
}

void print_error(const wirekit::wire_error& e) {
    json j;
    j.begin_object();
    j.begin_object("error");
    j.field("kind", wirekit::to_string(e.kind));
    j.field("layer", e.layer);
    j.field("offset", e.offset);
    j.field("detail", e.detail);
    j.end_object();
    j.end_object();
    std::puts(j.str().c_str());
}

// ---------------------------------------------------------------------------
// dns: one DNS message (RFC 1035 §4), keys after Wireshark's "dns.*" fields.
namespace dnsk = wirekit::dns;

std::string text(const dnsk::name_view& n) { return fmt::format("{}", n); }

void dns_rdata(json& j, const dnsk::rr_header& h, const dnsk::rdata& d) {
    if (std::holds_alternative<dnsk::a_rdata>(d)) j.field("dns.a", fmt::format("{}", d));
    if (std::holds_alternative<dnsk::aaaa_rdata>(d)) j.field("dns.aaaa", fmt::format("{}", d));
    if (auto* x = std::get_if<dnsk::ns_rdata>(&d)) j.field("dns.ns", text(x->nsdname));
    if (auto* x = std::get_if<dnsk::cname_rdata>(&d)) j.field("dns.cname", text(x->cname));
    if (auto* x = std::get_if<dnsk::ptr_rdata>(&d)) j.field("dns.ptr.domain_name", text(x->ptrdname));
    if (auto* x = std::get_if<dnsk::mx_rdata>(&d)) {
        j.field("dns.mx.preference", unsigned{x->preference});
        j.field("dns.mx.mail_exchange", text(x->exchange));
    }
    if (auto* x = std::get_if<dnsk::soa_rdata>(&d)) {
        j.field("dns.soa.mname", text(x->mname));
        j.field("dns.soa.rname", text(x->rname));
        j.field("dns.soa.serial_number", unsigned{x->serial});
        j.field("dns.soa.refresh_interval", unsigned{x->refresh});
        j.field("dns.soa.retry_interval", unsigned{x->retry});
        j.field("dns.soa.expire_limit", unsigned{x->expire});
        j.field("dns.soa.minimum_ttl", unsigned{x->minimum});
    }
    if (auto* x = std::get_if<dnsk::txt_rdata>(&d)) {
        j.begin_array("dns.txt");
        for (std::string_view s : *x) j.value(s);
        j.end_array();
    }
    if (auto* x = std::get_if<dnsk::srv_rdata>(&d)) {
        j.field("dns.srv.priority", unsigned{x->priority});
        j.field("dns.srv.weight", unsigned{x->weight});
        j.field("dns.srv.port", unsigned{x->port});
        j.field("dns.srv.target", text(x->target));
    }
    if (auto* x = std::get_if<dnsk::caa_rdata>(&d)) {
        j.field("dns.caa.flags", unsigned{x->flags});
        j.field("dns.caa.tag", x->tag);
        j.field("dns.caa.value", wirekit::as_chars(x->value));
    }
    if (auto* x = std::get_if<dnsk::opt_rdata>(&d)) {
        const auto e = dnsk::edns_info::from_header(h);
        j.field("dns.rr.udp_payload_size", unsigned{e.udp_payload_size});
        j.field("dns.resp.ext_rcode", unsigned{e.extended_rcode});
        j.field("dns.resp.edns0_version", unsigned{e.version});
        j.field("dns.resp.z.do", e.dnssec_ok);
        j.begin_array("options");
        for (auto o : *x) {
            j.begin_object();
            j.field("dns.opt.code", unsigned{o.code});
            j.field("dns.opt.len", o.data.size());
            j.field("dns.opt.data", hex(o.data));
            j.end_object();
        }
        j.end_array();
    }
    if (auto* x = std::get_if<dnsk::unknown_rdata>(&d)) j.field("dns.data", hex(x->data));
}

int decode_dns(bytes_view msg, json& j) {
    auto p = dnsk::parser::start(msg);
    if (!p) {
        print_error(p.error());
        return 1;
    }
    // Parse everything first so that a malformed message prints only the error.
    std::vector<dnsk::question> qs;
    std::vector<std::pair<int, dnsk::resource>> rrs;
    for (;;) {
        auto q = p->question();
        if (!q) return print_error(q.error()), 1;
        if (!*q) break;
        qs.push_back(**q);
    }
    for (int s = 0; s < 3; ++s) {
        for (;;) {
            auto r = s == 0 ? p->answer() : s == 1 ? p->authority() : p->additional();
            if (!r) return print_error(r.error()), 1;
            if (!*r) break;
            rrs.emplace_back(s, **r);
        }
    }
    const auto& h = p->header();
    j.begin_object();
    j.field("dns.id", unsigned{h.id});
    j.field("dns.flags", unsigned{h.flags()});
    j.field("dns.flags.response", h.qr);
    j.field("dns.flags.opcode", unsigned{h.opcode});
    j.field("dns.flags.authoritative", h.aa);
    j.field("dns.flags.truncated", h.tc);
    j.field("dns.flags.recdesired", h.rd);
    j.field("dns.flags.recavail", h.ra);
    j.field("dns.flags.z", h.z);
    j.field("dns.flags.authenticated", h.ad);
    j.field("dns.flags.checkdisable", h.cd);
    j.field("dns.flags.rcode", unsigned{h.rcode});
    j.field("dns.count.queries", unsigned{h.qdcount});
    j.field("dns.count.answers", unsigned{h.ancount});
    j.field("dns.count.auth_rr", unsigned{h.nscount});
    j.field("dns.count.add_rr", unsigned{h.arcount});
    j.begin_array("queries");
    for (const auto& q : qs) {
        j.begin_object();
        j.field("name", text(q.name));
        j.field("type", fmt::format("{}", q.type));
        j.field("class", fmt::format("{}", q.cls));
        j.end_object();
    }
    j.end_array();
    const char* sections[] = {"answers", "authoritative_nameservers", "additional_records"};
    for (int s = 0; s < 3; ++s) {
        j.begin_array(sections[s]);
        for (const auto& [sec, rr] : rrs) {
            if (sec != s) continue;
            j.begin_object();
            j.field("name", text(rr.header.name));
            j.field("type", fmt::format("{}", rr.header.type));
            if (rr.header.type != dnsk::rr_type::opt) {
                j.field("class", fmt::format("{}", rr.header.cls));
                j.field("ttl", unsigned{rr.header.ttl});
            }
            j.field("dns.resp.len", unsigned{rr.header.rdlength});
            dns_rdata(j, rr.header, rr.data);
            j.end_object();
        }
        j.end_array();
    }
    j.end_object();
    std::puts(j.str().c_str());
    return 0;
}

// ---------------------------------------------------------------------------
// HTTP/1.1 streams (RFC 9112)

/// The request method a decoded response answers (--method).
std::string_view response_method = "GET";

/// Appends `"headers": [[name, value], ...]` for `fields`.
void http_fields(std::string& out, const wirekit::http1::field_list& fields) {
    out += ", \"headers\": [";
    for (std::size_t i = 0; i < fields.size(); ++i) {
        out += i ? ", [" : "[";
        json::append_quoted(out, fields[i].name);
        out += ", ";
        json::append_quoted(out, fields[i].value);
        out += "]";
    }
    out += "]";
}

int http_incomplete() {
    std::puts("{\"incomplete\": true}");
    return 3;
}

/// Prints every message of a request (`requests`) or response stream.
int decode_http(bytes_view bytes, bool requests) {
    namespace http1 = wirekit::http1;
    const std::string_view data = wirekit::as_chars(bytes);
    http1::field_slot slots[128];
    std::size_t pos = 0;
    auto fail = [&](const wirekit::wire_error& e, std::size_t base) {
        print_error(e.shifted(base));
        return 1;
    };
    while (pos < data.size()) {
        const std::string_view in = data.substr(pos);
        std::string out = "{";
        http1::body_framing framing;
        std::size_t head_len = 0;
        if (requests) {
            http1::request_parser p(slots);
            auto r = p.feed(in);
            if (!r) return fail(r.error(), pos);
            if (*r == http1::parse_status::need_more) return http_incomplete();
            const http1::request_head h = p.head();
            out += "\"http.request.method\": ";
            json::append_quoted(out, h.method);
            out += ", \"http.request.uri\": ";
            json::append_quoted(out, h.target);
            out += fmt::format(", \"http.request.version\": \"HTTP/1.{}\"", h.version.minor);
            auto f = http1::request_framing(h);
            if (!f) return fail(f.error(), pos);
            framing = *f;
            head_len = h.head_len;
            http_fields(out, h.fields);
        } else {
            http1::response_parser p(slots);
            auto r = p.feed(in);
            if (!r) return fail(r.error(), pos);
            if (*r == http1::parse_status::need_more) return http_incomplete();
            const http1::response_head h = p.head();
            out += fmt::format("\"http.response.version\": \"HTTP/1.{}\", \"http.response.code\": {}, ",
                               h.version.minor, h.status);
            out += "\"http.response.phrase\": ";
            json::append_quoted(out, h.reason);
            auto f = http1::response_framing(h, response_method);
            if (!f) return fail(f.error(), pos);
            framing = *f;
            head_len = h.head_len;
            http_fields(out, h.fields);
        }

        http1::body_decoder dec(framing);
        std::string_view rest = in.substr(head_len);
        std::string body;
        for (;;) {
            auto ev = dec.decode(rest);
            if (!ev) return fail(ev.error(), pos + head_len);
            rest.remove_prefix(ev->consumed);
            if (ev->kind == http1::body_event_kind::data) body.append(ev->bytes);
            if (ev->kind == http1::body_event_kind::end || ev->kind == http1::body_event_kind::need_more) break;
        }
        // Input ended: complete only for a body read until close.
        if (!dec.done() && !dec.finish()) return http_incomplete();
        const std::size_t used = head_len + static_cast<std::size_t>(dec.consumed());
        out += fmt::format(", \"body_length\": {}, \"body_hex\": \"{}\", \"consumed\": {}}}", body.size(),
                           hex(wirekit::as_bytes(body)), used);
        std::puts(out.c_str());
        pos += used;
    }
    return 0;
}

int decode_http_request(bytes_view b, json&) { return decode_http(b, true); }
int decode_http_response(bytes_view b, json&) { return decode_http(b, false); }

// ---------------------------------------------------------------------------

struct kind {
    std::string_view name;
    int (*decode)(bytes_view, json&);
    std::string_view what;
};

constexpr kind kinds[] = {
    {"dns", decode_dns, "one DNS message (RFC 1035), as sent over UDP (no TCP length prefix)"},
    {"http-request", decode_http_request, "an HTTP/1.1 request stream, every message (RFC 9112)"},
    {"http-response", decode_http_response, "an HTTP/1.1 response stream, every message; --method M (default GET)"},
};

int usage() {
    std::fputs("usage: wirekit-decode KIND [--hex] [--method METHOD] < input\nkinds:\n", stderr);
    for (const auto& k : kinds) fmt::print(stderr, "  {:<13} {}\n", k.name, k.what);
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) return usage();
    const std::string_view which = argv[1];
    bool hex_input = false;
    for (int i = 2; i < argc; ++i) {
        if (std::string_view{argv[i]} == "--hex") hex_input = true;
        else if (std::string_view{argv[i]} == "--method" && i + 1 < argc && which == "http-response")
            response_method = argv[++i];
        else return usage();
    }
    const kind* k = nullptr;
    for (const auto& c : kinds)
        if (c.name == which) k = &c;
    if (!k) return usage();

    std::string raw;
    char buf[65536];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, stdin)) > 0) raw.append(buf, n);

    std::vector<std::byte> bytes;
    if (hex_input) {
        int hi = -1;
        for (std::size_t i = 0; i < raw.size(); ++i) {
            const char c = raw[i];
            int v;
            if (c >= '0' && c <= '9') v = c - '0';
            else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
            else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
            else if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
            else {
                print_error(wirekit::make_error(wirekit::errc::malformed, "hex", i, "not a hex digit"));
                return 1;
            }
            if (hi < 0) {
                hi = v;
            } else {
                bytes.push_back(static_cast<std::byte>(hi * 16 + v));
                hi = -1;
            }
        }
        if (hi >= 0) {
            print_error(wirekit::make_error(wirekit::errc::truncated, "hex", raw.size(), "odd number of hex digits"));
            return 1;
        }
    } else {
        const auto* p = reinterpret_cast<const std::byte*>(raw.data());
        bytes.assign(p, p + raw.size());
    }
    json j;
    return k->decode(bytes, j);
}
