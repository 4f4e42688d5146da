// The channel messages that carry a vassal's output to the emperor: the start flag that asks
// for it, a worker's pipes (WorkerOutputMessage) and the master's own lines (LogMessage).
#include <doctest/doctest.h>

#include "vassal/protocol.h"

namespace emp::vassal {
namespace {

TEST_CASE("worker output and master lines round-trip; old starts mean a shared output") {
  StartMessage s;
  s.spec_json = "{}";
  s.worker_output = true;
  CHECK(std::get<StartMessage>(*decode(encode(s))).worker_output);
  s.worker_output = false;
  CHECK(encode(s).find("worker_output") == std::string::npos);
  CHECK_FALSE(std::get<StartMessage>(*decode(encode(s))).worker_output);

  auto w = std::get<WorkerOutputMessage>(*decode(encode(WorkerOutputMessage{7, 2})));
  CHECK(w.pid == 7);
  CHECK(w.slot == 2u);

  auto l = std::get<LogMessage>(*decode(encode(LogMessage{4, "vassal: worker 1 exit"})));
  CHECK(l.level == 4);
  CHECK(l.text == "vassal: worker 1 exit");

  CHECK(decode(R"({"type":"log","level":9,"text":"x"})").error().message ==
        "channel: malformed message: log level out of range");
  CHECK(decode(R"({"type":"log","level":6})").error().message ==
        "channel: malformed message 'log': field 'text' missing or not a string");
  CHECK(decode(R"({"type":"worker_output","pid":"x","slot":1})").error().message ==
        "channel: malformed message 'worker_output': field 'pid' missing or not a number");
  CHECK(decode(R"({"type":"start","spec":{},"worker_output":1})").error().message ==
        "channel: malformed message: worker_output is not a boolean");
}

}  // namespace
}  // namespace emp::vassal
