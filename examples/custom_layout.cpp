// custom-layout: declare your own protocol header once, then read, change and
// print it — no offsets, shifts or masks written by hand.
//
// The header below is a made-up telemetry header, drawn the way RFCs draw
// theirs (bit 0 is the most significant bit of the first byte):
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |Version|  HLen |A|U|  Prio |        Sequence Number (20)       |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |         Payload Length        |    Sensor     |    Reserved   |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                      Origin (6-byte MAC)                      |
//   +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                               |    Options (HLen*4 - 14) ...
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Copy this file, change the fields, keep the rest.
//
// Usage: custom-layout            (prints the decoded sample, edits it, prints again)
#include <wirekit/core.hpp>  // layouts, views, addresses, result, fmt formatters

#include <array>
#include <cstdint>
#include <cstdio>

namespace telemetry {

/// What the 8-bit Sensor field holds.
enum class sensor : std::uint8_t { temperature = 1, humidity = 2, pressure = 3 };

/// The header, described once. Widths are in bits; types default to the
/// smallest unsigned integer, and may be bool, an enum or a byte array.
struct header_layout
    : wirekit::layout<wirekit::field<"version", 4>,                 // protocol version
                      wirekit::field<"hlen", 4>,                    // header length, 32-bit words
                      wirekit::field<"ack_requested", 1, bool>,     // A
                      wirekit::field<"urgent", 1, bool>,            // U
                      wirekit::field<"priority", 2>,                // 0..3
                      wirekit::field<"sequence", 20>,               // straddles three bytes
                      wirekit::field<"payload_length", 16>,         // bytes after the header
                      wirekit::field<"sensor", 8, sensor>,          // an enum field
                      wirekit::field<"reserved", 8>,                // must be zero
                      wirekit::field<"origin", 48, wirekit::mac_address>> {
    static constexpr std::string_view name = "telemetry";
    /// The header (with options) is hlen × 4 bytes ...
    static constexpr auto header_length = wirekit::field_ref<"hlen"> * 4;
    /// ... and the message ends payload_length bytes after it.
    static constexpr auto total_length = wirekit::field_ref<"hlen"> * 4 + wirekit::field_ref<"payload_length">;
};

/// Bare-name accessors: the layout stays the single source of truth.
template <class Bytes = wirekit::bytes_view>
class basic_message : public wirekit::view<header_layout, Bytes> {
public:
    using base_view = wirekit::view<header_layout, Bytes>;
    explicit basic_message(base_view v) : base_view(v) {}

    WIREKIT_FIELD(version)
    WIREKIT_FIELD(hlen)
    WIREKIT_FIELD(ack_requested)
    WIREKIT_FIELD(urgent)
    WIREKIT_FIELD(priority)
    WIREKIT_FIELD(sequence)
    WIREKIT_FIELD(payload_length)
    WIREKIT_FIELD(sensor)
    WIREKIT_FIELD(origin)
};

}  // namespace telemetry

int main() {
    // A message as it might arrive from the network: 16-byte header (hlen 4,
    // two option bytes) followed by a 4-byte payload and 2 bytes of trailing junk.
    std::array<unsigned char, 22> wire = {
        0x14, 0xa1, 0x23, 0x45,              // version 1, hlen 4, A=1 U=0 prio=2, seq 0x12345
        0x00, 0x04, 0x01, 0x00,              // payload length 4, sensor temperature
        0xb8, 0xe3, 0x56, 0x15, 0x6a, 0x72,  // origin MAC
        0xaa, 0xbb,                          // options
        0x00, 0x00, 0x01, 0x2c,              // payload: 300 (e.g. 30.0 °C)
        0xde, 0xad};                         // not part of the message

    // Untrusted input goes through checked(): it verifies every length fits.
    auto checked = wirekit::view<telemetry::header_layout>::checked(
        wirekit::as_bytes(wire.data(), wire.size()));
    if (!checked) {
        fmt::print(stderr, "bad message: {}\n", checked.error());
        return 1;
    }
    telemetry::basic_message msg(*checked);

    // Every layout view prints itself, field by field, from its reflection.
    fmt::print("decoded: {}\n", *checked);
    fmt::print("seq={} priority={} ack_requested={} origin={} options={}B\n", msg.sequence(), msg.priority(),
               msg.ack_requested(), msg.origin(), msg.options().size());

    // Change fields in place through a mutable view over the same bytes.
    auto bytes = wirekit::as_writable_bytes(wire.data(), wire.size());
    telemetry::basic_message<wirekit::mutable_bytes> edit(
        wirekit::mutable_view<telemetry::header_layout>::unchecked(bytes));
    edit.set_sequence(msg.sequence() + 1);  // 0x12346: the write touches three bytes
    edit.set_urgent(true);
    edit.set_sensor(telemetry::sensor::pressure);
    edit.set_origin(*wirekit::mac_address::parse("1A-2F-BB-76-09-AD"));
    fmt::print("edited:  {:v}\n", edit);
    fmt::print("bytes:   ");
    for (std::size_t i = 0; i < 16; ++i) fmt::print("{:02x}", wire[i]);
    fmt::print("\n");

    // A short buffer is an error with a location, never an out-of-bounds read.
    auto short_read = wirekit::view<telemetry::header_layout>::checked(
        wirekit::as_bytes(wire.data(), 10));
    fmt::print("truncated input: {}\n", short_read.error());
    return 0;
}
