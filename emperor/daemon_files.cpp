// The vassal directory: inotify, debounced scans, and turning file changes into events.
#include <sys/inotify.h>
#include <sys/stat.h>

#include "config/spec_json.h"
#include "config/system_env.h"
#include "config/vassal_files.h"
#include "emperor/daemon.h"
#include "sys/file_io.h"

namespace emp::emperor {
namespace {

// A file created and not yet closed is read anyway after this long.
constexpr std::chrono::milliseconds kWaitForClose{1'000};

constexpr uint32_t kWatchMask = IN_CREATE | IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM |
                                IN_DELETE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;

std::string diagnostics_text(const std::vector<config::Diagnostic>& diags) {
  std::string out;
  for (const auto& d : diags) {
    if (d.severity != config::Diagnostic::Severity::Error) continue;
    if (!out.empty()) out += "; ";
    out += d.to_string();
  }
  return out;
}

// Whether the owner of a tenant's file (uid, gid) may read `path`, by its mode bits.
Result<void> readable_by(const std::string& path, uid_t uid, gid_t gid) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return fail_errno("include '" + path + "'");
  const bool ok = (st.st_uid == uid && (st.st_mode & S_IRUSR)) ||
                  (st.st_uid != uid && st.st_gid == gid && (st.st_mode & S_IRGRP)) ||
                  (st.st_uid != uid && st.st_gid != gid && (st.st_mode & S_IROTH));
  if (ok) return emp::ok();
  return fail("include '" + path + "': not readable by the file's owner (uid " + std::to_string(uid) +
              ", gid " + std::to_string(gid) + "); emperor-tyrant refuses it");
}

// The first key of a tenant's file (emperor-tyrant) that would act with root's power.
std::optional<std::string> privileged_key(const config::VassalSpec& s) {
  const std::pair<bool, const char*> keys[] = {
      {!s.exec_pre_jail.empty(), "exec-pre-jail"}, {!s.exec_post_jail.empty(), "exec-post-jail"},
      {!s.exec_as_root.empty(), "exec-as-root"},   {!s.hook_pre_jail.empty(), "hook-pre-jail"},
      {!s.hook_post_jail.empty(), "hook-post-jail"}, {!s.hook_as_root.empty(), "hook-as-root"},
      {s.uid.has_value(), "uid"},                   {s.gid.has_value(), "gid"},
      {!s.add_gid.empty(), "add-gid"},              {!s.cap.empty(), "cap"},
      {s.seccomp == config::SeccompMode::Off, "seccomp"}, {!s.seccomp_allow.empty(), "seccomp-allow"},
      {s.pivot_root.has_value(), "pivot-root"},     {s.chroot.has_value(), "chroot"},
  };
  for (const auto& [present, key] : keys)
    if (present) return std::string(key);
  return std::nullopt;
}

}  // namespace

void Daemon::watch_directory() {
  auto wd = inotify_->add_watch(options_.vassals_dir, kWatchMask);
  if (!wd) {
    info_.vassals_dir_present = false;
    if (reported_.insert("dir-missing").second)
      log_warning("cannot watch " + options_.vassals_dir + ": " + wd.error().message +
          "; vassals keep running, retrying every second");
    watch_ = -1;
    return;
  }
  if (!info_.vassals_dir_present || reported_.erase("dir-missing"))
    log("watching " + options_.vassals_dir + " again");
  info_.vassals_dir_present = true;
  watch_ = *wd;
}

void Daemon::on_inotify() {
  auto events = inotify_->read_events();
  if (!events) return log_error(events.error().message);
  const auto now = std::chrono::steady_clock::now();
  for (const auto& ev : *events) {
    if (ev.mask & IN_Q_OVERFLOW) {
      pending_full_scan_ = true;  // events were lost: look at everything
    } else if (ev.mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
      if (ev.wd != watch_) continue;
      if (watch_ >= 0) inotify_->remove_watch(watch_);
      watch_ = -1;
      info_.vassals_dir_present = false;
      status_dirty_ = true;
      reported_.insert("dir-missing");
      log_warning(options_.vassals_dir + " vanished; vassals keep running until it comes back");
      next_rescan_ = now + std::chrono::seconds(1);
      continue;
    } else if (!config::is_vassal_file_name(ev.name)) {
      // Not a vassal file itself, but it may be what one points to: a ConfigMap-style
      // "..data" symlink swap changes every file behind the symlinks at once.
      if (!ev.name.empty()) pending_full_scan_ = true;
      continue;
    } else if ((ev.mask & IN_CREATE) && !(ev.mask & IN_ISDIR)) {
      struct stat st {};
      const std::string path = options_.vassals_dir + "/" + ev.name;
      // A new hard link (st_nlink > 1) is a file complete elsewhere: no IN_CLOSE_WRITE follows.
      if (::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 1) {
        being_written_[ev.name] = now + kWaitForClose;  // wait for IN_CLOSE_WRITE
        continue;
      }
      pending_files_.insert(ev.name);  // a symlink or a hard link is complete at once
    } else {
      if (ev.mask & IN_CLOSE_WRITE) being_written_.erase(ev.name);
      if (!being_written_.count(ev.name)) pending_files_.insert(ev.name);
    }
  }
  // A named vassal file is complete when its event arrives (closed, moved in, linked,
  // deleted): scan it in this very iteration. A directory-level change (a "..data" swap takes
  // several renames) waits a short debounce and is scanned once.
  if (!pending_files_.empty()) scan_at_ = now;
  else if (pending_full_scan_ && !scan_at_) scan_at_ = now + kScanDebounce;
}

void Daemon::full_scan() {
  auto names = list_vassal_files(options_.vassals_dir);
  if (!names) {
    // A vanished directory is not a reason to stop tenants: keep them, retry.
    if (reported_.insert("dir-missing").second)
      log_warning(names.error().message + "; vassals keep running, retrying every second");
    info_.vassals_dir_present = false;
    return;
  }
  std::set<std::string> present(names->begin(), names->end());
  for (const auto& f : *names) scan_file(f);
  std::vector<std::string> gone;
  for (const auto& [filename, name] : owner_of_file_)
    if (!present.count(filename)) gone.push_back(filename);
  for (const auto& f : gone) apply_snapshot(f, std::nullopt);
}

void Daemon::scan_file(const std::string& filename) {
  auto snap = snapshot(options_.vassals_dir, filename);
  if (!snap) {
    if (reported_.insert("read:" + filename).second) log_error(snap.error().message);
    return;
  }
  reported_.erase("read:" + filename);
  apply_snapshot(filename, std::move(*snap));
}

config::Loaded<config::VassalSpec> Daemon::load(const FileSnapshot& snap) {
  // The top file is parsed from the snapshot we already read (no second read, no race);
  // includes come from disk.
  auto env = config::system_load_env();
  auto disk = env.read_file;
  const bool tenant = options_.tyrant && snap.uid != 0;
  env.read_file = [&snap, disk, tenant](const std::string& path) -> Result<std::string> {
    if (path == snap.path) return snap.content;
    // The emperor reads as root: a tenant may include only what the tenant could read.
    if (tenant) EMP_CHECK(readable_by(path, snap.uid, snap.gid));
    return disk(path);
  };
  // Nor may a tenant read the emperor's environment (it may hold secrets).
  if (tenant) env.getenv = nullptr;
  auto loaded = config::load_vassal(snap.path, env);
  if (!loaded.spec || !options_.tyrant) return loaded;
  auto refuse = [&](const std::string& why) {
    loaded.diagnostics.push_back({config::Diagnostic::Severity::Error, snap.path, 0, "emperor-tyrant: " + why});
    loaded.spec.reset();
  };
  if (snap.mode & S_IWOTH) {
    refuse("the file is writable by others; refused");
  } else if (snap.uid == 0 && (snap.mode & S_IWGRP) && snap.gid != 0) {
    // Root's files may run code as root: a group that can write one can too.
    refuse("the file is owned by root and writable by its group (gid " + std::to_string(snap.gid) +
           "); refused (chmod g-w, or give it to the tenant)");
  } else if (snap.uid != 0) {
    // A tenant's file runs as the tenant: nothing in it may run as root or choose its
    // own privileges (hooks before the drop run as root in the vassal's namespaces).
    if (auto key = privileged_key(*loaded.spec))
      refuse("'" + *key + "' is not allowed in a file owned by uid " + std::to_string(snap.uid) +
             " (only root's files may run code as root or choose privileges)");
  }
  return loaded;
}

void Daemon::apply_snapshot(const std::string& filename, std::optional<FileSnapshot> snap) {
  auto owner = owner_of_file_.find(filename);
  if (!snap) {
    if (owner == owner_of_file_.end()) return;
    auto it = records_.find(owner->second);
    owner_of_file_.erase(owner);
    if (it != records_.end()) file_removed(*it->second);
    pending_full_scan_ = true;  // another file of the same name may now take over
    if (!scan_at_) scan_at_ = std::chrono::steady_clock::now() + kScanDebounce;
    return;
  }
  auto name = config::vassal_name_of(filename);
  if (!name) {
    if (reported_.insert("name:" + filename).second) log_error(snap->path + ": " + name.error().message);
    return;
  }
  auto existing = records_.find(*name);
  if (existing != records_.end() && existing->second->file.filename != filename) {
    if (reported_.insert("conflict:" + filename).second) {
      const std::string why = snap->path + ": vassal '" + *name + "' is already defined by '" +
                              existing->second->file.path + "'; this file is ignored (one name, one file)";
      log_error(why);
      existing->second->last_error = why;  // the operator sees it in `emperor status NAME`
      status_dirty_ = true;
    }
    return;
  }
  reported_.erase("conflict:" + filename);

  if (existing == records_.end()) {
    auto loaded = load(*snap);
    if (shutting_down_) return;
    Record& r = make_record(*name, *snap);
    if (!loaded.spec) {
      r.last_error = diagnostics_text(loaded.diagnostics);
      const State from = r.state;
      r.state = State::Failed;
      log_error(r.name + ": " + r.last_error);
      publish_state_change(r, from, "invalid file");
      return;
    }
    r.spec = std::move(*loaded.spec);
    r.spec_content = snap->content;
    configure_logs(r);
    if (options_.tyrant) {
      r.force_uid = snap->uid;
      r.force_gid = snap->gid;
    }
    dispatch(r, Event::Created, "new file");
    return;
  }

  Record& r = *existing->second;
  if (r.file.same_as(*snap)) return;
  const bool content_same = snap->content == r.spec_content && r.spec.has_value();
  const bool owner_changed = options_.tyrant && (snap->uid != r.file.uid || snap->gid != r.file.gid);
  const FileSnapshot previous = std::exchange(r.file, std::move(*snap));
  const FileSnapshot& now = r.file;
  if (content_same && !owner_changed && !(options_.tyrant && (now.mode & (S_IWOTH | S_IWGRP)))) {
    if (!r.last_error.empty()) {  // an invalid edit was reverted: nothing is wrong any more
      r.last_error.clear();
      status_dirty_ = true;
    }
    if (now.mtime_ns != previous.mtime_ns) dispatch(r, Event::FileChangedReload, "file touched");
    return;  // a chmod/chown that changes nothing we use
  }
  auto loaded = load(now);
  if (!loaded.spec) {
    // The running vassal is kept; the operator sees why the edit was not applied.
    r.last_error = diagnostics_text(loaded.diagnostics);
    status_dirty_ = true;
    log_error(r.name + ": not applied, keeping the running vassal: " + r.last_error);
    if (!r.spec) return;
    return;
  }
  const auto scope = r.spec ? config::change_scope(*r.spec, *loaded.spec) : std::optional<config::ReloadScope>(config::ReloadScope::Restart);
  const bool had_spec = r.spec.has_value();
  r.spec = std::move(*loaded.spec);
  r.spec_content = now.content;
  r.last_error.clear();
  configure_logs(r);
  if (options_.tyrant) {
    r.force_uid = now.uid;
    r.force_gid = now.gid;
  }
  status_dirty_ = true;
  if (!had_spec || owner_changed || scope == config::ReloadScope::Restart) {
    dispatch(r, Event::FileChangedRestart, "file changed");
  } else if (!scope || scope == config::ReloadScope::Workers) {
    dispatch(r, Event::FileChangedReload, scope ? "file changed (workers)" : "file touched");
  } else {
    log(r.name + ": file changed (logging); applied in place");
  }
}

void Daemon::file_removed(Record& r) { dispatch(r, Event::FileRemoved, "file removed"); }

}  // namespace emp::emperor
