// Pipeline tests: real writer threads, temp files, FIFOs, pipes and datagram sockets; no root.
#include "logs/pipeline.h"

#include "logs/deflate.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

using namespace emp::logs;
using namespace std::chrono;
using emp::config::LogEncoderSpec;
using emp::config::LoggerSpec;

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/emp-logs-test-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string operator/(const std::string& name) const { return path + "/" + name; }
};

std::vector<LogEncoderSpec> encoders(std::initializer_list<std::string> texts) {
  std::vector<LogEncoderSpec> out;
  for (const auto& t : texts) {
    auto e = emp::config::parse_log_encoder(t);
    REQUIRE_MESSAGE(e.has_value(), t);
    out.push_back(*e);
  }
  return out;
}

std::vector<LoggerSpec> loggers(std::initializer_list<std::string> texts) {
  std::vector<LoggerSpec> out;
  for (const auto& t : texts) {
    auto l = emp::config::parse_logger(t);
    REQUIRE_MESSAGE(l.has_value(), t);
    out.push_back(*l);
  }
  return out;
}

// Quick reports; a stall needs 2 s without progress, so a loaded machine never fakes one.
PipelineOptions fast_options() {
  PipelineOptions o;
  o.report_interval = milliseconds(100);
  o.stall_timeout = milliseconds(2000);
  o.shutdown_timeout = milliseconds(2000);
  return o;
}

std::unique_ptr<Pipeline> make(const std::vector<LogEncoderSpec>& enc,
                               const std::vector<LoggerSpec>& log,
                               std::optional<std::string> logto = std::nullopt,
                               PipelineOptions o = fast_options()) {
  auto p = Pipeline::create(enc, log, std::move(logto), "box", std::move(o));
  REQUIRE_MESSAGE(p.has_value(), (p ? "" : p.error().message));
  return std::move(*p);
}

Record rec(std::string msg, std::string vassal = "web", Stream s = Stream::Stdout) {
  Record r;
  r.time = system_clock::now();
  r.vassal = std::move(vassal);
  r.stream = s;
  r.pid = 42;
  r.level = default_level(s);
  r.msg = std::move(msg);
  return r;
}

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::vector<std::string> lines_of(const std::string& path) {
  std::vector<std::string> out;
  std::ifstream f(path);
  for (std::string line; std::getline(f, line);) out.push_back(line);
  return out;
}

template <class F>
bool wait_until(F&& pred, milliseconds timeout = milliseconds(5000)) {
  const auto deadline = steady_clock::now() + timeout;
  while (steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(milliseconds(2));
  }
  return pred();
}

nlohmann::json logger_stats(const Pipeline& p, const std::string& name,
                            const std::string& vassal = "") {
  const auto stats = p.stats();
  for (const auto& l : stats["loggers"])
    if (l["logger"] == name && l["vassal"] == vassal) return l;
  return {};
}

// What the emperor's capture loop does: stop feeding while congested, resume on wake_fd.
void submit_with_backpressure(Pipeline& p, Record&& r) {
  const auto deadline = steady_clock::now() + seconds(20);
  while (p.congested(r.vassal) && steady_clock::now() < deadline) {
    pollfd pfd{p.wake_fd(), POLLIN, 0};
    ::poll(&pfd, 1, 50);
    uint64_t v;
    [[maybe_unused]] auto n = ::read(p.wake_fd(), &v, sizeof v);
  }
  p.submit(std::move(r));
}

}  // namespace

TEST_CASE("a million lines through json to a file sink: none lost, in order") {
  TempDir dir;
  const std::string path = dir / "million.log";
  constexpr int kLines = 1'000'000;
  {
    auto p = make(encoders({R"(json {"n":${msg},"v":"${vassal}","t":${micros}})"}),
                  loggers({"file:" + path}));
    for (int i = 0; i < kLines; ++i) submit_with_backpressure(*p, rec(std::to_string(i)));
    REQUIRE(wait_until([&] { return logger_stats(*p, "file")["written"] == kLines; },
                       milliseconds(20000)));
    const auto s = logger_stats(*p, "file");
    CHECK(s["dropped"] == 0);
    CHECK(s["queued"] == 0);
    CHECK(s["errors"] == 0);
    CHECK(p->stats()["submitted"] == kLines);
  }
  std::ifstream f(path);
  int expected = 0;
  bool in_order = true;
  for (std::string line; std::getline(f, line); ++expected) {
    // The json encoder quotes ${msg} outside a string: "n":"123".
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || j["n"] != std::to_string(expected)) {
      in_order = false;
      break;
    }
  }
  CHECK(in_order);
  CHECK(expected == kLines);
}

TEST_CASE("without backpressure a full queue drops, and every record is accounted for") {
  TempDir dir;
  const std::string path = dir / "small.log";
  auto o = fast_options();
  o.queue_records = 64;
  constexpr int kLines = 200'000;
  uint64_t written = 0;
  {
    auto p = make({}, loggers({"file:" + path}), std::nullopt, o);
    for (int i = 0; i < kLines; ++i) p->submit(rec("line " + std::to_string(i)));
    REQUIRE(wait_until([&] { return logger_stats(*p, "file")["queued"] == 0; }));
    const auto s = logger_stats(*p, "file");
    CHECK(s["received"] == kLines);
    CHECK(s["written"].get<uint64_t>() + s["dropped"].get<uint64_t>() == kLines);
    CHECK(s["dropped"].get<uint64_t>() > 0);
    written = s["written"];
  }
  CHECK(lines_of(path).size() == written);
}

TEST_CASE("the destructor writes what is still queued") {
  TempDir dir;
  const std::string path = dir / "drain.log";
  {
    auto p = make({}, loggers({"file:" + path}));
    for (int i = 0; i < 50'000; ++i) p->submit(rec("line " + std::to_string(i)));
  }
  const auto lines = lines_of(path);
  REQUIRE(lines.size() == 50'000);
  CHECK(lines.front() == "line 0");
  CHECK(lines.back() == "line 49999");
}

TEST_CASE("a blocked sink stalls neither submit() nor the other sinks, and its drops are counted") {
  TempDir dir;
  const std::string fifo = dir / "blocked.fifo";
  const std::string path = dir / "healthy.log";
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  // A reader that never reads: the writer's pipe fills and stays full.
  const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  REQUIRE(reader >= 0);
  auto o = fast_options();
  o.queue_records = 1000;
  o.stall_timeout = milliseconds(300);
  o.shutdown_timeout = milliseconds(200);
  constexpr int kLines = 100'000;
  nanoseconds worst_submit{0};
  const auto started = steady_clock::now();
  std::string healthy;
  {
    // ${vassal}|: the report is the emperor's line like any other it writes.
    auto p = make(encoders({"format ${vassal}|${msg}"}),
                  loggers({"stuck file:" + fifo, "main file:" + path}), std::nullopt, o);
    for (int i = 0; i < kLines; ++i) {
      Record r = rec("line " + std::to_string(i));
      const auto t0 = steady_clock::now();
      submit_with_backpressure(*p, std::move(r));
      worst_submit = std::max(worst_submit, steady_clock::now() - t0);
    }
    REQUIRE(
        wait_until([&] { return logger_stats(*p, "main")["written"] >= kLines; }));  // + reports
    const auto stuck = logger_stats(*p, "stuck");
    CHECK(stuck["dropped"].get<uint64_t>() > 0);
    CHECK(stuck["written"].get<uint64_t>() < kLines);
    CHECK(logger_stats(*p, "main")["dropped"] == 0);
    // The periodic report reaches the healthy logger.
    REQUIRE(wait_until([&] { return slurp(path).find("logger 'stuck'") != std::string::npos; }));
    const auto t_destroy = steady_clock::now();
    p.reset();
    CHECK(steady_clock::now() - t_destroy < milliseconds(1500));  // bounded by shutdown_timeout
  }
  ::close(reader);
  // Backpressure may wait on the stuck sink until it is declared stalled (stall_timeout), once.
  CHECK(worst_submit < milliseconds(1000));
  CHECK(steady_clock::now() - started < seconds(20));
  const auto lines = lines_of(path);
  size_t data = 0;
  std::string report;
  for (const auto& l : lines) {
    if (l.rfind("web|line ", 0) == 0)
      ++data;
    else if (l.find("logger 'stuck'") != std::string::npos)
      report = l;
  }
  CHECK(data == kLines);
  CHECK(report.find("emperor|logger 'stuck' (" + fifo + "): dropped ") == 0);
  CHECK(report.find(" in total)") != std::string::npos);
}

TEST_CASE("submit() alone never waits on a blocked sink") {
  TempDir dir;
  const std::string fifo = dir / "blocked.fifo";
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  REQUIRE(reader >= 0);
  auto o = fast_options();
  o.queue_records = 100;
  o.stall_timeout = milliseconds(300);
  o.shutdown_timeout = milliseconds(100);
  {
    auto p = make({}, loggers({"file:" + fifo}), std::nullopt, o);
    // Nobody reads the FIFO: a submit() that waited on the writer would never return.
    nanoseconds worst{0};
    for (int i = 0; i < 50'000; ++i) {
      const auto t0 = steady_clock::now();
      p->submit(rec(std::string(200, 'x')));
      worst = std::max(worst, steady_clock::now() - t0);
    }
    CHECK(worst < milliseconds(500));  // scheduling noise only
    CHECK(logger_stats(*p, "file")["dropped"].get<uint64_t>() > 40'000);
    // Congestion is reported while the sink may still move, then not once it is stalled.
    REQUIRE(wait_until([&] { return !p->congested("web"); }, milliseconds(3000)));
  }
  ::close(reader);
}

TEST_CASE("congested() and wake_fd: a slow reader makes the producer wait, not drop") {
  TempDir dir;
  const std::string fifo = dir / "slow.fifo";
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  REQUIRE(reader >= 0);
  std::atomic<bool> done{false};
  std::atomic<size_t> got{0};
  std::thread slow([&] {  // reads in small sips with pauses shorter than stall_timeout
    char buf[4096];
    while (!done) {
      const auto n = ::read(reader, buf, sizeof buf);
      if (n > 0) got += static_cast<size_t>(n);
      std::this_thread::sleep_for(milliseconds(1));
    }
  });
  struct Joiner {
    std::atomic<bool>& done;
    std::thread& t;
    int fd;
    ~Joiner() {
      done = true;
      t.join();
      ::close(fd);
    }
  } joiner{done, slow, reader};
  auto o = fast_options();
  o.queue_records = 200;
  constexpr int kLines = 20'000;
  {
    auto p = make({}, loggers({"file:" + fifo}), std::nullopt, o);
    for (int i = 0; i < kLines; ++i) submit_with_backpressure(*p, rec("0123456789"));
    REQUIRE(wait_until([&] { return logger_stats(*p, "file")["queued"] == 0; }, seconds(20)));
    CHECK(logger_stats(*p, "file")["dropped"] == 0);
    CHECK(logger_stats(*p, "file")["written"] == kLines);
  }
  CHECK(wait_until([&] { return got.load() == kLines * 11u; }, seconds(10)));
}

TEST_CASE("syslog: priority and facility seen by a test datagram socket") {
  TempDir dir;
  const std::string sock = dir / "log.sock";
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", sock.c_str());
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  auto o = fast_options();
  o.syslog_socket = sock;
  {
    auto p = make(encoders({"prefix:fixed [f] "}),
                  loggers({"syslog", "fixed syslog:myapp,local3,warning"}), std::nullopt, o);
    p->submit(rec("hello"));
    p->submit(rec("oops", "web", Stream::Stderr));
    Record own = rec("emperor says", "", Stream::Emperor);
    own.pid = 1;
    p->submit(std::move(own));
  }
  std::vector<std::string> got;
  char buf[65536];
  for (;;) {
    const auto n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0) break;
    got.emplace_back(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  REQUIRE(got.size() == 6);
  std::vector<std::string> plain, fixed;
  for (const auto& g : got) (g.find("myapp") != std::string::npos ? fixed : plain).push_back(g);
  REQUIRE(plain.size() == 3);
  REQUIRE(fixed.size() == 3);
  // Default: daemon (3), the record's severity; ident = the vassal, or emperor.
  CHECK(plain[0].rfind("<30>", 0) == 0);  // 3*8+6
  CHECK(plain[0].substr(19) == " web[42]: hello");
  CHECK(plain[1].rfind("<27>", 0) == 0);  // 3*8+3
  CHECK(plain[1].substr(19) == " web[42]: oops");
  CHECK(plain[2].substr(19) == " emperor[1]: emperor says");
  // local3 (19), warning (4) for every record: 19*8+4 = 156.
  for (const auto& f : fixed) CHECK(f.rfind("<156>", 0) == 0);
  CHECK(fixed[0].substr(20) == " myapp[42]: [f] hello");
  for (const auto& g : got) CHECK(g.back() != '\n');
}

TEST_CASE("syslog: a socket missing at start is connected later") {
  TempDir dir;
  const std::string sock = dir / "late.sock";
  auto o = fast_options();
  o.syslog_socket = sock;
  auto p = make({}, loggers({"syslog"}), std::nullopt, o);
  CHECK(logger_stats(*p, "syslog")["errors"] == 1);
  CHECK(logger_stats(*p, "syslog")["last_error"] ==
        "connect '" + sock + "': No such file or directory");
  p->submit(rec("lost"));
  REQUIRE(wait_until([&] { return logger_stats(*p, "syslog")["dropped"] == 1; }));
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", sock.c_str());
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  p->submit(rec("found"));
  REQUIRE(wait_until([&] { return logger_stats(*p, "syslog")["written"] == 1; }));
  char buf[1024];
  const auto n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
  REQUIRE(n > 0);
  CHECK(std::string(buf, static_cast<size_t>(n)).find("web[42]: found") != std::string::npos);
  p.reset();
  ::close(fd);
}

TEST_CASE("reopen after rename: logrotate") {
  TempDir dir;
  const std::string path = dir / "app.log";
  auto p = make({}, loggers({"file:" + path}));
  for (int i = 0; i < 10; ++i) p->submit(rec("before " + std::to_string(i)));
  REQUIRE(wait_until([&] { return logger_stats(*p, "file")["written"] == 10; }));
  REQUIRE(std::rename(path.c_str(), (path + ".1").c_str()) == 0);
  p->submit(rec("late for the old file"));  // written before reopen: goes to the renamed file
  REQUIRE(wait_until([&] { return logger_stats(*p, "file")["written"] == 11; }));
  REQUIRE(p->reopen().has_value());
  for (int i = 0; i < 10; ++i) p->submit(rec("after " + std::to_string(i)));
  p.reset();
  const auto old_lines = lines_of(path + ".1");
  const auto new_lines = lines_of(path);
  REQUIRE(old_lines.size() == 11);
  CHECK(old_lines[0] == "before 0");
  CHECK(old_lines[10] == "late for the old file");
  REQUIRE(new_lines.size() == 10);
  CHECK(new_lines[0] == "after 0");
  CHECK(new_lines[9] == "after 9");
}

TEST_CASE("reopen reports a file it cannot open and keeps writing to the old one") {
  TempDir dir;
  const std::string sub = dir / "sub";
  std::filesystem::create_directory(sub);
  const std::string path = sub + "/app.log";
  auto p = make({}, loggers({"file:" + path}));
  std::filesystem::rename(sub, dir / "moved");
  auto r = p->reopen();
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message == "reopen log file '" + path + "': No such file or directory");
  p->submit(rec("still here"));
  p.reset();
  CHECK(lines_of(dir / "moved/app.log") == std::vector<std::string>{"still here"});
}

TEST_CASE("stderr: <N> priority prefix for journald, on a pipe") {
  int fds[2];
  REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
  auto o = fast_options();
  o.stderr_fd = fds[1];
  {
    auto p = make({}, {}, std::nullopt, o);  // no logger at all: stderr
    p->submit(rec("out"));
    p->submit(rec("err", "web", Stream::Stderr));
    Record warn = rec("careful", "", Stream::Emperor);
    warn.level = 4;
    p->submit(std::move(warn));
  }
  ::close(fds[1]);
  std::string got;
  char buf[4096];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;)
    got.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  CHECK(got == "<6>out\n<3>err\n<4>careful\n");
}

TEST_CASE("stderr: a socket (journald's stream) is written with non-blocking sends") {
  int sv[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
  auto o = fast_options();
  o.stderr_fd = sv[0];
  {
    auto p = make(encoders({"format ${vassal}: ${msg}"}), loggers({"stderr"}), std::nullopt, o);
    p->submit(rec("hi"));
  }
  ::close(sv[0]);
  char buf[256];
  const auto n = ::read(sv[1], buf, sizeof buf);
  ::close(sv[1]);
  REQUIRE(n > 0);
  CHECK(std::string(buf, static_cast<size_t>(n)) == "<6>web: hi\n");
}

TEST_CASE("the stderr sink leaves the emperor's own stderr description blocking") {
  int fds[2];
  REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
  auto o = fast_options();
  o.stderr_fd = fds[1];
  {
    auto p = make({}, {}, std::nullopt, o);
    CHECK((::fcntl(fds[1], F_GETFL) & O_NONBLOCK) == 0);
  }
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST_CASE("every logger gets each record, each through its own chain") {
  TempDir dir;
  const std::string a = dir / "a.log", b = dir / "b.log";
  {
    auto p = make(encoders({"prefix:a A:", R"(json:b {"m":"${msg}"})"}),
                  loggers({"a file:" + a, "b file:" + b}));
    p->submit(rec("one"));
    p->submit(rec("two"));
  }
  CHECK(lines_of(a) == std::vector<std::string>{"A:one", "A:two"});
  CHECK(lines_of(b) == std::vector<std::string>{R"({"m":"one"})", R"({"m":"two"})"});
}

TEST_CASE("logto is the file logger named file") {
  TempDir dir;
  const std::string path = dir / "logto.log";
  {
    auto p = make(encoders({"prefix:file [f]"}), {}, path);
    p->submit(rec("x"));
    CHECK(logger_stats(*p, "file")["target"] == path);
  }
  CHECK(lines_of(path) == std::vector<std::string>{"[f]x"});
}

TEST_CASE("create: errors name what is wrong") {
  PipelineOptions o = fast_options();
  auto r = Pipeline::create({}, loggers({"file:/nonexistent-dir/x.log"}), std::nullopt, "box", o);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message == "open log file '/nonexistent-dir/x.log': No such file or directory");
  r = Pipeline::create(encoders({"prefix:nope x"}), {}, std::nullopt, "box", o);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message ==
        "log-encoder 'prefix:nope x' names logger 'nope', which is not defined");
  r = Pipeline::create(encoders({"json ${msg} x"}), {}, std::nullopt, "box", o);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message ==
        "invalid log-encoder 'json ${msg} x': the template does not yield valid JSON, e.g. "
        "\"hello\" x");
}

TEST_CASE("vassals: own loggers, own encoders, or the emperor's") {
  TempDir dir;
  const std::string main_log = dir / "emperor.log", own = dir / "own.log";
  {
    auto p = make(encoders({"format E ${vassal}: ${msg}"}), loggers({"file:" + main_log}));
    REQUIRE(p->configure_vassal("own", encoders({"format O ${msg}"}), loggers({"file:" + own}),
                                std::nullopt)
                .has_value());
    REQUIRE(p->configure_vassal("enc", encoders({"format V ${vassal}: ${msg}"}), {}, std::nullopt)
                .has_value());
    REQUIRE(p->configure_vassal("plain", {}, {}, std::nullopt).has_value());
    p->submit(rec("1", "own"));
    p->submit(rec("2", "enc"));
    p->submit(rec("3", "plain"));
    p->submit(rec("4", "unknown"));
    p->submit(rec("5", "", Stream::Emperor));
    CHECK(logger_stats(*p, "file", "own")["target"] == own);
  }
  CHECK(lines_of(own) == std::vector<std::string>{"O 1"});
  CHECK(lines_of(main_log) ==
        std::vector<std::string>{"V enc: 2", "E plain: 3", "E unknown: 4", "E : 5"});
}

TEST_CASE("the emperor's own messages never take a vassal's route, whatever their name") {
  TempDir dir;
  const std::string main_log = dir / "emperor.log", own = dir / "own.log";
  {
    auto p = make({}, loggers({"file:" + main_log}));
    REQUIRE(p->configure_vassal("emperor", {}, {}, own).has_value());
    p->submit(rec("from the emperor", "emperor", Stream::Emperor));
    p->submit(rec("from the vassal named emperor", "emperor"));
  }
  CHECK(lines_of(main_log) == std::vector<std::string>{"from the emperor"});
  CHECK(lines_of(own) == std::vector<std::string>{"from the vassal named emperor"});
}

TEST_CASE("vassals: remove and reconfigure") {
  TempDir dir;
  const std::string main_log = dir / "emperor.log", own = dir / "own.log",
                    other = dir / "other.log";
  {
    auto p = make({}, loggers({"file:" + main_log}));
    REQUIRE(p->configure_vassal("web", {}, {}, own).has_value());
    p->submit(rec("a", "web"));
    // Same loggers, new encoders: the file stays open, the chain changes.
    REQUIRE(p->configure_vassal("web", encoders({"prefix >"}), {}, own).has_value());
    p->submit(rec("b", "web"));
    REQUIRE(p->configure_vassal("web", {}, loggers({"file:" + other}), std::nullopt).has_value());
    p->submit(rec("c", "web"));
    p->remove_vassal("web");
    p->remove_vassal("never-configured");
    p->submit(rec("d", "web"));
    REQUIRE(wait_until([&] { return logger_stats(*p, "file", "web").is_null(); }));
  }
  CHECK(lines_of(own) == std::vector<std::string>{"a", ">b"});
  CHECK(lines_of(other) == std::vector<std::string>{"c"});
  CHECK(lines_of(main_log) == std::vector<std::string>{"d"});
}

TEST_CASE("vassals: configuration errors leave the old routing in place") {
  TempDir dir;
  const std::string main_log = dir / "emperor.log", own = dir / "own.log";
  auto p = make({}, loggers({"file:" + main_log}));
  REQUIRE(p->configure_vassal("web", {}, {}, own).has_value());
  auto r = p->configure_vassal("web", {}, loggers({"file:/nonexistent-dir/x.log"}), std::nullopt);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message ==
        "configure logs of vassal 'web': open log file '/nonexistent-dir/x.log': No such file or "
        "directory");
  r = p->configure_vassal("web", encoders({"prefix:syslog x"}), {}, std::nullopt);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message ==
        "configure logs of vassal 'web': log-encoder 'prefix:syslog x' names logger 'syslog', "
        "which is not defined");
  r = p->configure_vassal("web", encoders({"json {${msg}}"}), {}, own);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.rfind(
            "configure logs of vassal 'web': invalid log-encoder 'json {${msg}}'", 0) == 0);
  p->submit(rec("still routed", "web"));
  p.reset();
  CHECK(lines_of(own) == std::vector<std::string>{"still routed"});
}

TEST_CASE("vassal encoders may name the emperor's loggers") {
  TempDir dir;
  const std::string a = dir / "a.log", b = dir / "b.log";
  {
    auto p = make({}, loggers({"a file:" + a, "b file:" + b}));
    REQUIRE(p->configure_vassal("web", encoders({"prefix:b B:"}), {}, std::nullopt).has_value());
    p->submit(rec("x", "web"));
  }
  CHECK(lines_of(a) == std::vector<std::string>{"x"});
  CHECK(lines_of(b) == std::vector<std::string>{"B:x"});
}

TEST_CASE("reconfiguring while lines flow neither crashes nor loses lines to healthy sinks") {
  TempDir dir;
  const std::string main_log = dir / "emperor.log";
  constexpr int kRounds = 200, kPerRound = 500;
  {
    auto p = make({}, loggers({"file:" + main_log}));
    for (int round = 0; round < kRounds; ++round) {
      // gzip: each chain owns a zlib stream, so a chain freed too early would be a use after free.
      const auto chain = encoders({"format " + std::to_string(round) + " ${msg}", "gzip"});
      REQUIRE(p->configure_vassal("web", chain, {}, std::nullopt).has_value());
      for (int i = 0; i < kPerRound; ++i) submit_with_backpressure(*p, rec("x", "web"));
      if (round % 3 == 0) p->remove_vassal("web");
    }
    REQUIRE(wait_until([&] { return logger_stats(*p, "file")["queued"] == 0; }, seconds(20)));
    CHECK(logger_stats(*p, "file")["written"] == kRounds * kPerRound);
    CHECK(logger_stats(*p, "file")["dropped"] == 0);
  }
  std::string text;
  REQUIRE(inflate_all(slurp(main_log), text));
  CHECK(std::count(text.begin(), text.end(), '\n') == kRounds * kPerRound);
  CHECK(text.rfind(std::to_string(kRounds - 1) + " x\n") == text.size() - 6);
}

TEST_CASE("stats: one entry per logger with its counters") {
  TempDir dir;
  auto p = make({}, loggers({"file:" + (dir / "s.log")}));
  p->submit(rec("hello"));
  REQUIRE(wait_until([&] { return logger_stats(*p, "file")["written"] == 1; }));
  const auto s = p->stats();
  CHECK(s["submitted"] == 1);
  REQUIRE(s["loggers"].size() == 1);
  const auto& l = s["loggers"][0];
  CHECK(l["vassal"] == "");
  CHECK(l["logger"] == "file");
  CHECK(l["type"] == "file");
  CHECK(l["target"] == dir / "s.log");
  CHECK(l["received"] == 1);
  CHECK(l["written"] == 1);
  CHECK(l["dropped"] == 0);
  CHECK(l["queued"] == 0);
  CHECK(l["errors"] == 0);
  CHECK(l["bytes"] == 6);
  CHECK_FALSE(l.contains("last_error"));
}

TEST_CASE("write errors are counted and reported with their reason") {
  // /dev/full fails every write with ENOSPC.
  auto o = fast_options();
  TempDir dir;
  const std::string ok_log = dir / "ok.log";
  auto p = make({}, loggers({"full file:/dev/full", "ok file:" + ok_log}), std::nullopt, o);
  p->submit(rec("lost"));
  REQUIRE(wait_until([&] { return logger_stats(*p, "full")["errors"] == 1; }));
  const auto s = logger_stats(*p, "full");
  CHECK(s["dropped"] == 1);
  CHECK(s["last_error"] == "write '/dev/full': No space left on device");
  REQUIRE(wait_until([&] { return slurp(ok_log).find("logger 'full'") != std::string::npos; }));
  CHECK(
      slurp(ok_log).find("logger 'full' (/dev/full): dropped 1 lines in the last 1 s (1 in total), "
                         "1 write errors, last: write '/dev/full': No space left on device") !=
      std::string::npos);
}
