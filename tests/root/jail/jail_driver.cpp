// A stand-in for the vassal binary in root tests: loads a vassal file, clones itself into
// namespaces (sys::Child), runs jail::plan + jail::build inside, then forks one worker that
// runs the file's command with /bin/sh -c and exits with its status.
//
//   jail-driver [--ns LIST] [--tyrant UID:GID] [--plan | --seccomp-rules] [--quiet]
//               [--timing] [--repeat N] [--no-mount-setattr] FILE
//
// stderr gets "progress STEP what" lines (unless --quiet) and, on a setup failure,
// "SETUP_ERROR STEP|object|message" (exit 3). --plan prints the op list and exits;
// --seccomp-rules prints the filter's rules, "SYSCALL KIND" per line (bench/spawn.sh gives
// bubblewrap the same filter). --no-mount-setattr makes mount_setattr(2) fail with ENOSYS
// inside (a filter loaded before the jail), as on kernels before 5.12, to test the fallback.
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "config/command_line.h"
#include "config/loader.h"
#include "config/system_env.h"
#include "config/text.h"
#include "jail/jail.h"
#include "sys/child.h"
#include "sys/names.h"
#include "sys/seccomp_filter.h"
#include "sys/unique_fd.h"

namespace {

using namespace emp;

struct Args {
  std::string ns = "ipc,uts,mount,pid,net";
  std::string tyrant;
  std::string file;
  bool plan_only = false;
  bool seccomp_rules = false;
  bool quiet = false;
  bool timing = false;  // progress lines carry microseconds since the inner process started
  int repeat = 0;       // spawn the vassal this many times and print each latency (ms)
  bool inside = false;
  bool no_mount_setattr = false;
};

int usage() {
  std::fprintf(stderr,
               "usage: jail-driver [--ns LIST] [--tyrant UID:GID] [--plan | --seccomp-rules] "
               "[--quiet] FILE\n");
  return 2;
}

std::optional<config::VassalSpec> load(const std::string& file) {
  auto env = config::system_load_env();
  env.names = {};  // every capability and syscall name reaches the jail, which checks them
  auto loaded = config::load_vassal(file, env);
  for (const auto& d : loaded.diagnostics) std::fprintf(stderr, "%s\n", d.to_string().c_str());
  return loaded.spec;
}

uint64_t clone_flags(const config::NamespaceSet& set) {
  uint64_t flags = 0;
  if (set.has(config::Namespace::Ipc)) flags |= CLONE_NEWIPC;
  if (set.has(config::Namespace::Uts)) flags |= CLONE_NEWUTS;
  if (set.has(config::Namespace::Mount)) flags |= CLONE_NEWNS;
  if (set.has(config::Namespace::Pid)) flags |= CLONE_NEWPID;
  if (set.has(config::Namespace::Net)) flags |= CLONE_NEWNET;
  if (set.has(config::Namespace::Cgroup)) flags |= CLONE_NEWCGROUP;
  return flags;
}

std::vector<sys::UniqueFd> tun_fds;  // kept open for the vassal's life, like the vassal does

Result<void> create_tun(const std::string& name) {
  sys::UniqueFd fd(::open("/dev/net/tun", O_RDWR | O_CLOEXEC));
  if (!fd) return fail_errno("open '/dev/net/tun'");
  ifreq ifr{};
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  std::snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name.c_str());
  if (::ioctl(fd.get(), TUNSETIFF, &ifr) != 0) return fail_errno("create tun '" + name + "'");
  tun_fds.push_back(std::move(fd));
  return ok();
}

// Spawns and reaps `o`: its exit as a shell reports it, or nullopt (said on stderr) when it
// could not be started or waited for.
std::optional<int> run_to_exit(const sys::SpawnOptions& o) {
  auto child = sys::Child::spawn(o);
  if (!child) {
    std::fprintf(stderr, "%s\n", child.error().message.c_str());
    return std::nullopt;
  }
  auto status = child->wait();
  if (!status) {
    std::fprintf(stderr, "%s\n", status.error().message.c_str());
    return std::nullopt;
  }
  return status->shell_code();
}

// As the vassal's master starts a worker: sys::Child with the command's argv (direct exec
// of plain words, else /bin/sh -c), found in PATH.
int run_worker(const std::string& command) {
  sys::SpawnOptions o;
  o.argv = config::command_argv(command);
  o.search_path = true;
  return run_to_exit(o).value_or(127);
}

// mount_setattr answers ENOSYS from here on, as before Linux 5.12.
Result<void> hide_mount_setattr() {
  EMP_TRY(auto filter, sys::SeccompFilter::create({sys::SeccompVerdict::Allow, 0}));
  const auto nr = sys::syscall_number("mount_setattr");
  if (!nr) return fail("mount_setattr: unknown here");
  EMP_CHECK(filter.add(*nr, "mount_setattr", {sys::SeccompVerdict::Errno, ENOSYS}));
  return filter.load();
}

int inside(const Args& a, const config::VassalSpec& spec, const jail::JailContext& ctx) {
  if (a.no_mount_setattr) {
    if (auto r = hide_mount_setattr(); !r) {
      std::fprintf(stderr, "%s\n", r.error().message.c_str());
      return 2;
    }
  }
  const jail::Plan plan = jail::plan(spec, ctx);
  jail::Callbacks cb;
  const auto t0 = std::chrono::steady_clock::now();
  if (!a.quiet)
    cb.progress = [&a, t0](jail::Step step, const std::string& what) {
      if (a.timing) {
        const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
            std::chrono::steady_clock::now() - t0);
        std::fprintf(stderr, "%8lld ", static_cast<long long>(us.count()));
      }
      std::fprintf(stderr, "progress %s %s\n", jail::step_name(step), what.c_str());
    };
  cb.note = [](const std::string& text, bool warning) {
    std::fprintf(stderr, "%s %s\n", warning ? "warning" : "note", text.c_str());
  };
  cb.create_tun = create_tun;
  cb.before_drop = [&a] {
    if (!a.quiet) std::fprintf(stderr, "before-drop\n");
    return ok();
  };
  if (auto err = jail::build(plan, cb)) {
    std::fprintf(stderr, "SETUP_ERROR %s|%s|%s\n", jail::step_name(err->step),
                 err->object.c_str(), err->message.c_str());
    return 3;
  }
  std::fflush(stderr);
  return run_worker(spec.command.value_or("true"));
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--ns" && i + 1 < argc) {
      a.ns = argv[++i];
    } else if (arg == "--tyrant" && i + 1 < argc) {
      a.tyrant = argv[++i];
    } else if (arg == "--plan") {
      a.plan_only = true;
    } else if (arg == "--seccomp-rules") {
      a.seccomp_rules = true;
    } else if (arg == "--quiet") {
      a.quiet = true;
    } else if (arg == "--timing") {
      a.timing = true;
    } else if (arg == "--repeat" && i + 1 < argc) {
      a.repeat = std::atoi(argv[++i]);
    } else if (arg == "--no-mount-setattr") {
      a.no_mount_setattr = true;
    } else if (arg == "--inside") {
      a.inside = true;
    } else if (!arg.empty() && arg[0] != '-' && a.file.empty()) {
      a.file = arg;
    } else {
      return usage();
    }
  }
  if (a.file.empty()) return usage();
  auto spec = load(a.file);
  if (!spec) return 2;

  jail::JailContext ctx;
  for (auto item : config::split_list(a.ns)) {
    if (item == "none") continue;
    auto ns = config::parse_namespace(item);
    if (!ns) {
      std::fprintf(stderr, "%s\n", ns.error().message.c_str());
      return 2;
    }
    ctx.namespaces.add(*ns);
  }
  ctx.namespaces.add(spec->unshare);
  if (!a.tyrant.empty()) {
    const auto colon = a.tyrant.find(':');
    ctx.force_uid = static_cast<uint32_t>(std::stoul(a.tyrant.substr(0, colon)));
    ctx.force_gid = static_cast<uint32_t>(std::stoul(a.tyrant.substr(colon + 1)));
  }

  if (a.plan_only) {
    for (const auto& line : jail::describe(jail::plan(*spec, ctx))) std::printf("%s\n", line.c_str());
    return 0;
  }
  if (a.seccomp_rules) {
    const auto p = jail::plan(*spec, ctx);
    if (p.seccomp)
      for (const auto& r : p.seccomp->rules)
        std::printf("%s %s\n", r.syscall.c_str(), jail::rule_kind_name(r.kind));
    return 0;
  }
  if (a.inside) return inside(a, *spec, ctx);

  char self[4096];
  const ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return 2;
  self[n] = '\0';
  sys::SpawnOptions o;
  o.argv = {self, "--inside", "--ns", a.ns, a.file};
  if (a.quiet) o.argv.insert(o.argv.begin() + 1, "--quiet");
  if (a.timing) o.argv.insert(o.argv.begin() + 1, "--timing");
  if (a.no_mount_setattr) o.argv.insert(o.argv.begin() + 1, "--no-mount-setattr");
  if (!a.tyrant.empty()) o.argv.insert(o.argv.begin() + 1, {"--tyrant", a.tyrant});
  o.clone_flags = clone_flags(ctx.namespaces);
  o.death_signal = SIGKILL;
  // --repeat: the driver plays the running emperor, so each figure is one spawn as the
  // emperor would pay it: clone into the namespaces, exec, jail, worker, exit, reaped.
  for (int i = 0; i < std::max(a.repeat, 1); ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto code = run_to_exit(o);
    if (!code) return 2;
    if (a.repeat == 0 || *code != 0) return *code;
    const std::chrono::duration<double, std::milli> ms = std::chrono::steady_clock::now() - t0;
    std::printf("%.3f\n", ms.count());
  }
  return 0;
}
