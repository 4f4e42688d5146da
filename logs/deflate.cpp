#include "logs/deflate.h"

#include <zlib.h>

#include <cstring>

namespace emp::logs {

struct Deflater::Stream {
  z_stream z{};
  bool ready = false;
  ~Stream() {
    if (ready) deflateEnd(&z);
  }
};

Deflater::Deflater(Framing framing) : framing_(framing) {}
Deflater::~Deflater() = default;
Deflater::Deflater(Deflater&&) noexcept = default;
Deflater& Deflater::operator=(Deflater&&) noexcept = default;

bool Deflater::compress(std::string_view in, std::string& out) {
  if (!stream_) {
    auto s = std::make_unique<Stream>();
    // windowBits 15 + 16 asks zlib for gzip framing.
    const int bits = framing_ == Framing::Gzip ? 15 + 16 : 15;
    if (deflateInit2(&s->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, bits, 8, Z_DEFAULT_STRATEGY) != Z_OK)
      return false;
    s->ready = true;
    stream_ = std::move(s);
  } else if (deflateReset(&stream_->z) != Z_OK) {
    return false;
  }
  z_stream& z = stream_->z;
  const size_t base = out.size();
  const auto bound = deflateBound(&z, static_cast<uLong>(in.size()));
  out.resize(base + bound);
  // zlib's API takes non-const input pointers but never writes through next_in.
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data() + base);
  z.avail_out = static_cast<uInt>(bound);
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
    out.resize(base);
    return false;
  }
  out.resize(base + (bound - z.avail_out));
  return true;
}

bool inflate_all(std::string_view in, std::string& out) {
  while (!in.empty()) {
    z_stream z{};
    if (inflateInit2(&z, 15 + 32) != Z_OK) return false;  // +32: detect gzip or zlib
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    int rc = Z_OK;
    char buf[16384];
    while (rc == Z_OK) {
      z.next_out = reinterpret_cast<Bytef*>(buf);
      z.avail_out = sizeof buf;
      rc = inflate(&z, Z_NO_FLUSH);
      if (rc == Z_OK || rc == Z_STREAM_END) out.append(buf, sizeof buf - z.avail_out);
      if (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0) rc = Z_DATA_ERROR;  // truncated
    }
    const size_t used = in.size() - z.avail_in;
    inflateEnd(&z);
    if (rc != Z_STREAM_END) return false;
    in.remove_prefix(used);
  }
  return true;
}

}  // namespace emp::logs
