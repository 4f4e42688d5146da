#include "tuntap/frame.h"

#include <string>

#include "tuntap/bytes.h"

namespace emp::tuntap {

void encode_frame_header(uint8_t* out, FrameKind kind, uint16_t length) {
  out[0] = 0;
  store_le16(out + 1, length);
  out[3] = static_cast<uint8_t>(kind);
}

Result<std::optional<Frame>> next_frame(std::span<const uint8_t> stream, size_t max_payload) {
  if (stream.size() < kFrameHeaderSize) return std::optional<Frame>{};
  const uint8_t* h = stream.data();
  const std::string what = "invalid frame header: ";
  if (h[0] != 0) return fail(what + "modifier1 is " + std::to_string(h[0]) + " (expected 0)");
  if (h[3] > 1)
    return fail(what + "modifier2 is " + std::to_string(h[3]) +
                " (expected 0 for a packet or 1 for rules)");
  const size_t length = load_le16(h + 1);
  if (length == 0) return fail(what + "empty frame");
  if (length > max_payload)
    return fail(what + "length " + std::to_string(length) + " exceeds the limit of " +
                std::to_string(max_payload));
  if (stream.size() < kFrameHeaderSize + length) return std::optional<Frame>{};
  return std::optional<Frame>{Frame{static_cast<FrameKind>(h[3]),
                                    stream.subspan(kFrameHeaderSize, length),
                                    kFrameHeaderSize + length}};
}

}  // namespace emp::tuntap
