#include <doctest/doctest.h>

#include <vector>

#include "tuntap/frame.h"

using namespace emp::tuntap;

namespace {
std::vector<uint8_t> frame_bytes(uint8_t m1, uint16_t len, uint8_t m2, size_t body) {
  std::vector<uint8_t> b = {m1, static_cast<uint8_t>(len & 0xff), static_cast<uint8_t>(len >> 8), m2};
  b.resize(4 + body, 0xab);
  return b;
}
}  // namespace

TEST_CASE("frame header encodes uWSGI's layout: modifier1 0, u16 little-endian, modifier2") {
  uint8_t h[4];
  encode_frame_header(h, FrameKind::Packet, 0x1234);
  CHECK(h[0] == 0);
  CHECK(h[1] == 0x34);
  CHECK(h[2] == 0x12);
  CHECK(h[3] == 0);
  encode_frame_header(h, FrameKind::Rules, 1);
  CHECK(h[3] == 1);
}

TEST_CASE("next_frame returns whole frames and waits for partial ones") {
  auto b = frame_bytes(0, 300, 0, 300);
  for (size_t cut = 0; cut < b.size(); ++cut) {
    auto r = next_frame({b.data(), cut}, 1500);
    REQUIRE(r);
    CHECK_FALSE(r->has_value());
  }
  auto r = next_frame(b, 1500);
  REQUIRE(r);
  REQUIRE(r->has_value());
  CHECK((*r)->kind == FrameKind::Packet);
  CHECK((*r)->payload.size() == 300);
  CHECK((*r)->payload.data() == b.data() + 4);
  CHECK((*r)->consumed == 304);
}

TEST_CASE("next_frame reads back-to-back frames one at a time") {
  auto b = frame_bytes(0, 2, 0, 2);
  auto c = frame_bytes(0, 3, 1, 3);
  b.insert(b.end(), c.begin(), c.end());
  auto first = next_frame(b, 100);
  REQUIRE(first);
  REQUIRE(first->has_value());
  CHECK((*first)->consumed == 6);
  auto second = next_frame(std::span(b).subspan(6), 100);
  REQUIRE(second);
  REQUIRE(second->has_value());
  CHECK((*second)->kind == FrameKind::Rules);
  CHECK((*second)->payload.size() == 3);
}

TEST_CASE("next_frame refuses what is not a uWSGI frame, from the header alone") {
  auto check_error = [](std::vector<uint8_t> b, size_t limit, const char* message) {
    auto r = next_frame(b, limit);
    REQUIRE_FALSE(r);
    CHECK(r.error().message == message);
  };
  check_error(frame_bytes(7, 10, 0, 0), 1500, "invalid frame header: modifier1 is 7 (expected 0)");
  check_error(frame_bytes(0, 10, 9, 0), 1500,
              "invalid frame header: modifier2 is 9 (expected 0 for a packet or 1 for rules)");
  check_error(frame_bytes(0, 0, 0, 0), 1500, "invalid frame header: empty frame");
  check_error(frame_bytes(0, 9000, 0, 0), 1500, "invalid frame header: length 9000 exceeds the limit of 1500");
  check_error(frame_bytes(0, 65535, 0, 0), 16384, "invalid frame header: length 65535 exceeds the limit of 16384");
  check_error({0x45, 0x00, 0x00, 0x54}, 1500,  // a raw IPv4 header instead of a frame
              "invalid frame header: modifier1 is 69 (expected 0)");
}

TEST_CASE("a frame at exactly the limit is accepted") {
  auto b = frame_bytes(0, 1500, 0, 1500);
  auto r = next_frame(b, 1500);
  REQUIRE(r);
  CHECK(r->has_value());
}
