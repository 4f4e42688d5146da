// Every cell of the lifecycle table, written out by hand: state x event (x intent while
// stopping) -> next state, intent, actions, or a refusal.
#include <doctest/doctest.h>

#include <optional>
#include <string>

#include "emperor/lifecycle.h"

namespace emp::emperor {
namespace {

// "state/intent: action action" or "refused"
std::string render(const Transition& t) {
  if (!t.refused.empty()) return "refused";
  std::string out = std::string(state_name(t.state)) + "/" + intent_name(t.intent) + ":";
  for (auto a : t.actions) out += std::string(" ") + action_name(a);
  return out;
}

struct Cell {
  State state;
  Intent intent;
  Event event;
  const char* expected;
};

using S = State;
using I = Intent;
using E = Event;

// Live states share most answers; they are spelled out for each state all the same.
const Cell kCells[] = {
    // --- starting ---
    {S::Starting, I::StayStopped, E::Created, "starting/stay-stopped:"},
    {S::Starting, I::StayStopped, E::FileChangedRestart, "stopping/restart: terminate"},
    {S::Starting, I::StayStopped, E::FileChangedReload, "stopping/restart: terminate"},
    {S::Starting, I::StayStopped, E::FileRemoved, "stopping/remove: terminate"},
    {S::Starting, I::StayStopped, E::Ready, "running/stay-stopped:"},
    {S::Starting, I::StayStopped, E::Reloaded, "starting/stay-stopped:"},
    {S::Starting, I::StayStopped, E::ExitedFatal, "failed/stay-stopped:"},
    {S::Starting, I::StayStopped, E::ExitedYoung, "backoff/stay-stopped: arm-backoff"},
    {S::Starting, I::StayStopped, E::ExitedOld, "starting/stay-stopped: reset-backoff spawn"},
    {S::Starting, I::StayStopped, E::BackoffElapsed, "starting/stay-stopped:"},
    {S::Starting, I::StayStopped, E::MercyElapsed, "starting/stay-stopped:"},
    {S::Starting, I::StayStopped, E::StartRequested, "starting/stay-stopped:"},
    {S::Starting, I::StayStopped, E::StopRequested, "stopping/stay-stopped: terminate"},
    {S::Starting, I::StayStopped, E::RestartRequested, "stopping/restart: terminate"},
    {S::Starting, I::StayStopped, E::ReloadRequested, "refused"},
    // --- running ---
    {S::Running, I::Restart, E::Created, "running/restart:"},
    {S::Running, I::Restart, E::FileChangedRestart, "stopping/restart: terminate"},
    {S::Running, I::Restart, E::FileChangedReload, "reloading/restart: send-reload"},
    {S::Running, I::Restart, E::FileRemoved, "stopping/remove: terminate"},
    {S::Running, I::Restart, E::Ready, "running/restart:"},
    {S::Running, I::Restart, E::Reloaded, "running/restart:"},
    {S::Running, I::Restart, E::ExitedFatal, "failed/restart:"},
    {S::Running, I::Restart, E::ExitedYoung, "backoff/restart: arm-backoff"},
    {S::Running, I::Restart, E::ExitedOld, "starting/restart: reset-backoff spawn"},
    {S::Running, I::Restart, E::BackoffElapsed, "running/restart:"},
    {S::Running, I::Restart, E::MercyElapsed, "running/restart:"},
    {S::Running, I::Restart, E::StartRequested, "running/restart:"},
    {S::Running, I::Restart, E::StopRequested, "stopping/stay-stopped: terminate"},
    {S::Running, I::Restart, E::RestartRequested, "stopping/restart: terminate"},
    {S::Running, I::Restart, E::ReloadRequested, "reloading/restart: send-reload"},
    // --- reloading ---
    {S::Reloading, I::Restart, E::Created, "reloading/restart:"},
    {S::Reloading, I::Restart, E::FileChangedRestart, "stopping/restart: terminate"},
    {S::Reloading, I::Restart, E::FileChangedReload, "reloading/restart: send-reload"},
    {S::Reloading, I::Restart, E::FileRemoved, "stopping/remove: terminate"},
    {S::Reloading, I::Restart, E::Ready, "reloading/restart:"},
    {S::Reloading, I::Restart, E::Reloaded, "running/restart: count-reload"},
    {S::Reloading, I::Restart, E::ExitedFatal, "failed/restart:"},
    {S::Reloading, I::Restart, E::ExitedYoung, "backoff/restart: arm-backoff"},
    {S::Reloading, I::Restart, E::ExitedOld, "starting/restart: reset-backoff spawn"},
    {S::Reloading, I::Restart, E::BackoffElapsed, "reloading/restart:"},
    {S::Reloading, I::Restart, E::MercyElapsed, "reloading/restart:"},
    {S::Reloading, I::Restart, E::StartRequested, "reloading/restart:"},
    {S::Reloading, I::Restart, E::StopRequested, "stopping/stay-stopped: terminate"},
    {S::Reloading, I::Restart, E::RestartRequested, "stopping/restart: terminate"},
    {S::Reloading, I::Restart, E::ReloadRequested, "reloading/restart: send-reload"},
    // --- stopping, for each intent ---
    {S::Stopping, I::StayStopped, E::Created, "stopping/stay-stopped:"},
    {S::Stopping, I::StayStopped, E::FileChangedRestart, "stopping/stay-stopped:"},
    {S::Stopping, I::StayStopped, E::FileChangedReload, "stopping/stay-stopped:"},
    {S::Stopping, I::StayStopped, E::FileRemoved, "stopping/remove:"},
    {S::Stopping, I::StayStopped, E::Ready, "stopping/stay-stopped:"},
    {S::Stopping, I::StayStopped, E::Reloaded, "stopping/stay-stopped:"},
    {S::Stopping, I::StayStopped, E::ExitedFatal, "stopped/stay-stopped:"},
    {S::Stopping, I::StayStopped, E::ExitedYoung, "stopped/stay-stopped:"},
    {S::Stopping, I::StayStopped, E::ExitedOld, "stopped/stay-stopped:"},
    {S::Stopping, I::StayStopped, E::BackoffElapsed, "stopping/stay-stopped:"},
    {S::Stopping, I::StayStopped, E::MercyElapsed, "stopping/stay-stopped: kill"},
    {S::Stopping, I::StayStopped, E::StartRequested, "stopping/restart:"},
    {S::Stopping, I::StayStopped, E::StopRequested, "stopping/stay-stopped:"},
    {S::Stopping, I::StayStopped, E::RestartRequested, "stopping/restart:"},
    {S::Stopping, I::StayStopped, E::ReloadRequested, "refused"},

    {S::Stopping, I::Restart, E::Created, "stopping/restart:"},
    {S::Stopping, I::Restart, E::FileChangedRestart, "stopping/restart:"},
    {S::Stopping, I::Restart, E::FileChangedReload, "stopping/restart:"},
    {S::Stopping, I::Restart, E::FileRemoved, "stopping/remove:"},
    {S::Stopping, I::Restart, E::Ready, "stopping/restart:"},
    {S::Stopping, I::Restart, E::Reloaded, "stopping/restart:"},
    {S::Stopping, I::Restart, E::ExitedFatal, "starting/restart: spawn"},
    {S::Stopping, I::Restart, E::ExitedYoung, "starting/restart: spawn"},
    {S::Stopping, I::Restart, E::ExitedOld, "starting/restart: spawn"},
    {S::Stopping, I::Restart, E::BackoffElapsed, "stopping/restart:"},
    {S::Stopping, I::Restart, E::MercyElapsed, "stopping/restart: kill"},
    {S::Stopping, I::Restart, E::StartRequested, "stopping/restart:"},
    {S::Stopping, I::Restart, E::StopRequested, "stopping/stay-stopped:"},
    {S::Stopping, I::Restart, E::RestartRequested, "stopping/restart:"},
    {S::Stopping, I::Restart, E::ReloadRequested, "refused"},

    {S::Stopping, I::Remove, E::Created, "stopping/remove:"},
    {S::Stopping, I::Remove, E::FileChangedRestart, "stopping/restart:"},
    {S::Stopping, I::Remove, E::FileChangedReload, "stopping/restart:"},
    {S::Stopping, I::Remove, E::FileRemoved, "stopping/remove:"},
    {S::Stopping, I::Remove, E::Ready, "stopping/remove:"},
    {S::Stopping, I::Remove, E::Reloaded, "stopping/remove:"},
    {S::Stopping, I::Remove, E::ExitedFatal, "stopped/remove: forget"},
    {S::Stopping, I::Remove, E::ExitedYoung, "stopped/remove: forget"},
    {S::Stopping, I::Remove, E::ExitedOld, "stopped/remove: forget"},
    {S::Stopping, I::Remove, E::BackoffElapsed, "stopping/remove:"},
    {S::Stopping, I::Remove, E::MercyElapsed, "stopping/remove: kill"},
    {S::Stopping, I::Remove, E::StartRequested, "refused"},
    {S::Stopping, I::Remove, E::StopRequested, "refused"},
    {S::Stopping, I::Remove, E::RestartRequested, "refused"},
    {S::Stopping, I::Remove, E::ReloadRequested, "refused"},
    // --- backoff ---
    {S::Backoff, I::Restart, E::Created, "backoff/restart:"},
    {S::Backoff, I::Restart, E::FileChangedRestart, "starting/restart: cancel-backoff reset-backoff spawn"},
    {S::Backoff, I::Restart, E::FileChangedReload, "starting/restart: cancel-backoff reset-backoff spawn"},
    {S::Backoff, I::Restart, E::FileRemoved, "stopped/remove: cancel-backoff forget"},
    {S::Backoff, I::Restart, E::Ready, "backoff/restart:"},
    {S::Backoff, I::Restart, E::Reloaded, "backoff/restart:"},
    {S::Backoff, I::Restart, E::ExitedFatal, "backoff/restart:"},
    {S::Backoff, I::Restart, E::ExitedYoung, "backoff/restart:"},
    {S::Backoff, I::Restart, E::ExitedOld, "backoff/restart:"},
    {S::Backoff, I::Restart, E::BackoffElapsed, "starting/restart: spawn"},
    {S::Backoff, I::Restart, E::MercyElapsed, "backoff/restart:"},
    {S::Backoff, I::Restart, E::StartRequested, "starting/restart: cancel-backoff reset-backoff spawn"},
    {S::Backoff, I::Restart, E::StopRequested, "stopped/stay-stopped: cancel-backoff"},
    {S::Backoff, I::Restart, E::RestartRequested, "starting/restart: cancel-backoff reset-backoff spawn"},
    {S::Backoff, I::Restart, E::ReloadRequested, "refused"},
    // --- failed ---
    {S::Failed, I::Restart, E::Created, "failed/restart:"},
    {S::Failed, I::Restart, E::FileChangedRestart, "starting/restart: cancel-backoff reset-backoff spawn"},
    {S::Failed, I::Restart, E::FileChangedReload, "starting/restart: cancel-backoff reset-backoff spawn"},
    {S::Failed, I::Restart, E::FileRemoved, "stopped/remove: cancel-backoff forget"},
    {S::Failed, I::Restart, E::Ready, "failed/restart:"},
    {S::Failed, I::Restart, E::Reloaded, "failed/restart:"},
    {S::Failed, I::Restart, E::ExitedFatal, "failed/restart:"},
    {S::Failed, I::Restart, E::ExitedYoung, "failed/restart:"},
    {S::Failed, I::Restart, E::ExitedOld, "failed/restart:"},
    {S::Failed, I::Restart, E::BackoffElapsed, "failed/restart:"},
    {S::Failed, I::Restart, E::MercyElapsed, "failed/restart:"},
    {S::Failed, I::Restart, E::StartRequested, "starting/restart: cancel-backoff reset-backoff spawn"},
    {S::Failed, I::Restart, E::StopRequested, "stopped/stay-stopped: cancel-backoff"},
    {S::Failed, I::Restart, E::RestartRequested, "starting/restart: cancel-backoff reset-backoff spawn"},
    {S::Failed, I::Restart, E::ReloadRequested, "refused"},
    // --- stopped ---
    {S::Stopped, I::StayStopped, E::Created, "starting/stay-stopped: spawn"},
    {S::Stopped, I::StayStopped, E::FileChangedRestart, "stopped/stay-stopped:"},
    {S::Stopped, I::StayStopped, E::FileChangedReload, "stopped/stay-stopped:"},
    {S::Stopped, I::StayStopped, E::FileRemoved, "stopped/remove: cancel-backoff forget"},
    {S::Stopped, I::StayStopped, E::Ready, "stopped/stay-stopped:"},
    {S::Stopped, I::StayStopped, E::Reloaded, "stopped/stay-stopped:"},
    {S::Stopped, I::StayStopped, E::ExitedFatal, "stopped/stay-stopped:"},
    {S::Stopped, I::StayStopped, E::ExitedYoung, "stopped/stay-stopped:"},
    {S::Stopped, I::StayStopped, E::ExitedOld, "stopped/stay-stopped:"},
    {S::Stopped, I::StayStopped, E::BackoffElapsed, "stopped/stay-stopped:"},
    {S::Stopped, I::StayStopped, E::MercyElapsed, "stopped/stay-stopped:"},
    {S::Stopped, I::StayStopped, E::StartRequested, "starting/restart: cancel-backoff reset-backoff spawn"},
    {S::Stopped, I::StayStopped, E::StopRequested, "stopped/stay-stopped:"},
    {S::Stopped, I::StayStopped, E::RestartRequested, "starting/restart: cancel-backoff reset-backoff spawn"},
    {S::Stopped, I::StayStopped, E::ReloadRequested, "refused"},
};

TEST_CASE("every cell of the lifecycle table") {
  for (const auto& c : kCells) {
    CAPTURE(state_name(c.state));
    CAPTURE(intent_name(c.intent));
    CAPTURE(event_name(c.event));
    CHECK(render(next(c.state, c.intent, c.event)) == c.expected);
  }
}

TEST_CASE("the table above covers every state and event (every intent while stopping)") {
  auto covered = [](State s, Event e, std::optional<Intent> i) {
    for (const auto& c : kCells)
      if (c.state == s && c.event == e && (!i || c.intent == *i)) return true;
    return false;
  };
  for (auto s : kAllStates)
    for (auto e : kAllEvents) {
      if (s != S::Stopping) {
        CHECK_MESSAGE(covered(s, e, std::nullopt), state_name(s), " x ", event_name(e));
        continue;
      }
      for (auto i : kAllIntents)
        CHECK_MESSAGE(covered(s, e, i), state_name(s), "/", intent_name(i), " x ", event_name(e));
    }
}

TEST_CASE("live and idle answers do not depend on the intent carried from before") {
  for (auto s : kAllStates) {
    if (s == S::Stopping) continue;
    for (auto e : kAllEvents) {
      const auto a = next(s, I::StayStopped, e), b = next(s, I::Restart, e);
      CHECK(a.state == b.state);
      CHECK(a.actions == b.actions);
      CHECK(a.refused == b.refused);
    }
  }
}

TEST_CASE("refusals say why") {
  CHECK(next(S::Stopped, I::StayStopped, E::ReloadRequested).refused == "the vassal is not running");
  CHECK(next(S::Starting, I::Restart, E::ReloadRequested).refused == "the vassal is still starting");
  CHECK(next(S::Stopping, I::Remove, E::StartRequested).refused ==
        "the vassal's file was removed; it is being stopped");
}

}  // namespace
}  // namespace emp::emperor
