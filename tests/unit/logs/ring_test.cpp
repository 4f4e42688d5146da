#include "logs/ring.h"

#include <doctest/doctest.h>

#include <algorithm>

using emp::logs::Record;
using emp::logs::Ring;
using namespace std::chrono;

namespace {

Record rec(int i) {
  Record r;
  r.time = system_clock::time_point(seconds(1000 + i));
  r.vassal = "web";
  r.msg = "line " + std::to_string(i);
  r.pid = i;
  return r;
}

std::vector<std::string> msgs(const std::vector<Record>& rs) {
  std::vector<std::string> out;
  for (const auto& r : rs) out.push_back(r.msg);
  return out;
}

}  // namespace

TEST_CASE("an empty ring has no tail") {
  Ring ring(4);
  CHECK(ring.tail(10).empty());
  CHECK(ring.size() == 0);
  CHECK(ring.capacity() == 4);
}

TEST_CASE("tail returns the last n, oldest first") {
  Ring ring(10);
  for (int i = 0; i < 5; ++i) ring.push(rec(i));
  CHECK(msgs(ring.tail(3)) == std::vector<std::string>{"line 2", "line 3", "line 4"});
  CHECK(msgs(ring.tail(100)).size() == 5);
  CHECK(ring.tail(0).empty());
}

TEST_CASE("the oldest records are pushed out at capacity") {
  Ring ring(3);
  for (int i = 0; i < 8; ++i) ring.push(rec(i));
  CHECK(ring.size() == 3);
  CHECK(ring.total() == 8);
  CHECK(msgs(ring.tail(10)) == std::vector<std::string>{"line 5", "line 6", "line 7"});
}

TEST_CASE("since keeps records at or after the time") {
  Ring ring(10);
  for (int i = 0; i < 6; ++i) ring.push(rec(i));
  const auto t3 = system_clock::time_point(seconds(1003));
  CHECK(msgs(ring.tail(10, t3)) == std::vector<std::string>{"line 3", "line 4", "line 5"});
  CHECK(msgs(ring.tail(2, t3)) == std::vector<std::string>{"line 4", "line 5"});
  CHECK(ring.tail(10, system_clock::time_point(seconds(2000))).empty());
}

TEST_CASE("since still finds a newer record behind a clock step back") {
  Ring ring(10);
  ring.push(rec(5));
  ring.push(rec(1));  // the clock went back
  ring.push(rec(6));
  CHECK(msgs(ring.tail(10, system_clock::time_point(seconds(1005)))) ==
        std::vector<std::string>{"line 5", "line 6"});
}

TEST_CASE("a ring of capacity 0 keeps nothing but counts") {
  Ring ring(0);
  ring.push(rec(1));
  CHECK(ring.size() == 0);
  CHECK(ring.total() == 1);
  CHECK(ring.tail(5).empty());
}

TEST_CASE("records keep every field") {
  Ring ring(2);
  Record r = rec(9);
  r.stream = emp::logs::Stream::Stderr;
  r.continued = true;
  r.level = 3;
  ring.push(r);
  auto t = ring.tail(1);
  REQUIRE(t.size() == 1);
  CHECK(t[0].vassal == "web");
  CHECK(t[0].pid == 9);
  CHECK(t[0].stream == emp::logs::Stream::Stderr);
  CHECK(t[0].continued);
  CHECK(t[0].level == 3);
  CHECK(t[0].time == r.time);
}

TEST_CASE("a ring grows as records come, then wraps: every count around its capacity") {
  for (int pushed = 0; pushed <= 9; ++pushed) {
    Ring ring(4);
    for (int i = 0; i < pushed; ++i) ring.push(rec(i));
    std::vector<std::string> want;
    for (int i = std::max(0, pushed - 4); i < pushed; ++i) want.push_back("line " + std::to_string(i));
    CHECK(msgs(ring.tail(10)) == want);
    CHECK(ring.size() == want.size());
    CHECK(ring.capacity() == 4);
  }
  Ring none(0);
  none.push(rec(1));
  CHECK(none.tail(10).empty());
  CHECK(none.total() == 1);
}
