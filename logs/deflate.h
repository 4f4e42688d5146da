// One reusable zlib deflate stream, for the gzip and compress encoders.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace emp::logs {

class Deflater {
 public:
  enum class Framing { Gzip, Zlib };  // RFC 1952 member (gzip -d reads it) or RFC 1950 stream
  explicit Deflater(Framing framing);
  ~Deflater();
  Deflater(Deflater&&) noexcept;
  Deflater& operator=(Deflater&&) noexcept;

  // Appends `in` compressed as one complete member/stream to out. False only when zlib cannot
  // get memory; out is then unchanged.
  bool compress(std::string_view in, std::string& out);

 private:
  struct Stream;
  Framing framing_;
  std::unique_ptr<Stream> stream_;  // made on first use: a deflate state is ~256 KiB
};

// Inflates every member or stream in `in` (gzip or zlib framing, detected), for tests and tools.
// False on corrupt or truncated input.
bool inflate_all(std::string_view in, std::string& out);

}  // namespace emp::logs
