#include "emperor/lifecycle.h"

namespace emp::emperor {
namespace {

using A = Action;
using E = Event;
using I = Intent;
using S = State;

constexpr std::string_view kNotRunning = "the vassal is not running";
constexpr std::string_view kBeingRemoved = "the vassal's file was removed; it is being stopped";

Transition stay(S s, I i) { return {s, i, {}, {}}; }
Transition refuse(S s, I i, std::string_view why) { return {s, i, {}, why}; }

// A live process (Starting, Running, Reloading): the same answers for most events.
Transition live(S s, I i, E e) {
  switch (e) {
    case E::Created: return stay(s, i);
    case E::FileChangedRestart: return {S::Stopping, I::Restart, {A::Terminate}, {}};
    case E::FileChangedReload:
      // A vassal still building its jail gets the new spec by starting over.
      if (s == S::Starting) return {S::Stopping, I::Restart, {A::Terminate}, {}};
      return {S::Reloading, i, {A::SendReload}, {}};
    case E::FileRemoved: return {S::Stopping, I::Remove, {A::Terminate}, {}};
    case E::Ready: return s == S::Starting ? Transition{S::Running, i, {}, {}} : stay(s, i);
    case E::Reloaded:
      return s == S::Reloading ? Transition{S::Running, i, {A::CountReload}, {}} : stay(s, i);
    case E::ExitedFatal: return {S::Failed, i, {}, {}};
    case E::ExitedYoung: return {S::Backoff, i, {A::ArmBackoff}, {}};
    case E::ExitedOld: return {S::Starting, i, {A::ResetBackoff, A::Spawn}, {}};
    case E::BackoffElapsed:
    case E::MercyElapsed:
    case E::StartRequested: return stay(s, i);
    case E::StopRequested: return {S::Stopping, I::StayStopped, {A::Terminate}, {}};
    case E::RestartRequested: return {S::Stopping, I::Restart, {A::Terminate}, {}};
    case E::ReloadRequested:
      if (s == S::Starting) return refuse(s, i, "the vassal is still starting");
      return {S::Reloading, i, {A::SendReload}, {}};
  }
  return stay(s, i);
}

Transition stopping(I i, E e) {
  const S s = S::Stopping;
  // Once gone: what the intent asked for.
  auto settle = [&]() -> Transition {
    switch (i) {
      case I::StayStopped: return {S::Stopped, i, {}, {}};
      case I::Restart: return {S::Starting, i, {A::Spawn}, {}};
      case I::Remove: return {S::Stopped, i, {A::Forget}, {}};
    }
    return stay(s, i);
  };
  switch (e) {
    case E::Created:
    case E::Ready:
    case E::Reloaded:
    case E::BackoffElapsed: return stay(s, i);
    case E::FileChangedRestart:
    case E::FileChangedReload:
      // A file that comes back while its vassal is being removed brings it back.
      return i == I::Remove ? Transition{s, I::Restart, {}, {}} : stay(s, i);
    case E::FileRemoved: return {s, I::Remove, {}, {}};
    case E::ExitedFatal:
    case E::ExitedYoung:
    case E::ExitedOld: return settle();
    case E::MercyElapsed: return {s, i, {A::Kill}, {}};
    case E::StartRequested:
    case E::RestartRequested:
      if (i == I::Remove) return refuse(s, i, kBeingRemoved);
      return {s, I::Restart, {}, {}};
    case E::StopRequested:
      if (i == I::Remove) return refuse(s, i, kBeingRemoved);
      return {s, I::StayStopped, {}, {}};
    case E::ReloadRequested: return refuse(s, i, "the vassal is stopping");
  }
  return stay(s, i);
}

// No process (Backoff, Failed, Stopped).
Transition idle(S s, I i, E e) {
  switch (e) {
    case E::Created:
      return s == S::Stopped ? Transition{S::Starting, i, {A::Spawn}, {}} : stay(s, i);
    case E::FileChangedRestart:
    case E::FileChangedReload:
      // An operator's stop holds across edits; a failing or throttled vassal gets its new
      // file tried at once.
      if (s == S::Stopped) return stay(s, i);
      return {S::Starting, i, {A::CancelBackoff, A::ResetBackoff, A::Spawn}, {}};
    case E::FileRemoved: return {S::Stopped, I::Remove, {A::CancelBackoff, A::Forget}, {}};
    case E::Ready:
    case E::Reloaded:
    case E::ExitedFatal:
    case E::ExitedYoung:
    case E::ExitedOld:
    case E::MercyElapsed: return stay(s, i);
    case E::BackoffElapsed: return s == S::Backoff ? Transition{S::Starting, i, {A::Spawn}, {}} : stay(s, i);
    case E::StartRequested:
    case E::RestartRequested:
      return {S::Starting, I::Restart, {A::CancelBackoff, A::ResetBackoff, A::Spawn}, {}};
    case E::StopRequested:
      return s == S::Stopped ? stay(s, i) : Transition{S::Stopped, I::StayStopped, {A::CancelBackoff}, {}};
    case E::ReloadRequested: return refuse(s, i, kNotRunning);
  }
  return stay(s, i);
}

}  // namespace

Transition next(State state, Intent intent, Event event) {
  switch (state) {
    case S::Starting:
    case S::Running:
    case S::Reloading: return live(state, intent, event);
    case S::Stopping: return stopping(intent, event);
    case S::Backoff:
    case S::Failed:
    case S::Stopped: return idle(state, intent, event);
  }
  return stay(state, intent);
}

const char* state_name(State s) {
  switch (s) {
    case S::Starting: return "starting";
    case S::Running: return "running";
    case S::Reloading: return "reloading";
    case S::Stopping: return "stopping";
    case S::Backoff: return "backoff";
    case S::Failed: return "failed";
    case S::Stopped: return "stopped";
  }
  return "?";
}

const char* event_name(Event e) {
  switch (e) {
    case E::Created: return "created";
    case E::FileChangedRestart: return "file-changed-restart";
    case E::FileChangedReload: return "file-changed-reload";
    case E::FileRemoved: return "file-removed";
    case E::Ready: return "ready";
    case E::Reloaded: return "reloaded";
    case E::ExitedFatal: return "exited-fatal";
    case E::ExitedYoung: return "exited-young";
    case E::ExitedOld: return "exited-old";
    case E::BackoffElapsed: return "backoff-elapsed";
    case E::MercyElapsed: return "mercy-elapsed";
    case E::StartRequested: return "start-requested";
    case E::StopRequested: return "stop-requested";
    case E::RestartRequested: return "restart-requested";
    case E::ReloadRequested: return "reload-requested";
  }
  return "?";
}

const char* action_name(Action a) {
  switch (a) {
    case A::Spawn: return "spawn";
    case A::Terminate: return "terminate";
    case A::Kill: return "kill";
    case A::SendReload: return "send-reload";
    case A::ArmBackoff: return "arm-backoff";
    case A::CancelBackoff: return "cancel-backoff";
    case A::ResetBackoff: return "reset-backoff";
    case A::CountReload: return "count-reload";
    case A::Forget: return "forget";
  }
  return "?";
}

const char* intent_name(Intent i) {
  switch (i) {
    case I::StayStopped: return "stay-stopped";
    case I::Restart: return "restart";
    case I::Remove: return "remove";
  }
  return "?";
}

}  // namespace emp::emperor
