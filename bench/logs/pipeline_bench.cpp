// Pushes N lines through emp::logs::Pipeline to a file logger and prints how long it took
// until every line was in the file. Used by bench/logs.sh until (and besides) the emperor.
//
//   pipeline_bench direct N FILE TEMPLATE        the producer's bytes made in memory first, then
//                                                split, tagged and submitted: the pipeline
//                                                without the pipe
//   pipeline_bench pipe N FILE TEMPLATE CMD...   lines read from CMD's stdout through a pipe,
//                                                split and tagged as the emperor does
// TEMPLATE is a json encoder template, e.g. {"unix":${unix},"msg":"${msg}"}.
// Output (one line): mode=... lines=N seconds=S lines_per_sec=R cpu_seconds=C written=W dropped=D
#include <poll.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "config/log_spec.h"
#include "logs/line_splitter.h"
#include "logs/pipeline.h"
#include "sys/child.h"

namespace {

using namespace emp;
using Clock = std::chrono::steady_clock;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "pipeline_bench: %s\n", what.c_str());
  std::exit(1);
}

double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// The capture loop's half of backpressure: wait while the vassal's loggers are congested.
void wait_while_congested(logs::Pipeline& p, const std::string& vassal) {
  while (p.congested(vassal)) {
    pollfd pfd{p.wake_fd(), POLLIN, 0};
    ::poll(&pfd, 1, 100);
    uint64_t v;
    [[maybe_unused]] auto n = ::read(p.wake_fd(), &v, sizeof v);
  }
}

// The same lines as line_writer.cpp, without the newline.
std::string make_line(long i) {
  char line[256];
  const int len = std::snprintf(line, sizeof line,
                                "10.0.0.%ld - - \"GET /api/v1/items/%ld HTTP/1.1\" 200 %ld\t"
                                "rt=0.%03ld ua=\"bench/1.0\" seq=%ld",
                                i % 250, i, 512 + i % 4096, i % 1000, i);
  return std::string(line, static_cast<size_t>(len));
}

logs::Record record(std::string msg, int pid) {
  logs::Record r;
  r.time = std::chrono::system_clock::now();
  r.vassal = "bench";
  r.stream = logs::Stream::Stdout;
  r.pid = pid;
  r.msg = std::move(msg);
  return r;
}

// The producer's whole output, as it would sit in pipe buffers.
std::string make_stream(long n) {
  std::string all;
  all.reserve(static_cast<size_t>(n) * 110);
  for (long i = 0; i < n; ++i) {
    all += make_line(i);
    all += '\n';
  }
  return all;
}

// What the capture loop does with each read(): split, tag, submit.
void feed(logs::Pipeline& p, logs::LineSplitter& splitter, std::vector<logs::Line>& lines,
          std::string_view chunk, int pid) {
  lines.clear();
  splitter.feed(chunk, lines);
  for (auto& l : lines) {
    auto r = record(std::move(l.text), pid);
    r.continued = l.continued;
    p.submit(std::move(r));
  }
}

void run_direct(logs::Pipeline& p, const std::string& stream) {
  logs::LineSplitter splitter;
  std::vector<logs::Line> lines;
  constexpr size_t kChunk = 1 << 16;  // one pipe read
  for (size_t at = 0; at < stream.size(); at += kChunk) {
    wait_while_congested(p, "bench");
    feed(p, splitter, lines, std::string_view(stream).substr(at, kChunk), 1);
  }
  if (auto last = splitter.flush()) p.submit(record(std::move(*last), 1));
}

void run_pipe(logs::Pipeline& p, const std::vector<std::string>& argv) {
  auto pipe = sys::make_pipe();
  if (!pipe) die(pipe.error().message);
  sys::SpawnOptions opts;
  opts.argv = argv;
  opts.fds = {{pipe->write.get(), 1}};
  auto child = sys::Child::spawn(opts);
  if (!child) die(child.error().message);
  pipe->write.reset();
  logs::LineSplitter splitter;
  std::vector<logs::Line> lines;
  std::vector<char> buf(1 << 16);
  const int pid = child->pid();
  for (;;) {
    wait_while_congested(p, "bench");
    const ssize_t got = ::read(pipe->read.get(), buf.data(), buf.size());
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    feed(p, splitter, lines, std::string_view(buf.data(), static_cast<size_t>(got)), pid);
  }
  if (auto last = splitter.flush()) p.submit(record(std::move(*last), pid));
  auto status = child->wait();
  if (!status || !status->success()) die("producer failed");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) die("usage: pipeline_bench direct|pipe N FILE TEMPLATE [CMD...]");
  const std::string mode = argv[1];
  const long n = std::strtol(argv[2], nullptr, 10);
  const std::string file = argv[3];
  auto encoder = config::parse_log_encoder(std::string("json ") + argv[4]);
  if (!encoder) die(encoder.error().message);
  auto logger = config::parse_logger("file:" + file);
  if (!logger) die(logger.error().message);

  const std::string stream = mode == "direct" ? make_stream(n) : std::string();
  const auto t0 = Clock::now();
  const double cpu0 = cpu_seconds();
  uint64_t written = 0, dropped = 0;
  {
    auto p = logs::Pipeline::create({*encoder}, {*logger}, std::nullopt, "bench-host");
    if (!p) die(p.error().message);
    if (mode == "direct") {
      run_direct(**p, stream);
    } else if (mode == "pipe" && argc > 5) {
      run_pipe(**p, std::vector<std::string>(argv + 5, argv + argc));
    } else {
      die("unknown mode '" + mode + "'");
    }
    // Wait for the writer rather than the destructor's deadline: every line must land.
    for (;;) {
      const auto s = (*p)->stats()["loggers"][0];
      if (s["queued"] == 0) {
        written = s["written"];
        dropped = s["dropped"];
        break;
      }
      ::usleep(200);
    }
  }
  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  const double cpu = cpu_seconds() - cpu0;
  std::printf(
      "mode=%s lines=%ld seconds=%.3f lines_per_sec=%.0f cpu_seconds=%.3f written=%llu "
      "dropped=%llu\n",
      mode.c_str(), n, secs, static_cast<double>(n) / secs, cpu,
      static_cast<unsigned long long>(written), static_cast<unsigned long long>(dropped));
  return written == static_cast<uint64_t>(n) ? 0 : 1;
}
