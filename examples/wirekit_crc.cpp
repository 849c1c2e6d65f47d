// wirekit-crc: CRCs from the catalogue, and the Internet checksum, of files.
//
//   wirekit-crc --list                      every model: name, aliases, parameters, check value
//   wirekit-crc --model NAME [FILE...]      the CRC of each FILE (standard input when none)
//   wirekit-crc --inet [FILE...]            the RFC 1071 Internet checksum of each FILE
//
// NAME is a catalogue name or alias, case-insensitive ("CRC-32/ISO-HDLC",
// "crc-32c", "CRC-16/CCITT-FALSE"). Output: one line per input, the value in
// hex padded to the model's width, two spaces, then the file name ("-" for
// standard input). Exit status: 0 on success; 1 for an unreadable file (the
// other files are still processed); 2 for a usage error or an unknown model.
#include <wirekit/checksum/crc.hpp>
#include <wirekit/checksum/internet.hpp>

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

/// Streams one input (a path, or "-" for stdin) through `feed`; false when
/// the input cannot be opened or read (the error is printed).
template <class Feed>
bool read_input(const std::string& path, Feed&& feed) {
    std::FILE* f = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
    if (!f) {
        fmt::print(stderr, "wirekit-crc: {}: {}\n", path, std::strerror(errno));
        return false;
    }
    std::array<std::byte, 1 << 16> buf;
    bool ok = true;
    for (;;) {
        const std::size_t n = std::fread(buf.data(), 1, buf.size(), f);
        if (n > 0) feed(wirekit::bytes_view(buf.data(), n));
        if (n < buf.size()) {
            if (std::ferror(f)) {
                fmt::print(stderr, "wirekit-crc: {}: {}\n", path, std::strerror(errno));
                ok = false;
            }
            break;
        }
    }
    if (f != stdin) std::fclose(f);
    return ok;
}

int usage() {
    fmt::print(stderr,
               "usage: wirekit-crc --list\n"
               "       wirekit-crc --model NAME [FILE...]\n"
               "       wirekit-crc --inet [FILE...]\n");
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty()) return usage();

    if (args[0] == "--list") {
        wirekit::for_each_crc_model([](auto m) {
            using M = decltype(m);
            std::string aliases;
            for (auto a : M::aliases) aliases += (aliases.empty() ? "" : ", ") + std::string(a);
            fmt::print("{:<18} width={:<2} poly=0x{:x} init=0x{:x} refin={} refout={} xorout=0x{:x} check=0x{:x}{}{}\n",
                       M::name, M::width, M::poly, M::init, M::refin, M::refout, M::xorout, M::check,
                       aliases.empty() ? "" : "  aliases: ", aliases);
        });
        return 0;
    }

    std::vector<std::string> files(args.begin() + 1, args.end());
    if (files.empty()) files.push_back("-");
    int status = 0;

    if (args[0] == "--inet") {
        for (const auto& path : files) {
            wirekit::checksum_accumulator acc;
            if (!read_input(path, [&](wirekit::bytes_view b) { acc.add(b); })) {
                status = 1;
                continue;
            }
            fmt::print("{:04x}  {}\n", acc.finish(), path);
        }
        return status;
    }

    if (args[0] != "--model" || args.size() < 2) return usage();
    const std::string name = args[1];
    files.assign(args.begin() + 2, args.end());
    if (files.empty()) files.push_back("-");

    bool found = false;
    wirekit::for_each_crc_model([&](auto m) {
        using M = decltype(m);
        if (found) return;
        bool match = iequals(name, M::name);
        for (auto a : M::aliases) match = match || iequals(name, a);
        if (!match) return;
        found = true;
        const int digits = static_cast<int>((M::width + 3) / 4);
        for (const auto& path : files) {
            wirekit::crc<M> c;
            if (!read_input(path, [&](wirekit::bytes_view b) { c.update(b); })) {
                status = 1;
                continue;
            }
            fmt::print("{:0{}x}  {}\n", static_cast<unsigned long long>(c.finalize()), digits, path);
        }
    });
    if (!found) {
        fmt::print(stderr, "wirekit-crc: unknown model '{}' (see wirekit-crc --list)\n", name);
        return 2;
    }
    return status;
}
