// Character classes against their RFC definitions, and the SIMD scanners
// against those classes for every byte value at every position.
#include "support.hpp"

#include "wirekit/wire/http1/chars.hpp"

using namespace h1test;

TEST_CASE("tchar is exactly RFC 9110 §5.6.2", "[http1][chars]") {
    // tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
    //         "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
    const std::string_view specials = "!#$%&'*+-.^_`|~";
    for (int c = 0; c < 256; ++c) {
        const bool want = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                          specials.find(static_cast<char>(c)) != std::string_view::npos;
        INFO("byte " << c);
        CHECK(is_tchar(static_cast<unsigned char>(c)) == want);
        // field-vchar / SP / HTAB (RFC 9110 §5.5): everything but CTLs and DEL.
        CHECK(is_field_char(static_cast<unsigned char>(c)) == (c == '\t' || (c >= 0x20 && c != 0x7F)));
        CHECK(is_hexdig(static_cast<unsigned char>(c)) ==
              ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
    }
    CHECK(is_token("Content-Length"));
    CHECK_FALSE(is_token(""));
    CHECK_FALSE(is_token("a b"));
}

TEST_CASE("scanners agree with the classes at every byte and position", "[http1][chars]") {
    char buf[48];
    for (int c = 0; c < 256; ++c) {
        const auto u = static_cast<unsigned char>(c);
        for (std::size_t pos = 0; pos < 40; ++pos) {
            for (char& b : buf) b = 'a';
            buf[pos] = static_cast<char>(c);
            INFO("byte " << c << " at " << pos);
            CHECK(wirekit::http1::detail::scan_token_chars(buf, 0, sizeof buf) == (is_tchar(u) ? sizeof buf : pos));
            CHECK(wirekit::http1::detail::scan_field_chars(buf, 0, sizeof buf) == ((u < 0x20 || u == 0x7F) ? pos : sizeof buf));
            CHECK(wirekit::http1::detail::scan_target_chars(buf, 0, sizeof buf) == ((u <= 0x20 || u >= 0x7F) ? pos : sizeof buf));
            // The scan never reads at or past `end`.
            CHECK(wirekit::http1::detail::scan_token_chars(buf, 0, pos) == pos);
        }
    }
}
