// Child::spawn's fd hand-over while the caller holds many fds: the child gets exactly the
// fds it was handed, at the numbers asked, whichever way spawn took (the low slots of
// sys/fd_slots.h, a copy of the whole table, or the copy after a slot was disturbed), and
// the caller's table is left as it was. Real processes (/bin/sh, ls, readlink); no root.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "sys/child.h"
#include "sys/fd_slots.h"
#include "sys/unique_fd.h"

namespace emp::sys {
namespace {

std::set<int> open_fds() {
  std::set<int> out;
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) out.insert(std::stoi(e.path().filename()));
  return out;  // includes the directory's own fd, the same one each time
}

std::string pipe_name(int fd) {
  struct stat st {};
  REQUIRE(::fstat(fd, &st) == 0);
  return "pipe:[" + std::to_string(st.st_ino) + "]";
}

struct Pipe {
  UniqueFd r, w;
  Pipe() {
    int p[2];
    REQUIRE(::pipe2(p, O_CLOEXEC) == 0);
    r.reset(p[0]);
    w.reset(p[1]);
  }
};

// Runs `script` with `handed` (fd in us, number in the child) plus its stdout on a pipe;
// returns what it printed.
std::string run(const std::string& script, std::vector<std::pair<int, int>> handed) {
  Pipe out;
  SpawnOptions o;
  o.argv = {"/bin/sh", "-c", script};
  handed.emplace_back(out.w.get(), 1);
  o.fds = handed;
  auto child = Child::spawn(o);
  REQUIRE_MESSAGE(child.has_value(), (child ? "" : child.error().message));
  out.w.reset();
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = ::read(out.r.get(), buf, sizeof buf)) > 0;) text.append(buf, static_cast<size_t>(n));
  auto status = child->wait();
  REQUIRE(status.has_value());
  CHECK(status->code == 0);
  return text;
}

// The fd numbers above stdio that the shell holds, as `ls` (its child: the same table at
// exec) lists them, with the one fd ls opens to read the directory.
std::set<int> child_fds(const std::vector<std::pair<int, int>>& handed) {
  std::istringstream in(run("ls /proc/self/fd", handed));
  std::set<int> seen;
  for (std::string word; in >> word;)
    if (const int fd = std::stoi(word); fd > 2) seen.insert(fd);
  return seen;
}

TEST_CASE("a child gets the fds it was handed, at their numbers, and none of ours") {
  // The slots are reserved by the first spawn, while our table is still small, as in the
  // emperor; the fds opened after it stand for 500 vassals' pipes and sockets.
  // Whatever the test runner left us without close-on-exec would reach every child.
  REQUIRE(::close_range(3, ~0u, CLOSE_RANGE_CLOEXEC) == 0);
  (void)run("true", {});
  std::vector<Pipe> crowd(300);
  const std::set<int> before = open_fds();

  SUBCASE("through the slots, targets on the slots' own numbers") {
    std::unique_lock<std::mutex> lock;
    FdSlots* slots = FdSlots::acquire(lock);
    REQUIRE(slots != nullptr);
    const int s0 = slots->slot(0), s1 = slots->slot(1);
    lock.unlock();
    Pipe a, b;
    // a lands where b was staged and the other way round: spawn must lift both first.
    const std::vector<std::pair<int, int>> handed{{a.r.get(), s1}, {b.r.get(), s0}, {crowd[7].r.get(), 5}};
    const std::string names = run("readlink /proc/self/fd/" + std::to_string(s1) + " /proc/self/fd/" +
                                      std::to_string(s0) + " /proc/self/fd/5",
                                  handed);
    CHECK(names == pipe_name(a.r.get()) + "\n" + pipe_name(b.r.get()) + "\n" + pipe_name(crowd[7].r.get()) + "\n");
    const auto fds = child_fds(handed);
    CHECK(fds.size() == 3 + 1);  // s1, s0, 5, and ls's directory
    CHECK(fds.count(s0) == 1);
    CHECK(fds.count(s1) == 1);
    CHECK(fds.count(5) == 1);
  }

  SUBCASE("more fds than slots: the whole table is copied and closed at exec") {
    std::vector<std::pair<int, int>> handed;
    for (int i = 0; i < static_cast<int>(FdSlots::kCount) + 2; ++i) handed.emplace_back(crowd[static_cast<size_t>(i)].r.get(), 3 + i);
    const auto fds = child_fds(handed);
    CHECK(fds.size() == handed.size() + 1);  // and ls's directory
    for (const auto& [from, to] : handed) CHECK(fds.count(to) == 1);
    CHECK(run("readlink /proc/self/fd/12", handed) == pipe_name(crowd[9].r.get()) + "\n");
  }

  // Last: it turns the slots off for the rest of this process.
  SUBCASE("a slot closed and reused by someone else: spawn copies, and leaves that fd alone") {
    std::unique_lock<std::mutex> lock;
    FdSlots* slots = FdSlots::acquire(lock);
    REQUIRE(slots != nullptr);
    const int s2 = slots->slot(2);
    lock.unlock();
    Pipe foreign;
    REQUIRE(::dup3(foreign.w.get(), s2, O_CLOEXEC) == s2);  // what a stray close()+open() does
    Pipe a;
    // Three fds with stdout: the third goes to slot 2, found disturbed.
    CHECK(run("readlink /proc/self/fd/4", {{a.r.get(), 4}, {crowd[0].r.get(), 5}}) == pipe_name(a.r.get()) + "\n");
    CHECK(pipe_name(s2) == pipe_name(foreign.w.get()));  // still theirs, still open
    std::unique_lock<std::mutex> again;
    CHECK(FdSlots::acquire(again) == nullptr);
    again.unlock();
    ::close(s2);
  }

  // Nothing staged is left behind in our table (the slots still hold their placeholders,
  // or are closed once turned off).
  std::set<int> after = open_fds();
  for (int fd : after) CHECK_MESSAGE(before.count(fd) == 1, "fd " << fd << " appeared in the caller");
}

}  // namespace
}  // namespace emp::sys
