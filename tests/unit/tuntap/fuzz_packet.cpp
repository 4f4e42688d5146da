// libFuzzer target: the socket path of the router on arbitrary bytes. Frames are cut
// from the stream, each payload parsed as an IP packet, classified, and when it claims
// to be a GSO super-packet, planned and segmented; nothing may read out of bounds.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "tuntap/frame.h"
#include "tuntap/gso.h"
#include "tuntap/packet.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace emp::tuntap;
  if (size < kVnetHeaderSize) return 0;
  // The first bytes double as a vnet header for the segmentation path.
  const VnetHeader h = read_vnet_header(data);
  std::span<const uint8_t> stream(data + kVnetHeaderSize, size - kVnetHeaderSize);
  std::vector<uint8_t> out(2 * 65536 + 256);
  for (int frames = 0; frames < 64; ++frames) {
    auto f = next_frame(stream, 65535);
    if (!f || !*f) break;
    auto payload = (*f)->payload;
    stream = stream.subspan((*f)->consumed);
    auto info = parse_packet(payload);
    if (!info) continue;
    (void)is_link_scope(*info);
    std::vector<uint8_t> copy(payload.begin(), payload.end());
    if (h.needs_csum()) (void)complete_checksum(copy, h);
    if (!h.is_gso()) continue;
    auto plan = plan_segments(copy, h, *info);
    if (!plan || plan->header_len + plan->segment_payload > out.size()) continue;
    for (size_t i = 0; i < plan->count && i < 64; ++i) (void)build_segment(*plan, copy, i, out.data());
  }
  return 0;
}
