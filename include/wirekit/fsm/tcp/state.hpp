// wirekit/fsm/tcp/state.hpp — TCP connection states and the events of the
// connection table (RFC 9293 §3.3.2, Figure 5).
//
// Layer L3. `state` holds the 11 states with their RFC names; `event` the
// inputs of the connection table: the §3.10 user calls that change state,
// the findings of SEGMENT ARRIVES (§3.10.7) that change state, and the
// timeouts (§3.10.8). Both print via fmt (fsm/format.hpp) with RFC names.
#pragma once

#include <array>        // names
#include <cstdint>      // std::uint8_t
#include <string_view>  // names

#include "../machine.hpp"  // fsm::names

namespace wirekit::fsm::tcp {

/// The connection states of RFC 9293 §3.3.2.
enum class state : std::uint8_t {
    closed,        ///< CLOSED: no connection state at all
    listen,        ///< LISTEN: waiting for a connection request from any remote TCP
    syn_sent,      ///< SYN-SENT: waiting for a matching connection request after sending one
    syn_received,  ///< SYN-RECEIVED: waiting for the confirming ACK of our SYN
    established,   ///< ESTABLISHED: an open connection; data flows both ways
    fin_wait_1,    ///< FIN-WAIT-1: we closed; waiting for the ACK of our FIN or the peer's FIN
    fin_wait_2,    ///< FIN-WAIT-2: our FIN is acknowledged; waiting for the peer's FIN
    close_wait,    ///< CLOSE-WAIT: the peer closed; waiting for our user's CLOSE
    closing,       ///< CLOSING: both closed at once; waiting for the ACK of our FIN
    last_ack,      ///< LAST-ACK: the peer closed first; waiting for the ACK of our FIN
    time_wait,     ///< TIME-WAIT: waiting 2 MSL so the peer surely received our ACK of its FIN
};

/// Inputs of the connection table.
enum class event : std::uint8_t {
    open_passive,        ///< user OPEN, passive (§3.10.1)
    open_active,         ///< user OPEN, active (§3.10.1)
    send,                ///< user SEND (§3.10.2)
    receive,             ///< user RECEIVE (§3.10.3)
    close,               ///< user CLOSE (§3.10.4)
    abort,               ///< user ABORT (§3.10.5)
    rcv_syn,             ///< a SYN passed the checks (§3.10.7.2 third, .3 fourth, .4 fourth)
    rcv_syn_ack,         ///< SYN-SENT: SYN with an acceptable ACK of our SYN (§3.10.7.3 fourth)
    rcv_ack_of_syn,      ///< SYN-RECEIVED: an acceptable ACK (§3.10.7.4 fifth)
    rcv_ack_of_fin,      ///< an ACK covering our FIN (§3.10.7.4 fifth)
    rcv_fin,             ///< a FIN in sequence (§3.10.7.4 eighth)
    rcv_rst,             ///< an acceptable RST (§3.10.7.3 second, .4 second)
    retransmit_timeout,  ///< the retransmission timer expired (§3.10.8, RFC 6298 §5)
    time_wait_timeout,   ///< 2 MSL elapsed in TIME-WAIT (§3.10.8)
    user_timeout,        ///< the user timeout expired (§3.10.8)
    new_ack,             ///< an ACK acknowledged new data (RFC 5681 §3.1; congestion region)
    dup_ack,             ///< a duplicate ACK (RFC 5681 §2; congestion region)
    keepalive_timeout,   ///< the last keep-alive probe went unanswered (RFC 1122 §4.2.3.6)
};

}  // namespace wirekit::fsm::tcp

/// RFC 9293 spellings (§3.3.2).
template <>
struct wirekit::fsm::names<wirekit::fsm::tcp::state> {
    static constexpr std::array<std::string_view, 11> value{
        "CLOSED",     "LISTEN",     "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1",
        "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING",  "LAST-ACK",     "TIME-WAIT"};
};

/// Event labels as RFC 9293 Figure 5 writes them.
template <>
struct wirekit::fsm::names<wirekit::fsm::tcp::event> {
    static constexpr std::array<std::string_view, 18> value{
        "passive OPEN", "active OPEN", "SEND",     "RECEIVE",       "CLOSE",
        "ABORT",        "rcv SYN",     "rcv SYN,ACK", "rcv ACK of SYN", "rcv ACK of FIN",
        "rcv FIN",      "rcv RST",     "retransmission timeout", "timeout=2MSL", "user timeout",
        "new ACK",      "dup ACK",     "keep-alive timeout"};
};

namespace wirekit::fsm::tcp {

/// The congestion-control states of RFC 5681 §3 (with RFC 6582's recovery).
enum class cc_state : std::uint8_t {
    slow_start,            ///< cwnd grows by up to SMSS per ACK (§3.1)
    congestion_avoidance,  ///< cwnd grows by about SMSS per RTT (§3.1)
    fast_recovery,         ///< after the third duplicate ACK (§3.2, RFC 6582 §3.2)
};

/// True in the synchronized states (§3.5: ESTABLISHED and later).
[[nodiscard]] constexpr bool synchronized(state s) noexcept {
    return s >= state::established;
}

}  // namespace wirekit::fsm::tcp

/// RFC 5681 names.
template <>
struct wirekit::fsm::names<wirekit::fsm::tcp::cc_state> {
    static constexpr std::array<std::string_view, 3> value{"slow start", "congestion avoidance", "fast recovery"};
};
