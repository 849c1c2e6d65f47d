// http1-decode: prints every HTTP/1.1 message in a byte stream as JSON.
//
//   http1-decode http-request  [FILE]            client -> server bytes
//   http1-decode http-response [FILE] [METHOD]   server -> client bytes;
//                                                METHOD (default GET) is the
//                                                request method, for framing
//
// Reads FILE, or standard input. One JSON object per message (pipelining),
// with Wireshark's field names where they exist (http.request.method,
// http.request.uri, http.request.version, http.response.code,
// http.response.phrase), the field lines as an ordered list, the body
// (length and hex) and the bytes the message used.
// Exit status: 0 all messages complete; 3 the input ends mid-message (after
// printing {"incomplete": true}); 1 malformed input (the error is printed);
// 2 usage.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <string_view>

#include "wirekit/wire/http1/http1.hpp"

namespace {

using namespace wirekit;
using namespace wirekit::http1;

void json_string(std::string& out, std::string_view s) {
    out += '"';
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += ch;
        } else if (c < 0x20 || c >= 0x7F) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        } else {
            out += ch;
        }
    }
    out += '"';
}

int malformed(const wire_error& e, std::size_t base) {
    std::printf("{\"error\": \"%.*s\", \"kind\": \"%.*s\", \"offset\": %zu}\n", static_cast<int>(e.detail.size()),
                e.detail.data(), static_cast<int>(to_string(e.kind).size()), to_string(e.kind).data(),
                e.offset + base);
    return 1;
}

int incomplete() {
    std::printf("{\"incomplete\": true}\n");
    return 3;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2 || (std::string_view(argv[1]) != "http-request" && std::string_view(argv[1]) != "http-response")) {
        std::fprintf(stderr, "usage: http1-decode http-request|http-response [FILE] [METHOD]\n");
        return 2;
    }
    const bool requests = std::string_view(argv[1]) == "http-request";
    std::string data;
    if (argc >= 3 && std::string_view(argv[2]) != "-") {
        std::ifstream f(argv[2], std::ios::binary);
        if (!f) {
            std::fprintf(stderr, "http1-decode: cannot open %s\n", argv[2]);
            return 2;
        }
        data.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
    } else {
        data.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    }
    const std::string_view method = argc >= 4 ? std::string_view(argv[3]) : std::string_view("GET");

    field_slot slots[128];
    std::size_t pos = 0;
    while (pos < data.size()) {
        const std::string_view in = std::string_view(data).substr(pos);
        std::string out = "{";
        body_framing framing;
        std::size_t head_len = 0;
        if (requests) {
            request_parser p(slots);
            auto r = p.feed(in);
            if (!r) return malformed(r.error(), pos);
            if (*r == parse_status::need_more) return incomplete();
            const request_head h = p.head();
            out += "\"http.request.method\": ";
            json_string(out, h.method);
            out += ", \"http.request.uri\": ";
            json_string(out, h.target);
            out += ", \"http.request.version\": \"HTTP/1." + std::to_string(h.version.minor) + "\"";
            auto f = request_framing(h);
            if (!f) return malformed(f.error(), pos);
            framing = *f;
            head_len = h.head_len;
            out += ", \"headers\": [";
            for (std::size_t i = 0; i < h.fields.size(); ++i) {
                out += i ? ", [" : "[";
                json_string(out, h.fields[i].name);
                out += ", ";
                json_string(out, h.fields[i].value);
                out += "]";
            }
            out += "]";
        } else {
            response_parser p(slots);
            auto r = p.feed(in);
            if (!r) return malformed(r.error(), pos);
            if (*r == parse_status::need_more) return incomplete();
            const response_head h = p.head();
            out += "\"http.response.version\": \"HTTP/1." + std::to_string(h.version.minor) + "\"";
            out += ", \"http.response.code\": " + std::to_string(h.status);
            out += ", \"http.response.phrase\": ";
            json_string(out, h.reason);
            auto f = response_framing(h, method);
            if (!f) return malformed(f.error(), pos);
            framing = *f;
            head_len = h.head_len;
            out += ", \"headers\": [";
            for (std::size_t i = 0; i < h.fields.size(); ++i) {
                out += i ? ", [" : "[";
                json_string(out, h.fields[i].name);
                out += ", ";
                json_string(out, h.fields[i].value);
                out += "]";
            }
            out += "]";
        }

        body_decoder dec(framing);
        std::string_view rest = in.substr(head_len);
        std::string body;
        for (;;) {
            auto ev = dec.decode(rest);
            if (!ev) return malformed(ev.error(), pos + head_len);
            rest.remove_prefix(ev->consumed);
            if (ev->kind == body_event_kind::data) body.append(ev->bytes);
            if (ev->kind == body_event_kind::end || ev->kind == body_event_kind::need_more) break;
        }
        if (!dec.done()) {
            // Input ended: complete only for a body read until close.
            if (auto fin = dec.finish(); !fin) return incomplete();
        }
        const std::size_t used = head_len + static_cast<std::size_t>(dec.consumed());
        out += ", \"body_length\": " + std::to_string(body.size()) + ", \"body_hex\": \"";
        static constexpr char hex[] = "0123456789abcdef";
        for (char c : body) {
            out += hex[static_cast<unsigned char>(c) >> 4];
            out += hex[static_cast<unsigned char>(c) & 15];
        }
        out += "\", \"consumed\": " + std::to_string(used) + "}";
        std::printf("%s\n", out.c_str());
        pos += used;
    }
    return 0;
}
