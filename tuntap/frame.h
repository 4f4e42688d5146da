// uWSGI's TunTap wire framing on the router's unix stream socket: every packet is
// preceded by a 4-byte header (modifier1 = 0, u16 little-endian length, modifier2 = 0
// for an IP packet, 1 for a block of firewall rules a uWSGI vassal sends).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "sys/result.h"

namespace emp::tuntap {

inline constexpr size_t kFrameHeaderSize = 4;
// The largest payload the u16 length can carry.
inline constexpr size_t kMaxFramePayload = 65535;

enum class FrameKind : uint8_t { Packet = 0, Rules = 1 };

struct Frame {
  FrameKind kind = FrameKind::Packet;
  std::span<const uint8_t> payload;
  size_t consumed = 0;  // header + payload bytes to drop from the stream
};

void encode_frame_header(uint8_t* out, FrameKind kind, uint16_t length);

// The first frame of `stream`: nullopt while it is incomplete, an error when its header is
// not a uWSGI frame or announces more than `max_payload` bytes (which must be known from
// the header alone: a peer must never make us buffer an unbounded amount). Errors read:
//   invalid frame header: modifier1 is 7 (expected 0)
//   invalid frame header: modifier2 is 9 (expected 0 for a packet or 1 for rules)
//   invalid frame header: empty frame
//   invalid frame header: length 9000 exceeds the limit of 1500
Result<std::optional<Frame>> next_frame(std::span<const uint8_t> stream, size_t max_payload);

}  // namespace emp::tuntap
