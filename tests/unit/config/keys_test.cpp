// Every key of both tables: a valid value and its JSON form, a bad value and its message;
// unknown-key messages; the generated docs match the tables.
#include <doctest/doctest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "config/key_docs.h"
#include "config/spec_json.h"
#include "tests/unit/config/memory_env.h"

namespace emp::config {
namespace {

using test::MemoryFs;
using test::messages;

struct Case {
  const char* key;
  const char* value;
  const char* json;          // the key's value in the spec's JSON form
  const char* extra = "";    // other lines the key needs to be valid
};

// The base makes every vassal valid; the case's key is appended.
const char* kBase = "[uwsgi]\ncommand = run\n";

const Case kVassalCases[] = {
    {"unshare", "ipc fs,mnt pid net cgroup uts", R"(["ipc","uts","mount","pid","net","cgroup"])"},
    {"pivot-root", "/srv/r /srv/r/old", R"("/srv/r old")"},
    {"pivot-root-keep-old", "yes", "true", "pivot-root = /srv/r old\n"},
    {"chroot", "/srv/r", R"("/srv/r")"},
    {"jail-dev", "off", "false"},
    {"hostname", "web1", R"("web1")"},
    {"exec-pre-jail", "mkdir -p /srv/x", R"(["mkdir -p /srv/x"])"},
    {"exec-post-jail", "true", R"(["true"])"},
    {"exec-as-root", "ifconfig uwsgi0 192.168.0.2 netmask 255.255.255.0 up",
     R"(["ifconfig uwsgi0 192.168.0.2 netmask 255.255.255.0 up"])"},
    {"exec-as-user", "id", R"(["id"])"},
    {"hook-pre-jail", "mkdir:/srv/x", R"(["mkdir:/srv/x"])"},
    {"hook-post-jail", "mount:proc none /proc", R"(["mount:proc none /proc"])"},
    {"hook-as-root", "hostname:web", R"(["hostname:web"])"},
    {"hook-as-user", "write:/tmp/x hi", R"(["write:/tmp/x hi"])"},
    {"uid", "www-data", R"("www-data")"},
    {"gid", "33", R"("33")"},
    {"add-gid", "adm, 4", R"(["adm","4"])"},
    {"initgroups", "false", "false"},
    {"cap", "net_bind_service,CAP_CHOWN", R"(["net_bind_service","CAP_CHOWN"])"},
    {"seccomp", "off", R"("off")"},
    {"seccomp-deny", "keyctl ptrace", R"(["keyctl","ptrace"])"},
    {"seccomp-allow", "perf_event_open", R"(["perf_event_open"])"},
    {"seccomp-log", "true", "true"},
    {"tuntap-device", "uwsgi0 /run/t.sock", R"("uwsgi0 /run/t.sock")"},
    {"tuntap-device-mode", "uwsgi", R"("uwsgi")", "tuntap-device = t0 /run/t.sock\n"},
    {"net-address", "10.0.0.2/24, fd00::2/64", R"(["10.0.0.2/24","fd00::2/64"])",
     "tuntap-device = t0 /run/t.sock\n"},
    {"net-gateway", "10.0.0.1", R"(["10.0.0.1"])",
     "tuntap-device = t0 /run/t.sock\nnet-address = 10.0.0.2/24\n"},
    {"net-loopback", "false", "false"},
    {"net-mtu", "9000", "9000", "tuntap-device = t0 /run/t.sock\n"},
    {"tuntap-firewall-in", "allow 10.0.0.0/8 any", R"(["allow 10.0.0.0/8 any"])",
     "tuntap-device = t0 /run/t.sock\n"},
    {"tuntap-firewall-out", "deny", R"(["deny"])", "tuntap-device = t0 /run/t.sock\n"},
    {"command", "sleep 1", R"("sleep 1")"},
    {"processes", "8", "8"},
    {"cheaper", "2", "2", "processes = 4\n"},
    {"cheaper-initial", "3", "3", "processes = 4\ncheaper = 2\n"},
    {"cheaper-step", "2", "2", "processes = 4\ncheaper = 1\n"},
    {"cheaper-algo", "spare", R"("spare")", "processes = 4\ncheaper = 1\n"},
    {"cheaper-overload", "5", "5", "processes = 4\ncheaper = 1\n"},
    {"cheaper-rss-limit-soft", "128M", "134217728"},
    {"cheaper-rss-limit-hard", "1G", "1073741824"},
    {"memory-report", "on", "true"},
    {"socket", "127.0.0.1:8080", R"(["127.0.0.1:8080"])"},
    {"chmod-socket", "660", R"("660")", "socket = /run/a.sock\n"},
    {"chown-socket", "www:www", R"("www:www")", "socket = /run/a.sock\n"},
    {"env", "LANG=C.UTF-8", R"(["LANG=C.UTF-8"])"},
    {"chdir", "/srv/app", R"("/srv/app")"},
    {"reload-mercy", "10", "10"},
    {"worker-reload-mercy", "1500ms", "1.5"},
    {"shutdown-wait-all", "true", "true"},
    {"reload-lazy", "chain", R"("chain")"},
    {"max-worker-lifetime", "1h", "3600"},
    {"reload-on-rss", "512M", "536870912"},
    {"worker-watchdog", "30", "30"},
    {"log-encoder", "prefix [web]", R"(["prefix [web]"])"},
    {"logger", "file:/var/log/web.log", R"(["file:/var/log/web.log"])"},
    {"logto", "/var/log/web.log", R"("/var/log/web.log")"},
    {"strict", "false", "false"},
};

struct BadCase {
  const char* key;
  const char* value;
  const char* message;
};

const BadCase kVassalBad[] = {
    {"unshare", "user", "unknown namespace 'user' (expected ipc, uts, fs|mount|mnt, pid, net or cgroup)"},
    {"pivot-root", "/srv/r", "expected 'NEW_ROOT OLD_ROOT', got '/srv/r'"},
    {"pivot-root-keep-old", "sure", "invalid boolean 'sure' (expected true or false)"},
    {"chroot", "srv", "path 'srv' is not absolute (it must start with /)"},
    {"jail-dev", "2", "invalid boolean '2' (expected true or false)"},
    {"hostname", "a_b", "invalid hostname 'a_b' (letters, digits, '-' and '.', at most 64 characters)"},
    {"exec-pre-jail", " ", "empty command"},
    {"exec-post-jail", "", "empty command"},
    {"exec-as-root", "", "empty command"},
    {"exec-as-user", "", "empty command"},
    {"hook-pre-jail", "nope", "invalid hook 'nope': expected ACTION:ARGS, e.g. mkdir:/tmp/x"},
    {"hook-post-jail", "rmrf:/", "invalid hook 'rmrf:/': unknown action 'rmrf'"},
    {"hook-as-root", "mount:x y", "invalid hook 'mount:x y': mount needs FS SRC DST [FLAGS [DATA]]"},
    {"hook-as-user", "chmod:/x", "invalid hook 'chmod:/x': chmod needs PATH MODE"},
    {"uid", "a b", "invalid user or group 'a b' (a name or a number)"},
    {"gid", "-1", "invalid user or group '-1' (a name or a number)"},
    {"add-gid", "a:b", "invalid user or group 'a:b' (a name or a number)"},
    {"initgroups", "x", "invalid boolean 'x' (expected true or false)"},
    {"cap", "net_bind_servic", "unknown capability 'net_bind_servic'"},
    {"seccomp", "strict", "invalid value 'strict' (expected default, off)"},
    {"seccomp-deny", "not_a_syscall", "unknown system call 'not_a_syscall'"},
    {"seccomp-allow", "opne", "unknown system call 'opne'"},
    {"seccomp-log", "y", "invalid boolean 'y' (expected true or false)"},
    {"tuntap-device", "uwsgi0", "expected 'DEV SOCKET', got 'uwsgi0'"},
    {"tuntap-device-mode", "kernel", "invalid value 'kernel' (expected native, uwsgi)"},
    {"net-address", "10.0.0.300/24", "invalid address '10.0.0.300/24': 10.0.0.300 is not an IP address"},
    {"net-gateway", "gw", "invalid IP address 'gw'"},
    {"net-loopback", "maybe", "invalid boolean 'maybe' (expected true or false)"},
    {"net-mtu", "20", "invalid number '20' (expected a whole number from 68 to 65535)"},
    {"tuntap-firewall-in", "drop any any",
     "invalid firewall rule 'drop any any': unknown action 'drop' (expected allow or deny)"},
    {"tuntap-firewall-out", "allow any", "invalid firewall rule 'allow any': a rule needs both SRC and DST (use 'any' for any address)"},
    {"command", "", "empty value"},
    {"processes", "0", "invalid number '0' (expected a whole number from 1 to 4096)"},
    {"cheaper", "x", "invalid number 'x' (expected a whole number from 0 to 4096)"},
    {"cheaper-initial", "0", "invalid number '0' (expected a whole number from 1 to 4096)"},
    {"cheaper-step", "-1", "invalid number '-1' (expected a whole number from 1 to 4096)"},
    {"cheaper-algo", "busyness", "invalid value 'busyness' (expected backlog, spare, manual)"},
    {"cheaper-overload", "0", "invalid number '0' (expected a whole number from 1 to 1000000)"},
    {"cheaper-rss-limit-soft", "lots",
     "invalid size 'lots' (expected bytes with an optional unit K, M, G or T, e.g. 256M)"},
    {"cheaper-rss-limit-hard", "1X", "invalid size '1X' (expected bytes with an optional unit K, M, G or T, e.g. 256M)"},
    {"memory-report", "verbose", "invalid boolean 'verbose' (expected true or false)"},
    {"socket", "nowhere", "invalid socket 'nowhere' (expected /PATH, HOST:PORT or [IPV6]:PORT)"},
    {"chmod-socket", "rw", "invalid mode 'rw' (expected octal permissions such as 660)"},
    {"chown-socket", "a b", "invalid user or group 'a b' (a name or a number)"},
    {"env", "=x", "invalid environment assignment '=x' (expected NAME=VALUE)"},
    {"chdir", "app", "path 'app' is not absolute (it must start with /)"},
    {"reload-mercy", "forever",
     "invalid duration 'forever' (expected a number of seconds, or one with a unit: 500ms, 30s, 5m, 1h)"},
    {"worker-reload-mercy", "-3",
     "invalid duration '-3' (expected a number of seconds, or one with a unit: 500ms, 30s, 5m, 1h)"},
    {"shutdown-wait-all", "all", "invalid boolean 'all' (expected true or false)"},
    {"reload-lazy", "lazy", "invalid value 'lazy' (expected all, chain)"},
    {"max-worker-lifetime", "1d",
     "invalid duration '1d' (expected a number of seconds, or one with a unit: 500ms, 30s, 5m, 1h)"},
    {"reload-on-rss", "big", "invalid size 'big' (expected bytes with an optional unit K, M, G or T, e.g. 256M)"},
    {"worker-watchdog", "x", "invalid duration 'x' (expected a number of seconds, or one with a unit: 500ms, 30s, 5m, 1h)"},
    {"log-encoder", "nope", "invalid log-encoder 'nope': unknown encoder 'nope' (expected prefix, suffix, nl, format, json, gzip or compress)"},
    {"logger", "file:x", "invalid logger 'file:x': file needs an absolute path, e.g. file:/var/log/x.log"},
    {"logto", "x.log", "path 'x.log' is not absolute (it must start with /)"},
    {"strict", "very", "invalid boolean 'very' (expected true or false)"},
};

TEST_CASE("every vassal key: a valid value and its JSON form") {
  std::set<std::string> covered;
  for (const auto& c : kVassalCases) {
    CAPTURE(c.key);
    MemoryFs fs;
    fs.files["/v/k.ini"] = std::string(kBase) + c.extra + c.key + " = " + c.value + "\n";
    auto l = load_vassal("/v/k.ini", fs.load_env());
    REQUIRE_MESSAGE(l.ok(), messages(l.diagnostics));
    const auto j = nlohmann::json::parse(to_json(*l.spec));
    REQUIRE(j.contains(c.key));
    CHECK(j[c.key].dump() == c.json);
    covered.insert(c.key);
  }
  for (const auto& def : vassal_keys()) CHECK_MESSAGE(covered.count(std::string(def.name)), def.name);
}

TEST_CASE("every vassal key: a bad value names file, line, key and the problem") {
  std::set<std::string> covered;
  for (const auto& c : kVassalBad) {
    CAPTURE(c.key);
    MemoryFs fs;
    fs.files["/v/k.ini"] = std::string(kBase) + "\n" + c.key + " = " + c.value + "\n";
    CHECK(messages(load_vassal("/v/k.ini", fs.load_env()).diagnostics) ==
          std::vector<std::string>{"/v/k.ini:4: error: '" + std::string(c.key) + "': " + c.message});
    covered.insert(c.key);
  }
  for (const auto& def : vassal_keys()) CHECK_MESSAGE(covered.count(std::string(def.name)), def.name);
}

TEST_CASE("keys that only make sense together") {
  struct Pair {
    const char* lines;
    const char* message;
  };
  const Pair pairs[] = {
      {"processes = 4\ncheaper = 4\n", "/v/k.ini:4: error: cheaper (4) must be less than processes (4)"},
      {"cheaper = 1\n", "/v/k.ini:3: error: cheaper (1) must be less than processes (1)"},
      {"processes = 4\ncheaper = 2\ncheaper-initial = 1\n",
       "/v/k.ini:5: error: cheaper-initial (1) must be between cheaper (2) and processes (4)"},
      {"cheaper-step = 2\n", "/v/k.ini:3: error: 'cheaper-step' needs 'cheaper'"},
      {"cheaper-rss-limit-soft = 1G\ncheaper-rss-limit-hard = 512M\n",
       "/v/k.ini:4: error: cheaper-rss-limit-hard (512M) must be greater than cheaper-rss-limit-soft (1G)"},
      {"cheaper-rss-limit-soft = 1000\ncheaper-rss-limit-hard = 1000\n",
       "/v/k.ini:4: error: cheaper-rss-limit-hard (1000 bytes) must be greater than cheaper-rss-limit-soft (1000 bytes)"},
      {"pivot-root = /a old\nchroot = /b\n", "/v/k.ini:4: error: 'pivot-root' and 'chroot' cannot both be set"},
      {"pivot-root-keep-old = true\n", "/v/k.ini:3: error: 'pivot-root-keep-old' needs 'pivot-root'"},
      {"net-address = 10.0.0.2/24\n", "/v/k.ini:3: error: 'net-address' needs 'tuntap-device'"},
      {"tuntap-device = t0 /r.sock\nnet-address = 10.0.0.2/24\nnet-gateway = fd00::1\n",
       "/v/k.ini:5: error: net-gateway fd00::1 has no net-address of its family to route from"},
      {"tuntap-device = t0 /r.sock\nnet-address = 10.0.0.2/24\nnet-gateway = 10.0.0.1,10.0.0.3\n",
       "/v/k.ini:5: error: more than one net-gateway for IPv4"},
      {"seccomp = off\nseccomp-deny = keyctl\n", "/v/k.ini:4: error: 'seccomp-deny' has no effect with 'seccomp = off'"},
      {"socket = :80\nsocket = :80\n", "/v/k.ini:4: error: socket ':80' is listed twice"},
      {"socket = :80\nchmod-socket = 600\n", "/v/k.ini:4: error: 'chmod-socket'/'chown-socket' need a unix 'socket'"},
  };
  for (const auto& p : pairs) {
    CAPTURE(p.lines);
    MemoryFs fs;
    fs.files["/v/k.ini"] = std::string(kBase) + p.lines;
    CHECK(messages(load_vassal("/v/k.ini", fs.load_env()).diagnostics) == std::vector<std::string>{p.message});
  }
  MemoryFs fs;
  fs.files["/v/k.ini"] = "[uwsgi]\nhostname = x\n";
  CHECK(messages(load_vassal("/v/k.ini", fs.load_env()).diagnostics) ==
        std::vector<std::string>{"/v/k.ini: error: no 'command': a vassal needs a command for its workers to run"});
}

TEST_CASE("unknown keys: suggestions, uWSGI app-server keys, the wrong file; strict = false") {
  MemoryFs fs;
  fs.files["/v/k.ini"] = R"([uwsgi]
command = run
hostnmae = x
module = app:application
emperor-tyrant = true
frobnicate = 1
)";
  const std::vector<std::string> expected{
      "/v/k.ini:3: error: unknown key 'hostnmae'; did you mean 'hostname'?",
      "/v/k.ini:4: error: 'module' belongs to uWSGI's application server; Emperor runs your application "
      "with 'command' (e.g. command = uwsgi --ini app.ini)",
      "/v/k.ini:5: error: 'emperor-tyrant' is an emperor setting; put it in the emperor's config (emperor run --config FILE)",
      "/v/k.ini:6: error: unknown key 'frobnicate'"};
  CHECK(messages(load_vassal("/v/k.ini", fs.load_env()).diagnostics) == expected);

  fs.files["/v/k.ini"] += "strict = false\n";  // even when it comes last
  auto l = load_vassal("/v/k.ini", fs.load_env());
  CHECK(l.ok());
  REQUIRE(l.diagnostics.size() == 4);
  CHECK(l.diagnostics[0].to_string() == "/v/k.ini:3: warning: unknown key 'hostnmae'; did you mean 'hostname'?");

  fs.files["/e.ini"] = "[emperor]\ncommand = run\nemperor = /etc/vassals\n";
  CHECK(messages(load_emperor("/e.ini", fs.load_env()).diagnostics) ==
        std::vector<std::string>{"/e.ini:2: error: 'command' is a vassal setting; put it in a vassal file"});
}

TEST_CASE("the emperor's config: every key") {
  MemoryFs fs;
  fs.files["/e.toml"] = R"(emperor = "/srv/vassals"
emperor-use-clone = "ipc,uts,fs,pid,net,cgroup"
emperor-tyrant = true
emperor-throttle = 500
emperor-max-throttle = "1m"
runtime-dir = "/run/emp2"
tuntap-router = ["emperor0 /run/emp2/tuntap.sock", "emperor1 /run/emp2/t1.sock"]
tuntap-router-address = ["192.168.0.1/24", "emperor1 fd00::1/64"]
tuntap-router-firewall-in = ["allow any 192.168.0.0/24", "deny"]
tuntap-router-firewall-out = "deny 192.168.0.0/24 10.0.0.0/8"
exec-as-root = "ifconfig emperor0 192.168.0.1 netmask 255.255.255.0 up"
log-encoder = "json:file {\"m\":\"${msg}\"}"
logger = "file:/var/log/emperor.log"
logto = "/var/log/e2.log"
log-ring-lines = 5000
strict = true
)";
  auto l = load_emperor("/e.toml", fs.load_env());
  REQUIRE_MESSAGE(l.ok(), messages(l.diagnostics));
  const auto j = nlohmann::json::parse(to_json(*l.spec));
  CHECK(j["emperor-use-clone"].dump() == R"(["ipc","uts","mount","pid","net","cgroup"])");
  CHECK(j["emperor-throttle"] == 500);
  CHECK(j["emperor-max-throttle"] == 60000);
  CHECK(j["tuntap-router-address"].dump() == R"(["192.168.0.1/24","emperor1 fd00::1/64"])");
  CHECK(j["log-ring-lines"] == 5000);
  for (const auto& def : emperor_keys()) CHECK_MESSAGE(j.contains(std::string(def.name)), def.name);

  fs.files["/e.ini"] = R"([uwsgi]
emperor-use-clone = none
tuntap-router-address = 10.0.0.1/8
tuntap-router = e0 /run/a.sock
tuntap-router = e0 /run/a.sock
tuntap-router-address = e9 10.0.0.1/8
emperor-throttle = 5s
emperor-max-throttle = 1s
log-encoder = json:remote ${msg}
)";
  CHECK(messages(load_emperor("/e.ini", fs.load_env()).diagnostics) ==
        std::vector<std::string>{
            "/e.ini:5: error: router device 'e0' is listed twice",
            "/e.ini:5: error: router socket '/run/a.sock' is listed twice",
            "/e.ini:6: error: no tuntap-router device named 'e9'",
            "/e.ini:8: error: emperor-max-throttle must not be less than emperor-throttle",
            "/e.ini:9: error: log-encoder 'json:remote ${msg}' names logger 'remote', which is not defined"});
}

TEST_CASE("docs/keys.md is generated from the tables") {
  std::ifstream in(std::string(EMPEROR_SOURCE_DIR) + "/docs/keys.md");
  std::stringstream text;
  text << in.rdbuf();
  CHECK_MESSAGE(text.str() == keys_markdown(),
                "docs/keys.md is stale: run ./build/emperor/emperor help keys --markdown > docs/keys.md");
}

}  // namespace
}  // namespace emp::config
