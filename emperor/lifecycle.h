// The vassal lifecycle as an explicit state x event table. Pure: the daemon records facts
// (a file changed, a process exited, a timer fired, an operator asked) as events, and this
// table alone decides the next state and what to do.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace emp::emperor {

enum class State : uint8_t { Starting, Running, Reloading, Stopping, Backoff, Failed, Stopped };
inline constexpr State kAllStates[] = {State::Starting, State::Running,  State::Reloading,
                                       State::Stopping, State::Backoff,  State::Failed,
                                       State::Stopped};

// Why a vassal in Stopping is stopping: what happens once its process is gone.
enum class Intent : uint8_t {
  StayStopped,  // an operator stopped it
  Restart,      // a restart (operator or a changed file): start again
  Remove,       // its file is gone or the emperor shuts down: forget it
};
inline constexpr Intent kAllIntents[] = {Intent::StayStopped, Intent::Restart, Intent::Remove};

enum class Event : uint8_t {
  Created,             // a new valid file: the record was just made (in Stopped)
  FileChangedRestart,  // the file changed in keys that need a new jail
  FileChangedReload,   // only worker-level keys changed, or the file was touched
  FileRemoved,         // the file is gone (or the emperor is shutting down)
  Ready,               // the vassal reported its jail built and its first workers settled
  Reloaded,            // the vassal reported an in-place reload done
  ExitedFatal,         // the process ended after reporting a setup or exec error
  ExitedYoung,         // the process ended soon after starting (or before it was ready)
  ExitedOld,           // the process ended after running a good while
  BackoffElapsed,
  MercyElapsed,        // a stopping vassal outlived its mercy
  StartRequested,      // emperor start NAME
  StopRequested,       // emperor stop NAME
  RestartRequested,    // emperor restart NAME (bypasses backoff)
  ReloadRequested,     // emperor reload NAME
};
inline constexpr Event kAllEvents[] = {
    Event::Created,        Event::FileChangedRestart, Event::FileChangedReload, Event::FileRemoved,
    Event::Ready,          Event::Reloaded,           Event::ExitedFatal,       Event::ExitedYoung,
    Event::ExitedOld,      Event::BackoffElapsed,     Event::MercyElapsed,      Event::StartRequested,
    Event::StopRequested,  Event::RestartRequested,   Event::ReloadRequested};

enum class Action : uint8_t {
  Spawn,          // start a vassal process (counts a restart when it is not the first start)
  Terminate,      // ask the process to stop (channel + SIGTERM) and arm the mercy timer
  Kill,           // SIGKILL the process
  SendReload,     // send the current spec for an in-place worker reload
  ArmBackoff,     // schedule BackoffElapsed after the throttle delay (and grow it)
  CancelBackoff,  // disarm it
  ResetBackoff,   // the next young death starts from the base delay again
  CountReload,    // one more in-place reload done
  Forget,         // drop the record: the vassal no longer exists
};

struct Transition {
  State state;
  Intent intent;
  std::vector<Action> actions;
  // The request cannot be honoured in this state (e.g. reload while stopped); the control
  // server answers it with this reason and nothing changes.
  std::string_view refused;
};

Transition next(State state, Intent intent, Event event);

const char* state_name(State s);
const char* event_name(Event e);
const char* action_name(Action a);
const char* intent_name(Intent i);

}  // namespace emp::emperor
