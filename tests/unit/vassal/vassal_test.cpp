// The vassal's pure parts: the channel protocol, respawn policy, memory parsing.
#include <doctest/doctest.h>

#include "vassal/memory.h"
#include "vassal/protocol.h"
#include "vassal/respawn.h"

namespace emp::vassal {
namespace {

TEST_CASE("every message survives encode/decode") {
  config::NamespaceSet ns;
  ns.add(config::Namespace::Pid);
  ns.add(config::Namespace::Net);
  const std::vector<Message> messages = {
      StartMessage{R"({"name":"web","command":"x"})", ns, 1000u, 1000u, 2},
      ReloadMessage{R"({"name":"web"})"},
      StopMessage{},
      StepMessage{"MOUNT", "tmpfs on /tmp"},
      TunMessage{"uwsgi0"},
      ReadyMessage{},
      ReloadedMessage{},
      HeartbeatMessage{{{2, 4096, 2048, 1700000000000, 1, 1, "ready", "serving", 1700000000500},
                        {3, 1, 1, 1, 0, 2, "busy", "", 0}},
                       4,
                       7u,
                       "worker 1 exit status 1",
                       "wake-one",
                       {{3, "127.0.0.1:8000", "127.0.0.1_8000"}, {4, "/run/a.sock", "/run/a.sock"}},
                       "backlog",
                       "backlog 9 > 3: +1 (1 -> 2)",
                       "@emperor/web/0000abcd"},
      ErrorMessage{"PIVOT_ROOT", "pivot_root '/srv': Invalid argument"},
  };
  for (const auto& m : messages) {
    auto back = decode(encode(m));
    REQUIRE_MESSAGE(back.has_value(), encode(m));
    CHECK(back->index() == m.index());
    CHECK(encode(*back) == encode(m));
  }
  auto start = std::get<StartMessage>(*decode(encode(messages[0])));
  CHECK(start.namespaces == ns);
  CHECK(start.force_uid == 1000u);
  CHECK(start.tun_queues == 2);
  CHECK(decode(R"({"type":"start","spec":{},"tun_queues":0})").error().message ==
        "channel: malformed message: tun_queues out of range");
  auto beat = std::get<HeartbeatMessage>(*decode(encode(messages[7])));
  CHECK(beat.workers[0].state == "ready");
  CHECK(beat.workers[0].status == "serving");
  CHECK(beat.workers[0].watchdog_unix_ms == 1700000000500);
  CHECK(beat.workers[1].slot == 2u);
  CHECK(beat.sockets[1].address == "/run/a.sock");
  CHECK(beat.thunder_lock == "wake-one");
  CHECK(beat.cheaper_algo == "backlog");
  CHECK(beat.notify_socket == "@emperor/web/0000abcd");
}

TEST_CASE("heartbeat: the fields added with the workers' pool are optional, but typed") {
  auto old =
      decode(R"({"type":"heartbeat","workers":[{"pid":2,"rss_bytes":1,"pss_bytes":1,)"
             R"("since_unix_ms":1,"respawns":0}],"workers_target":1,"last_worker_exit":""})");
  REQUIRE(old.has_value());
  const auto& h = std::get<HeartbeatMessage>(*old);
  CHECK(h.workers[0].slot == 0u);
  CHECK(h.workers[0].state.empty());
  CHECK(h.sockets.empty());
  CHECK(h.thunder_lock.empty());
  CHECK(
      decode(
          R"({"type":"heartbeat","workers":[{"pid":2,"rss_bytes":1,"pss_bytes":1,)"
          R"("since_unix_ms":1,"respawns":0,"state":5}],"workers_target":1,"last_worker_exit":""})")
          .error()
          .message == "channel: malformed message: worker field 'state' missing or not a string");
  CHECK(decode(R"({"type":"heartbeat","workers":[],"workers_target":1,"last_worker_exit":"",)"
               R"("sockets":{}})")
            .error()
            .message == "channel: malformed message: sockets is not an array");
  CHECK(decode(R"({"type":"heartbeat","workers":[],"workers_target":1,"last_worker_exit":"",)"
               R"("sockets":[{"fd":3,"address":"x"}]})")
            .error()
            .message == "channel: malformed message: socket field 'name' missing or not a string");
  CHECK(decode(R"({"type":"heartbeat","workers":[],"workers_target":1,"last_worker_exit":"",)"
               R"("thunder_lock":1})")
            .error()
            .message ==
        "channel: malformed message 'heartbeat': field 'thunder_lock' missing or not a string");
}

TEST_CASE("malformed messages are errors, never crashes") {
  CHECK(decode("nope").error().message == "channel: malformed message: not JSON");
  CHECK(decode("[]").error().message == "channel: malformed message: no type");
  CHECK(decode(R"({"type":"launch"})").error().message ==
        "channel: malformed message: unknown type 'launch'");
  CHECK(decode(R"({"type":"step","step":1})").error().message ==
        "channel: malformed message 'step': field 'what' missing or not a string");
  CHECK(decode(R"({"type":"start","spec":{},"namespaces":["user"]})").error().message ==
        "channel: malformed message: unknown namespace 'user' (expected ipc, uts, fs|mount|mnt, "
        "pid, net or cgroup)");
  CHECK(decode(R"({"type":"heartbeat","workers":[{"pid":"x"}]})")
            .error()
            .message.rfind("channel: malformed message: worker field", 0) == 0);
  CHECK_FALSE(decode(R"({"type":"start","spec":"x"})").has_value());
}

TEST_CASE("respawn: at once after a long run, doubling delays for young deaths") {
  CHECK(next_respawn(Millis{60'000}, 5).delay == Millis{0});
  CHECK(next_respawn(Millis{60'000}, 5).young_deaths == 0u);
  auto d1 = next_respawn(Millis{10}, 0);
  CHECK(d1.delay == Millis{100});
  CHECK(d1.young_deaths == 1u);
  CHECK(next_respawn(Millis{10}, 1).delay == Millis{200});
  CHECK(next_respawn(Millis{10}, 4).delay == Millis{1600});
  CHECK(next_respawn(Millis{10}, 100).delay == Millis{30'000});
  CHECK(looks_like_exec_failure(127, Millis{5}, false));
  CHECK(looks_like_exec_failure(126, Millis{5}, false));
  CHECK_FALSE(looks_like_exec_failure(127, Millis{5}, true));
  CHECK_FALSE(looks_like_exec_failure(127, Millis{5000}, false));
  CHECK_FALSE(looks_like_exec_failure(1, Millis{5}, false));
}

TEST_CASE("smaps_rollup parsing") {
  const char* text =
      "55d0c0a00000-7ffd5e9f6000 ---p 00000000 00:00 0                          [rollup]\n"
      "Rss:                3072 kB\nPss:                1034 kB\nPss_Anon:            512 kB\n";
  auto m = parse_smaps_rollup(text);
  REQUIRE(m.has_value());
  CHECK(m->rss_bytes == 3072u * 1024);
  CHECK(m->pss_bytes == 1034u * 1024);
  CHECK(parse_smaps_rollup("Rss: 1 kB\n").error().message == "smaps_rollup: no Rss/Pss lines");
  CHECK(parse_smaps_rollup("").error().message == "smaps_rollup: no Rss/Pss lines");
  CHECK(parse_smaps_rollup("Rss: x kB\nPss: 1 kB\n").error().message ==
        "smaps_rollup: no Rss/Pss lines");
}

TEST_CASE("children lists of /proc/PID/task/TID/children") {
  CHECK(parse_children("12 15 ") == std::vector<pid_t>{12, 15});
  CHECK(parse_children("7") == std::vector<pid_t>{7});
  CHECK(parse_children("").empty());
  CHECK(parse_children(" \n").empty());
  CHECK(parse_children("3 x 4") == std::vector<pid_t>{3});  // garbage ends the list
  CHECK(parse_children("0 5").size() == 1u);                // pid 0 is nobody
}

}  // namespace
}  // namespace emp::vassal
