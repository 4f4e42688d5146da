#include "config/key_table.h"

#include <algorithm>
#include <cmath>

#include "config/text.h"
#include "config/values.h"

namespace emp::config {
namespace {

struct Meta {
  std::string_view name;
  KeySection section;
  ReloadScope reload;
  std::string_view syntax;
  std::string_view doc;
  std::string_view alias = {};
};

template <class T>
using Parse = std::function<Result<T>(std::string_view, const NameCheck&)>;
template <class T>
using Print = std::function<Json(const T&)>;

// How a list key's single value is cut into items.
enum class Split : uint8_t { Whole, Items };

template <class Spec, class T>
KeyDef<Spec> scalar(Meta m, std::optional<T> Spec::*member, Parse<T> parse, Print<T> print) {
  return KeyDef<Spec>{
      m.name, m.alias, m.section, m.reload, false, m.syntax, m.doc,
      [member, parse](Spec& spec, std::string_view value, const NameCheck& check) -> Result<void> {
        EMP_TRY(T parsed, parse(value, check));
        spec.*member = std::move(parsed);  // uWSGI habit: a later scalar wins
        return ok();
      },
      [member, print](const Spec& spec) -> Json {
        return (spec.*member) ? print(*(spec.*member)) : Json();
      }};
}

template <class Spec, class T>
KeyDef<Spec> list(Meta m, std::vector<T> Spec::*member, Split split, Parse<T> parse,
                  Print<T> print) {
  return KeyDef<Spec>{
      m.name, m.alias, m.section, m.reload, true, m.syntax, m.doc,
      [member, parse, split](Spec& spec, std::string_view value,
                             const NameCheck& check) -> Result<void> {
        std::vector<std::string_view> items =
            split == Split::Items ? split_list(value) : std::vector<std::string_view>{value};
        if (items.empty()) return fail("empty value");
        for (auto item : items) {
          EMP_TRY(T parsed, parse(item, check));
          (spec.*member).push_back(std::move(parsed));
        }
        return ok();
      },
      [member, print](const Spec& spec) -> Json {
        if ((spec.*member).empty()) return Json();
        Json out = Json::array();
        for (const auto& item : spec.*member) out.push_back(print(item));
        return out;
      }};
}

// --- parsers and printers for each value type ---

template <class F>
auto plain(F f) {  // a parser that needs no NameCheck
  return [f](std::string_view s, const NameCheck&) { return f(s); };
}

const auto kString = plain([](std::string_view s) -> Result<std::string> {
  if (s.empty()) return fail("empty value");
  return std::string(s);
});
const auto kPrintString = [](const std::string& s) { return Json(s); };
const auto kPath = plain(parse_absolute_path);
const auto kBool = plain(parse_bool);
const auto kPrintBool = [](const bool& b) { return Json(b); };
const auto kSize = plain(parse_size);
const auto kPrintNumber = [](const uint64_t& n) { return Json(n); };
const auto kUser = plain(parse_user);

Parse<uint64_t> count(uint64_t min, uint64_t max) {
  return [min, max](std::string_view s, const NameCheck&) { return parse_count(s, min, max); };
}

Parse<Duration> duration(TimeUnit unit) {
  return [unit](std::string_view s, const NameCheck&) { return parse_duration(s, unit); };
}
Print<Duration> print_duration(TimeUnit unit) {
  return [unit](const Duration& d) {
    const double v = duration_in(d, unit);
    return v == std::floor(v) ? Json(static_cast<int64_t>(v)) : Json(v);
  };
}

template <class E>
struct EnumName {
  std::string_view name;
  E value;
};
template <class E, size_t N>
std::pair<Parse<E>, Print<E>> enumeration(const EnumName<E> (&names)[N]) {
  std::vector<EnumName<E>> table(names, names + N);
  Parse<E> parse = [table](std::string_view s, const NameCheck&) -> Result<E> {
    std::string expected;
    for (const auto& n : table) {
      if (n.name == s) return n.value;
      expected += (expected.empty() ? "" : ", ") + std::string(n.name);
    }
    return fail("invalid value '" + quote_for_message(s) + "' (expected " + expected + ")");
  };
  Print<E> print = [table](const E& e) {
    for (const auto& n : table)
      if (n.value == e) return Json(std::string(n.name));
    return Json();
  };
  return {parse, print};
}

constexpr EnumName<TuntapMode> kTuntapModes[] = {{"native", TuntapMode::Native},
                                                 {"uwsgi", TuntapMode::Uwsgi}};
constexpr EnumName<SeccompMode> kSeccompModes[] = {{"default", SeccompMode::Default},
                                                   {"off", SeccompMode::Off}};
constexpr EnumName<CheaperAlgo> kCheaperAlgos[] = {{"backlog", CheaperAlgo::Backlog},
                                                   {"spare", CheaperAlgo::Spare},
                                                   {"manual", CheaperAlgo::Manual}};
constexpr EnumName<ReloadLazy> kReloadLazy[] = {{"all", ReloadLazy::All},
                                                {"chain", ReloadLazy::Chain}};

std::string strip_cap_prefix(std::string_view s) {
  std::string lower;
  for (char c : s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower.rfind("cap_", 0) == 0 ? lower : "cap_" + lower;
}

const Parse<std::string> kCapability = [](std::string_view s,
                                          const NameCheck& check) -> Result<std::string> {
  if (check.capability && !check.capability(strip_cap_prefix(s)))
    return fail("unknown capability '" + quote_for_message(s) + "'");
  return std::string(s);
};

const Parse<std::string> kSyscall = [](std::string_view s,
                                       const NameCheck& check) -> Result<std::string> {
  if (check.syscall && !check.syscall(s))
    return fail("unknown system call '" + quote_for_message(s) + "'");
  return std::string(s);
};

const auto kHook = plain(parse_hook);
const auto kExecHook = plain(parse_exec_hook);
const auto kPrintHook = [](const Hook& h) { return Json(h.text); };
const auto kRule = plain(parse_firewall_rule);
const auto kPrintRule = [](const FirewallRule& r) { return Json(r.text); };
const auto kPrefix = plain(parse_ip_prefix);
const auto kPrintPrefix = [](const IpPrefix& p) {
  return Json(p.address.to_string() + "/" + std::to_string(p.length));
};
const auto kEncoder = plain(parse_log_encoder);
const auto kPrintEncoder = [](const LogEncoderSpec& e) { return Json(e.text); };
const auto kLogger = plain(parse_logger);
const auto kPrintLogger = [](const LoggerSpec& l) { return Json(l.text); };
const auto kEndpoint = plain(parse_tuntap_endpoint);
const auto kPrintEndpoint = [](const TuntapEndpoint& e) { return Json(e.device + " " + e.socket); };

// unshare and emperor-use-clone: a set of namespaces, printed in canonical order.
Result<void> add_namespaces(NamespaceSet& set, std::string_view value, bool allow_none) {
  const auto items = split_list(value);
  if (items.empty()) return fail("empty value");
  for (auto item : items) {
    if (allow_none && item == "none") continue;
    EMP_TRY(Namespace ns, parse_namespace(item));
    set.add(ns);
  }
  return ok();
}
Json namespaces_json(const NamespaceSet& set) {
  Json out = Json::array();
  for (auto ns : set.members()) out.push_back(namespace_name(ns));
  return out;
}

// Keys that both the emperor's config and vassal files take.
template <class Spec>
void add_logging_keys(std::vector<KeyDef<Spec>>& keys) {
  keys.push_back(list<Spec, LogEncoderSpec>(
      {"log-encoder", KeySection::Logging, ReloadScope::Emperor, "NAME[:LOGGER] [ARGS]",
       "Encoder applied to every log line, in order: prefix, suffix, nl, format, json, gzip, "
       "compress. format/json take a template with ${msg}, ${vassal}, ${strftime:FMT}..."},
      &Spec::log_encoder, Split::Whole, kEncoder, kPrintEncoder));
  keys.push_back(list<Spec, LoggerSpec>(
      {"logger", KeySection::Logging, ReloadScope::Emperor,
       "[NAME ]file:PATH | syslog[:IDENT[,FACILITY[,PRIORITY]]] | stderr",
       "Where log lines go; repeatable. A vassal without loggers uses the emperor's."},
      &Spec::logger, Split::Whole, kLogger, kPrintLogger));
  keys.push_back(scalar<Spec, std::string>(
      {"logto", KeySection::Logging, ReloadScope::Emperor, "PATH",
       "uWSGI shorthand for 'logger = file:PATH'."},
      &Spec::logto, kPath, kPrintString));
}

template <class Spec>
void add_strict_key(std::vector<KeyDef<Spec>>& keys) {
  keys.push_back(scalar<Spec, bool>(
      {"strict", KeySection::General, ReloadScope::Emperor, "BOOL",
       "Unknown keys are errors (default true); false turns them into warnings."},
      &Spec::strict, kBool, kPrintBool));
}

std::vector<KeyDef<VassalSpec>> make_vassal_keys() {
  using S = VassalSpec;
  using K = KeySection;
  using R = ReloadScope;
  std::vector<KeyDef<S>> keys;

  keys.push_back(KeyDef<S>{
      "unshare", "", K::Namespaces, R::Restart, true, "NS[,NS...]",
      "Namespaces to create in addition to the emperor's emperor-use-clone: ipc, uts, "
      "fs|mount|mnt, pid, net, cgroup.",
      [](S& s, std::string_view v, const NameCheck&) { return add_namespaces(s.unshare, v, false); },
      [](const S& s) { return s.unshare.empty() ? Json() : namespaces_json(s.unshare); }});

  keys.push_back(KeyDef<S>{
      "pivot-root", "pivot_root", K::Root, R::Restart, false, "NEW_ROOT OLD_ROOT",
      "Make NEW_ROOT the vassal's root; OLD_ROOT (relative to NEW_ROOT) is where the old root "
      "is put before it is detached and removed.",
      [](S& s, std::string_view v, const NameCheck&) -> Result<void> {
        EMP_TRY(s.pivot_root, parse_pivot_root(v));
        return ok();
      },
      [](const S& s) {
        return s.pivot_root ? Json(s.pivot_root->new_root + " " + s.pivot_root->old_root) : Json();
      }});
  keys.push_back(scalar<S, bool>({"pivot-root-keep-old", K::Root, R::Restart, "BOOL",
                                  "Keep the old root mounted at OLD_ROOT (uWSGI's behaviour; "
                                  "default false: detached and removed)."},
                                 &S::pivot_root_keep_old, kBool, kPrintBool));
  keys.push_back(scalar<S, std::string>(
      {"chroot", K::Root, R::Restart, "PATH", "chroot(2) into PATH (kept for uWSGI configs; "
       "prefer pivot-root, which leaves no way back)."},
      &S::chroot, kPath, kPrintString));
  keys.push_back(scalar<S, bool>({"jail-dev", K::Root, R::Restart, "BOOL",
                                  "Mount a minimal /dev in the new root (null zero full random "
                                  "urandom tty pts shm); default true."},
                                 &S::jail_dev, kBool, kPrintBool));
  keys.push_back(scalar<S, std::string>({"hostname", K::Root, R::Restart, "NAME",
                                         "Host name inside the vassal's UTS namespace."},
                                        &S::hostname, plain(parse_hostname), kPrintString));

  struct HookKey {
    std::string_view name;
    std::vector<Hook> S::*member;
    bool exec;
    std::string_view doc;
  };
  const HookKey hook_keys[] = {
      {"exec-pre-jail", &S::exec_pre_jail, true,
       "Command run before the root changes (host filesystem, vassal namespaces)."},
      {"exec-post-jail", &S::exec_post_jail, true, "Command run after the root changed."},
      {"exec-as-root", &S::exec_as_root, true,
       "Command run in the jail with /proc mounted and all capabilities, before "
       "privileges drop."},
      {"exec-as-user", &S::exec_as_user, true, "Command run after privileges drop."},
      {"hook-pre-jail", &S::hook_pre_jail, false, "Hook action (ACTION:ARGS) before the root changes."},
      {"hook-post-jail", &S::hook_post_jail, false, "Hook action after the root changed."},
      {"hook-as-root", &S::hook_as_root, false, "Hook action before privileges drop."},
      {"hook-as-user", &S::hook_as_user, false, "Hook action after privileges drop."},
  };
  for (const auto& h : hook_keys)
    keys.push_back(list<S, Hook>(
        {h.name, K::Hooks, R::Restart, h.exec ? "COMMAND" : "ACTION:ARGS", h.doc},
        h.member, Split::Whole, h.exec ? kExecHook : kHook, kPrintHook));

  keys.push_back(scalar<S, std::string>({"uid", K::Identity, R::Restart, "USER",
                                         "User (name or number) the workers run as."},
                                        &S::uid, kUser, kPrintString));
  keys.push_back(scalar<S, std::string>(
      {"gid", K::Identity, R::Restart, "GROUP",
       "Group (name or number); default: the primary group of uid."},
      &S::gid, kUser, kPrintString));
  keys.push_back(list<S, std::string>({"add-gid", K::Identity, R::Restart, "GROUP[,GROUP...]",
                                       "Extra supplementary groups."},
                                      &S::add_gid, Split::Items, kUser, kPrintString));
  keys.push_back(scalar<S, bool>(
      {"initgroups", K::Identity, R::Restart, "BOOL",
       "Give the workers the supplementary groups of uid from the group database (default "
       "true when uid is a name)."},
      &S::initgroups, kBool, kPrintBool));
  keys.push_back(list<S, std::string>(
      {"cap", K::Identity, R::Restart, "CAP[,CAP...]",
       "Capabilities the workers keep (net_bind_service or cap_net_bind_service); every "
       "other one is dropped from all sets."},
      &S::cap, Split::Items, kCapability, kPrintString));

  const auto [seccomp_parse, seccomp_print] = enumeration(kSeccompModes);
  keys.push_back(scalar<S, SeccompMode>(
      {"seccomp", K::Seccomp, R::Restart, "default|off",
       "The tenant syscall filter (default) or none (off)."},
      &S::seccomp, seccomp_parse, seccomp_print));
  keys.push_back(list<S, std::string>({"seccomp-deny", K::Seccomp, R::Restart, "SYSCALL[,...]",
                                       "More system calls to deny with EPERM."},
                                      &S::seccomp_deny, Split::Items, kSyscall, kPrintString));
  keys.push_back(list<S, std::string>(
      {"seccomp-allow", K::Seccomp, R::Restart, "SYSCALL[,...]",
       "System calls the default profile denies that this vassal may use."},
      &S::seccomp_allow, Split::Items, kSyscall, kPrintString));
  keys.push_back(scalar<S, bool>({"seccomp-log", K::Seccomp, R::Restart, "BOOL",
                                  "Log denied calls instead of denying them (to build a profile)."},
                                 &S::seccomp_log, kBool, kPrintBool));

  keys.push_back(scalar<S, TuntapEndpoint>(
      {"tuntap-device", K::Network, R::Restart, "DEV SOCKET",
       "Create tun device DEV in the vassal's network namespace, attached to the emperor's "
       "router that listens on SOCKET."},
      &S::tuntap_device, kEndpoint, kPrintEndpoint));
  const auto [mode_parse, mode_print] = enumeration(kTuntapModes);
  keys.push_back(scalar<S, TuntapMode>(
      {"tuntap-device-mode", K::Network, R::Restart, "native|uwsgi",
       "native: the device is handed to our router; uwsgi: connect to SOCKET and speak "
       "uWSGI's framing (for a uWSGI router)."},
      &S::tuntap_device_mode, mode_parse, mode_print));
  keys.push_back(list<S, IpPrefix>(
      {"net-address", K::Network, R::Restart, "CIDR[,CIDR...]",
       "Address of the vassal's device (IPv4 or IPv6); the router accepts packets only "
       "from these."},
      &S::net_address, Split::Items, kPrefix, kPrintPrefix));
  keys.push_back(list<S, IpAddress>(
      {"net-gateway", K::Network, R::Restart, "IP[,IP...]",
       "Default route through this address (one per address family)."},
      &S::net_gateway, Split::Items, plain(parse_ip_address),
      [](const IpAddress& a) { return Json(a.to_string()); }));
  keys.push_back(scalar<S, bool>({"net-loopback", K::Network, R::Restart, "BOOL",
                                  "Bring lo up in a new network namespace (default true)."},
                                 &S::net_loopback, kBool, kPrintBool));
  keys.push_back(scalar<S, uint64_t>({"net-mtu", K::Network, R::Restart, "BYTES",
                                      "MTU of the vassal's device (default 1500)."},
                                     &S::net_mtu, count(68, 65535), kPrintNumber));
  keys.push_back(list<S, FirewallRule>(
      {"tuntap-firewall-in", K::Network, R::Restart, "RULE",
       "Router rule for packets toward this vassal (enforced by the emperor)."},
      &S::tuntap_firewall_in, Split::Whole, kRule, kPrintRule));
  keys.push_back(list<S, FirewallRule>(
      {"tuntap-firewall-out", K::Network, R::Restart, "RULE",
       "Router rule for packets from this vassal (enforced by the emperor)."},
      &S::tuntap_firewall_out, Split::Whole, kRule, kPrintRule));

  keys.push_back(scalar<S, std::string>(
      {"command", K::Workers, R::Workers, "COMMAND",
       "What each worker runs: plain words exec'd directly, else with /bin/sh -c."},
      &S::command, kString, kPrintString));
  keys.push_back(scalar<S, uint64_t>({"processes", K::Workers, R::Workers, "N",
                                      "Workers (the maximum with cheaper); default 1.",
                                      "workers"},
                                     &S::processes, count(1, 4096), kPrintNumber));
  keys.push_back(scalar<S, uint64_t>({"cheaper", K::Workers, R::Workers, "N",
                                      "Minimum workers; enables the cheaper mode (< processes)."},
                                     &S::cheaper, count(0, 4096), kPrintNumber));
  keys.push_back(scalar<S, uint64_t>({"cheaper-initial", K::Workers, R::Workers, "N",
                                      "Workers started first in cheaper mode."},
                                     &S::cheaper_initial, count(1, 4096), kPrintNumber));
  keys.push_back(scalar<S, uint64_t>({"cheaper-step", K::Workers, R::Workers, "N",
                                      "Workers added at a time when the pool grows."},
                                     &S::cheaper_step, count(1, 4096), kPrintNumber));
  const auto [algo_parse, algo_print] = enumeration(kCheaperAlgos);
  keys.push_back(scalar<S, CheaperAlgo>(
      {"cheaper-algo", K::Workers, R::Workers, "backlog|spare|manual",
       "How the pool decides to grow: listen backlog (default), busy workers, or only on "
       "request."},
      &S::cheaper_algo, algo_parse, algo_print));
  keys.push_back(scalar<S, uint64_t>({"cheaper-overload", K::Workers, R::Workers, "N",
                                      "Backlog length (or busy workers) that grows the pool; default 3."},
                                     &S::cheaper_overload, count(1, 1'000'000), kPrintNumber));
  keys.push_back(scalar<S, uint64_t>(
      {"cheaper-rss-limit-soft", K::Workers, R::Workers, "SIZE",
       "At or above this total RSS of the workers the pool does not grow."},
      &S::cheaper_rss_limit_soft, kSize, kPrintNumber));
  keys.push_back(scalar<S, uint64_t>(
      {"cheaper-rss-limit-hard", K::Workers, R::Workers, "SIZE",
       "Above this total RSS the largest worker is retired (never the last one)."},
      &S::cheaper_rss_limit_hard, kSize, kPrintNumber));
  keys.push_back(scalar<S, bool>({"memory-report", K::Workers, R::Workers, "BOOL",
                                  "Log each worker's RSS and PSS."},
                                 &S::memory_report, kBool, kPrintBool));
  keys.push_back(list<S, SocketAddress>(
      {"socket", K::Workers, R::Restart, "PATH | HOST:PORT | [IPV6]:PORT",
       "Listening socket bound by the vassal and passed to workers (LISTEN_FDS)."},
      &S::socket, Split::Whole, plain(parse_socket_address),
      [](const SocketAddress& a) { return Json(a.text); }));
  keys.push_back(scalar<S, uint64_t>(
      {"chmod-socket", K::Workers, R::Restart, "MODE", "Permissions of unix sockets (octal)."},
      &S::chmod_socket, plain(parse_octal_mode),
      [](const uint64_t& m) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "%03o", static_cast<unsigned>(m));
        return Json(std::string(buf));
      }));
  keys.push_back(scalar<S, std::string>({"chown-socket", K::Workers, R::Restart, "USER[:GROUP]",
                                         "Owner of unix sockets."},
                                        &S::chown_socket, plain(parse_owner), kPrintString));
  keys.push_back(list<S, std::string>({"env", K::Workers, R::Workers, "NAME=VALUE",
                                       "Environment variable for the workers."},
                                      &S::env, Split::Whole, plain(parse_env_assignment),
                                      kPrintString));
  keys.push_back(scalar<S, std::string>({"chdir", K::Workers, R::Workers, "PATH",
                                         "Working directory of the workers (inside the jail)."},
                                        &S::chdir, kPath, kPrintString));
  keys.push_back(scalar<S, Duration>(
      {"reload-mercy", K::Workers, R::Workers, "SECONDS",
       "How long a stop waits for workers after SIGTERM before SIGKILL; default 30."},
      &S::reload_mercy, duration(TimeUnit::Seconds), print_duration(TimeUnit::Seconds)));
  keys.push_back(scalar<S, Duration>(
      {"worker-reload-mercy", K::Workers, R::Workers, "SECONDS",
       "How long a retired or reloaded worker may take to exit; default 60."},
      &S::worker_reload_mercy, duration(TimeUnit::Seconds), print_duration(TimeUnit::Seconds)));
  keys.push_back(scalar<S, bool>(
      {"shutdown-wait-all", K::Workers, R::Workers, "BOOL",
       "On stop, wait for every process of the pid namespace, not only the workers."},
      &S::shutdown_wait_all, kBool, kPrintBool));
  const auto [lazy_parse, lazy_print] = enumeration(kReloadLazy);
  keys.push_back(scalar<S, ReloadLazy>(
      {"reload-lazy", K::Workers, R::Workers, "all|chain",
       "Reload all workers at once (all) or one at a time (chain)."},
      &S::reload_lazy, lazy_parse, lazy_print));
  keys.push_back(scalar<S, Duration>(
      {"max-worker-lifetime", K::Workers, R::Workers, "SECONDS",
       "Recycle a worker after it has run this long."},
      &S::max_worker_lifetime, duration(TimeUnit::Seconds), print_duration(TimeUnit::Seconds)));
  keys.push_back(scalar<S, uint64_t>({"reload-on-rss", K::Workers, R::Workers, "SIZE",
                                      "Recycle a worker whose RSS exceeds SIZE."},
                                     &S::reload_on_rss, kSize, kPrintNumber));
  keys.push_back(scalar<S, Duration>(
      {"worker-watchdog", K::Workers, R::Workers, "SECONDS",
       "Replace a worker that sent WATCHDOG=1 once and then stays silent this long."},
      &S::worker_watchdog, duration(TimeUnit::Seconds), print_duration(TimeUnit::Seconds)));

  add_logging_keys(keys);
  add_strict_key(keys);
  return keys;
}

std::vector<KeyDef<EmperorSpec>> make_emperor_keys() {
  using S = EmperorSpec;
  using K = KeySection;
  using R = ReloadScope;
  std::vector<KeyDef<S>> keys;
  keys.push_back(scalar<S, std::string>({"emperor", K::Emperor, R::Restart, "DIR",
                                         "The vassal directory (default /etc/vassals)."},
                                        &S::emperor, kPath, kPrintString));
  keys.push_back(KeyDef<S>{
      "emperor-use-clone", "", K::Emperor, R::Restart, true, "NS[,NS...] | none",
      "Namespaces every vassal is cloned into (default ipc,uts,mount,pid,net).",
      [](S& s, std::string_view v, const NameCheck&) -> Result<void> {
        if (!s.emperor_use_clone) s.emperor_use_clone = NamespaceSet{};
        return add_namespaces(*s.emperor_use_clone, v, true);
      },
      [](const S& s) { return s.emperor_use_clone ? namespaces_json(*s.emperor_use_clone) : Json(); }});
  keys.push_back(scalar<S, bool>(
      {"emperor-tyrant", K::Emperor, R::Restart, "BOOL",
       "Run each vassal as the owner of its file; refuse files others can write."},
      &S::emperor_tyrant, kBool, kPrintBool));
  keys.push_back(scalar<S, Duration>(
      {"emperor-throttle", K::Emperor, R::Restart, "MILLISECONDS",
       "First backoff delay for a vassal that dies young (default 1000)."},
      &S::emperor_throttle, duration(TimeUnit::Milliseconds),
      print_duration(TimeUnit::Milliseconds)));
  keys.push_back(scalar<S, Duration>(
      {"emperor-max-throttle", K::Emperor, R::Restart, "MILLISECONDS",
       "Largest backoff delay (default 180000)."},
      &S::emperor_max_throttle, duration(TimeUnit::Milliseconds),
      print_duration(TimeUnit::Milliseconds)));
  keys.push_back(scalar<S, std::string>(
      {"runtime-dir", K::Emperor, R::Restart, "DIR",
       "Control socket and status.json live here (default /run/emperor)."},
      &S::runtime_dir, kPath, kPrintString));
  keys.push_back(list<S, TuntapEndpoint>(
      {"tuntap-router", K::Router, R::Restart, "DEV SOCKET",
       "Create tun device DEV in the emperor's namespace and a router listening on SOCKET."},
      &S::tuntap_router, Split::Whole, kEndpoint, kPrintEndpoint));
  keys.push_back(list<S, RouterAddress>(
      {"tuntap-router-address", K::Router, R::Restart, "[DEV] CIDR",
       "Address of a router device (default: the first tuntap-router device)."},
      &S::tuntap_router_address, Split::Whole,
      plain([](std::string_view v) -> Result<RouterAddress> {
        const auto words = split_words(v);
        if (words.empty() || words.size() > 2) return fail("expected '[DEV] CIDR'");
        RouterAddress a;
        if (words.size() == 2) {
        EMP_TRY(a.device, parse_interface_name(words[0]));
      }
        EMP_TRY(a.address, parse_ip_prefix(words.back()));
        return a;
      }),
      [](const RouterAddress& a) {
        const auto cidr = a.address.address.to_string() + "/" + std::to_string(a.address.length);
        return Json(a.device.empty() ? cidr : a.device + " " + cidr);
      }));
  keys.push_back(list<S, FirewallRule>(
      {"tuntap-router-firewall-in", K::Router, R::Restart, "RULE",
       "Rule for packets toward vassals; first match wins."},
      &S::tuntap_router_firewall_in, Split::Whole, kRule, kPrintRule));
  keys.push_back(list<S, FirewallRule>(
      {"tuntap-router-firewall-out", K::Router, R::Restart, "RULE",
       "Rule for packets from vassals; first match wins."},
      &S::tuntap_router_firewall_out, Split::Whole, kRule, kPrintRule));
  keys.push_back(list<S, Hook>({"exec-as-root", K::Emperor, R::Restart, "COMMAND",
                                "Command the emperor runs at start, after its routers "
                                "exist (e.g. ifconfig emperor0 ...)."},
                               &S::exec_as_root, Split::Whole, kExecHook, kPrintHook));
  add_logging_keys(keys);
  keys.push_back(scalar<S, uint64_t>({"log-ring-lines", K::Logging, R::Emperor, "N",
                                      "Lines kept per vassal for 'emperor logs' (default 1000)."},
                                     &S::log_ring_lines, count(1, 10'000'000), kPrintNumber));
  add_strict_key(keys);
  return keys;
}

}  // namespace

const char* section_title(KeySection s) {
  switch (s) {
    case KeySection::Namespaces: return "Namespaces";
    case KeySection::Root: return "Root and hostname";
    case KeySection::Hooks: return "Hooks";
    case KeySection::Identity: return "Identity and capabilities";
    case KeySection::Seccomp: return "Seccomp";
    case KeySection::Network: return "Network";
    case KeySection::Workers: return "Workers";
    case KeySection::Logging: return "Logging";
    case KeySection::General: return "General";
    case KeySection::Emperor: return "Emperor";
    case KeySection::Router: return "TunTap router";
  }
  return "?";
}

const std::vector<KeyDef<VassalSpec>>& vassal_keys() {
  static const auto keys = make_vassal_keys();
  return keys;
}

const std::vector<KeyDef<EmperorSpec>>& emperor_keys() {
  static const auto keys = make_emperor_keys();
  return keys;
}

bool is_uwsgi_app_server_key(std::string_view name) {
  static constexpr std::string_view kKeys[] = {
      "master", "module", "wsgi-file", "wsgi", "psgi-file", "psgi", "rack", "plugin", "plugins",
      "http", "http-socket", "https", "uwsgi-socket", "callable", "mount", "manage-script-name",
      "threads", "enable-threads", "vacuum", "die-on-term", "harakiri", "buffer-size",
      "static-map", "virtualenv", "home", "venv", "pythonpath", "lazy-apps", "max-requests",
      "pidfile", "daemonize", "stats", "touch-reload", "need-app", "single-interpreter",
      "py-autoreload", "route", "cron", "spooler", "mule", "offload-threads", "async", "gevent"};
  return std::find(std::begin(kKeys), std::end(kKeys), name) != std::end(kKeys);
}

std::string uwsgi_replaced_key_hint(std::string_view name) {
  struct Replaced {
    std::string_view key, instead;
  };
  static constexpr Replaced kReplaced[] = {
      {"tuntap-device-rule",
       "write the vassal's rules as 'tuntap-firewall-in' / 'tuntap-firewall-out' (the router "
       "enforces them; docs/firewall.md)"},
      {"tuntap-router-stats", "the router's stats are in 'emperor status' (docs/router.md)"},
  };
  for (const auto& r : kReplaced)
    if (r.key == name) return "'" + std::string(name) + "' is uWSGI's; " + std::string(r.instead);
  return {};
}

}  // namespace emp::config
