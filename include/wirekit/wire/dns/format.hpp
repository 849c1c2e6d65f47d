// wirekit/wire/dns/format.hpp — DNS presentation format through {fmt}.
//
// Layer L2 (includes core only, plus {fmt}, a dependency of the wirekit
// target). Opt-in: include it where you print. Sources: RFC 1035 §5.1
// (master file format and escapes), RFC 3597 §5 (TYPE<n>, CLASS<n>, "\#"
// generic RDATA), RFC 5952 §4 (IPv6 text form), RFC 8659 §4.1.1 (CAA text).
//
//   fmt::format("{}", name)        -> "www.example.test."
//   fmt::format("{}", resource)    -> "www.example.test. 300 IN A 10.0.0.1"
//   fmt::format("{}", question)    -> "www.example.test. IN A"
//   dns::format_message(out, msg)  -> a dig-like dump of a whole message
#pragma once

#include <array>        // address formatting
#include <cstddef>      // std::size_t
#include <cstdint>      // fixed-width integers
#include <iterator>     // std::back_inserter
#include <optional>     // the OPT record found first
#include <utility>      // std::pair
#include <string_view>  // mnemonics
#include <variant>      // std::visit

#include <fmt/format.h>  // fmt::formatter, fmt::format_to

#include "wirekit/core/bytes.hpp"       // bytes_view
#include "wirekit/core/result.hpp"      // result
#include "wirekit/wire/dns/name.hpp"    // name_view
#include "wirekit/wire/dns/parser.hpp"  // parser (format_message)
#include "wirekit/wire/dns/rdata.hpp"   // rdata types
#include "wirekit/wire/dns/types.hpp"   // mnemonics

namespace wirekit::dns {

namespace detail {

template <class Out>
Out write_ipv4(Out out, const std::array<std::uint8_t, 4>& a) {
    return fmt::format_to(out, "{}.{}.{}.{}", a[0], a[1], a[2], a[3]);
}

// RFC 5952 §4: lower-case hex, no leading zeros, the longest run (>= 2) of
// zero groups replaced by "::" (the first such run on a tie).
template <class Out>
Out write_ipv6(Out out, const std::array<std::uint8_t, 16>& a) {
    std::array<unsigned, 8> g{};
    for (std::size_t i = 0; i < 8; ++i) g[i] = (unsigned{a[2 * i]} << 8) | a[2 * i + 1];
    std::size_t best = 8, best_len = 0;
    for (std::size_t i = 0; i < 8;) {
        if (g[i] != 0) { ++i; continue; }
        std::size_t j = i;
        while (j < 8 && g[j] == 0) ++j;
        if (j - i > best_len && j - i >= 2) { best = i; best_len = j - i; }
        i = j;
    }
    for (std::size_t i = 0; i < 8; ++i) {
        if (i == best) {
            *out++ = ':';
            *out++ = ':';
            i += best_len - 1;
            continue;
        }
        if (i != 0 && i != best + best_len) *out++ = ':';
        out = fmt::format_to(out, "{:x}", g[i]);
    }
    return out;
}

// A <character-string> in quotes, with '"' and '\' escaped and bytes outside
// 0x20..0x7E as \DDD (RFC 1035 §5.1).
template <class Out>
Out write_quoted(Out out, std::string_view s) {
    *out++ = '"';
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '"' || c == '\\') {
            *out++ = '\\';
            *out++ = ch;
        } else if (c < 0x20 || c > 0x7E) {
            out = fmt::format_to(out, "\\{:03}", unsigned{c});
        } else {
            *out++ = ch;
        }
    }
    *out++ = '"';
    return out;
}

template <class Out>
Out write_hex(Out out, bytes_view b) {
    for (std::byte x : b) out = fmt::format_to(out, "{:02X}", std::to_integer<unsigned>(x));
    return out;
}

// RFC 3597 §5 generic form: \# <length> <hex>.
template <class Out>
Out write_generic(Out out, bytes_view b) {
    out = fmt::format_to(out, "\\# {}", b.size());
    if (!b.empty()) {
        *out++ = ' ';
        out = write_hex(out, b);
    }
    return out;
}

/// Writes the presentation form of RDATA (zone-file style).
template <class Out>
Out write_rdata(Out out, const rdata& d) {
    struct visitor {
        Out out;
        Out operator()(const unknown_rdata& r) { return write_generic(out, r.data); }
        Out operator()(const a_rdata& r) { return write_ipv4(out, r.address); }
        Out operator()(const aaaa_rdata& r) { return write_ipv6(out, r.address); }
        Out operator()(const ns_rdata& r) { return r.nsdname.write_text(out); }
        Out operator()(const cname_rdata& r) { return r.cname.write_text(out); }
        Out operator()(const ptr_rdata& r) { return r.ptrdname.write_text(out); }
        Out operator()(const mx_rdata& r) {
            return r.exchange.write_text(fmt::format_to(out, "{} ", r.preference));
        }
        Out operator()(const soa_rdata& r) {
            Out o = r.mname.write_text(out);
            *o++ = ' ';
            o = r.rname.write_text(o);
            return fmt::format_to(o, " {} {} {} {} {}", r.serial, r.refresh, r.retry, r.expire, r.minimum);
        }
        Out operator()(const txt_rdata& r) {
            Out o = out;
            bool first = true;
            for (std::string_view s : r) {
                if (!first) *o++ = ' ';
                first = false;
                o = write_quoted(o, s);
            }
            return o;
        }
        Out operator()(const srv_rdata& r) {
            return r.target.write_text(fmt::format_to(out, "{} {} {} ", r.priority, r.weight, r.port));
        }
        Out operator()(const opt_rdata& r) { return write_generic(out, r.data); }
        Out operator()(const caa_rdata& r) {
            Out o = fmt::format_to(out, "{} {} ", unsigned{r.flags}, r.tag);
            return write_quoted(o, as_chars(r.value));
        }
    };
    return std::visit(visitor{out}, d);
}

template <class Out>
Out write_type(Out out, rr_type t) {
    if (auto m = mnemonic(t); !m.empty()) return fmt::format_to(out, "{}", m);
    return fmt::format_to(out, "TYPE{}", static_cast<unsigned>(t));
}

template <class Out>
Out write_class(Out out, rr_class c) {
    if (auto m = mnemonic(c); !m.empty()) return fmt::format_to(out, "{}", m);
    return fmt::format_to(out, "CLASS{}", static_cast<unsigned>(c));
}

template <class Out>
Out write_rcode(Out out, unsigned code) {
    if (auto m = mnemonic(static_cast<rcode>(code)); !m.empty()) return fmt::format_to(out, "{}", m);
    return fmt::format_to(out, "RCODE{}", code);
}

// "; EDNS: version: 0, flags: do; udp: 1232" plus one line per option.
template <class Out>
Out write_edns(Out out, const edns_info& e, const opt_rdata& options) {
    out = fmt::format_to(out, "; EDNS: version: {}, flags:{}; udp: {}\n", unsigned{e.version},
                         e.dnssec_ok ? " do" : "", e.udp_payload_size);
    for (edns_option o : options) {
        if (o.code == 10) {
            out = fmt::format_to(out, "; COOKIE: ");
        } else {
            out = fmt::format_to(out, "; OPT={}: ", o.code);
        }
        out = write_hex(out, o.data);
        *out++ = '\n';
    }
    return out;
}

}  // namespace detail

/// Writes a dig-like dump of the message `msg` to `out` (an output iterator
/// of char): header line, flags line, OPT pseudo-section, then each section
/// with one zone-file line per record (fields separated by tabs).
/// Errors: any parse error of the message (output written so far remains).
template <class Out>
[[nodiscard]] result<Out> format_message(Out out, bytes_view msg) {
    auto p = parser::start(msg);
    if (!p) return p.error();
    const header& h = p->header();
    // Find EDNS first, as dig prints it before the sections.
    parser scan = *p;
    std::optional<opt_rdata> opt_data;
    for (;;) {
        auto rr = scan.additional_header();
        if (!rr) return rr.error();
        if (!*rr) break;
        if ((*rr)->type == rr_type::opt) {
            auto d = scan.rdata_as<opt_rdata>();
            if (!d) return d.error();
            opt_data = *d;
        }
    }
    unsigned full_rcode = h.rcode;
    if (scan.edns()) full_rcode = scan.edns()->full_rcode(h.rcode);
    out = fmt::format_to(out, ";; ->>HEADER<<- opcode: ");
    if (auto m = mnemonic(static_cast<opcode>(h.opcode)); !m.empty())
        out = fmt::format_to(out, "{}", m);
    else
        out = fmt::format_to(out, "OPCODE{}", unsigned{h.opcode});
    out = fmt::format_to(out, ", status: ");
    out = detail::write_rcode(out, full_rcode);
    out = fmt::format_to(out, ", id: {}\n;; flags:", h.id);
    const std::pair<bool, const char*> flags[] = {{h.qr, "qr"}, {h.aa, "aa"}, {h.tc, "tc"}, {h.rd, "rd"},
                                                  {h.ra, "ra"}, {h.ad, "ad"}, {h.cd, "cd"}};
    for (const auto& [on, text] : flags)
        if (on) out = fmt::format_to(out, " {}", text);
    out = fmt::format_to(out, "; QUERY: {}, ANSWER: {}, AUTHORITY: {}, ADDITIONAL: {}\n", h.qdcount, h.ancount,
                         h.nscount, h.arcount);
    if (scan.edns()) {
        out = fmt::format_to(out, "\n;; OPT PSEUDOSECTION:\n");
        out = detail::write_edns(out, *scan.edns(), opt_data.value_or(opt_rdata{}));
    }
    if (h.qdcount) out = fmt::format_to(out, "\n;; QUESTION SECTION:\n");
    for (;;) {
        auto q = p->question();
        if (!q) return q.error();
        if (!*q) break;
        *out++ = ';';
        out = (*q)->name.write_text(out);
        *out++ = '\t';
        out = detail::write_class(out, (*q)->cls);
        *out++ = '\t';
        out = detail::write_type(out, (*q)->type);
        *out++ = '\n';
    }
    const char* titles[] = {"ANSWER", "AUTHORITY", "ADDITIONAL"};
    for (int s = 0; s < 3; ++s) {
        bool first = true;
        for (;;) {
            auto r = s == 0 ? p->answer() : s == 1 ? p->authority() : p->additional();
            if (!r) return r.error();
            if (!*r) break;
            const resource& rr = **r;
            if (rr.header.type == rr_type::opt) continue;  // shown as the pseudo-section
            if (first) out = fmt::format_to(out, "\n;; {} SECTION:\n", titles[s]);
            first = false;
            out = rr.header.name.write_text(out);
            out = fmt::format_to(out, "\t{}\t", rr.header.ttl);
            out = detail::write_class(out, rr.header.cls);
            *out++ = '\t';
            out = detail::write_type(out, rr.header.type);
            *out++ = '\t';
            out = detail::write_rdata(out, rr.data);
            *out++ = '\n';
        }
    }
    return out;
}

}  // namespace wirekit::dns

/// Presentation form of a name, e.g. "www.example.test." (RFC 1035 §5.1).
template <>
struct fmt::formatter<wirekit::dns::name_view> {
    constexpr auto parse(fmt::format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const wirekit::dns::name_view& n, Ctx& ctx) const {
        return n.write_text(ctx.out());
    }
};

/// Mnemonic of a TYPE, or "TYPE<n>" (RFC 3597 §5).
template <>
struct fmt::formatter<wirekit::dns::rr_type> {
    constexpr auto parse(fmt::format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(wirekit::dns::rr_type t, Ctx& ctx) const {
        return wirekit::dns::detail::write_type(ctx.out(), t);
    }
};

/// Mnemonic of a CLASS, or "CLASS<n>" (RFC 3597 §5).
template <>
struct fmt::formatter<wirekit::dns::rr_class> {
    constexpr auto parse(fmt::format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(wirekit::dns::rr_class c, Ctx& ctx) const {
        return wirekit::dns::detail::write_class(ctx.out(), c);
    }
};

/// RDATA in presentation form ("10 mail.example.test.", "\# 3 010203" ...).
template <>
struct fmt::formatter<wirekit::dns::rdata> {
    constexpr auto parse(fmt::format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const wirekit::dns::rdata& d, Ctx& ctx) const {
        return wirekit::dns::detail::write_rdata(ctx.out(), d);
    }
};

/// A question in zone-file order: "www.example.test. IN A".
template <>
struct fmt::formatter<wirekit::dns::question> {
    constexpr auto parse(fmt::format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const wirekit::dns::question& q, Ctx& ctx) const {
        return fmt::format_to(ctx.out(), "{} {} {}", q.name, q.cls, q.type);
    }
};

/// A record as one master-file line: "www.example.test. 300 IN A 10.0.0.1".
/// OPT prints its EDNS fields instead of a CLASS/TTL pair.
template <>
struct fmt::formatter<wirekit::dns::resource> {
    constexpr auto parse(fmt::format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const wirekit::dns::resource& r, Ctx& ctx) const {
        const auto& h = r.header;
        if (h.type == wirekit::dns::rr_type::opt) {
            const auto e = wirekit::dns::edns_info::from_header(h);
            auto out = fmt::format_to(ctx.out(), "{} OPT udp={} version={} do={} ext_rcode={} ", h.name,
                                      e.udp_payload_size, unsigned{e.version}, e.dnssec_ok ? 1 : 0,
                                      unsigned{e.extended_rcode});
            return wirekit::dns::detail::write_rdata(out, r.data);
        }
        auto out = fmt::format_to(ctx.out(), "{} {} {} {} ", h.name, h.ttl, h.cls, h.type);
        return wirekit::dns::detail::write_rdata(out, r.data);
    }
};
