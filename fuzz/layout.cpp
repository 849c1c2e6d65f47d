// Fuzz target: arbitrary bytes through checked views of the IPv4 and TCP
// layouts and an odd-width layout. Every accessor must stay in bounds (ASan),
// every shift defined (UBSan), and a write-then-read must round-trip.
#include <wirekit/core/format.hpp>
#include <wirekit/core/view.hpp>
#include <wirekit/wire/ipv4.hpp>
#include <wirekit/wire/tcp.hpp>

#include <boost/hana/for_each.hpp>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {
struct odd_layout : wirekit::layout<wirekit::field<"a", 3>, wirekit::field<"b", 13>, wirekit::field<"c", 57>,
                                    wirekit::field<"d", 6>, wirekit::field<"e", 1, bool>,
                                    wirekit::field<"len", 8>> {
    static constexpr std::string_view name = "odd";
    static constexpr auto header_length = wirekit::field_ref<"len"> + 0;
};

template <class V>
std::uint64_t touch_all(const V& v) {
    std::uint64_t acc = 0;
    boost::hana::for_each(V::layout_type::fields, [&](auto t) {
        using P = typename decltype(t)::type;
        if constexpr (P::is_integer) acc += static_cast<std::uint64_t>(v.template get<P::name>());
        else acc += sizeof(v.template get<P::name>());
    });
    for (auto b : v.options()) acc += std::to_integer<unsigned>(b);
    for (auto b : v.payload()) acc += std::to_integer<unsigned>(b);
    return acc;
}

template <class L>
void round_trip(wirekit::bytes_view in) {
    if (in.size() < L::fixed_size) return;
    std::vector<std::byte> copy(in.begin(), in.begin() + L::fixed_size);
    auto r = wirekit::view<L>::unchecked(in);
    auto w = wirekit::mutable_view<L>::unchecked(copy);
    boost::hana::for_each(L::fields, [&](auto t) {
        using P = typename decltype(t)::type;
        w.template set<P::name>(r.template get<P::name>());
    });
    if (std::memcmp(copy.data(), in.data(), L::fixed_size) != 0) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const wirekit::bytes_view in(reinterpret_cast<const std::byte*>(data), size);
    volatile std::uint64_t sink = 0;
    if (auto p = wirekit::ipv4::packet::checked(in)) {
        sink = sink + touch_all(*p);
        if (auto t = wirekit::tcp::segment::checked(p->payload())) sink = sink + touch_all(*t);
        (void)fmt::format("{}", *p);
    } else {
        (void)fmt::format("{}", p.error());
    }
    if (auto t = wirekit::tcp::segment::checked(in)) sink = sink + touch_all(*t);
    if (auto o = wirekit::view<odd_layout>::checked(in)) sink = sink + touch_all(*o);
    round_trip<wirekit::ipv4::header_layout>(in);
    round_trip<wirekit::tcp::header_layout>(in);
    round_trip<odd_layout>(in);
    return 0;
}
