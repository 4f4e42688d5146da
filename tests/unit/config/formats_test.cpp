// The three formats produce identical specs, and each reports its own syntax errors with lines.
#include <doctest/doctest.h>

#include "config/spec_json.h"
#include "tests/unit/config/memory_env.h"

namespace emp::config {
namespace {

using test::MemoryFs;
using test::messages;

nlohmann::ordered_json without_source(const VassalSpec& spec) {
  auto j = nlohmann::ordered_json::parse(to_json(spec));
  j.erase("source");
  return j;
}

Loaded<VassalSpec> load(const MemoryFs& fs, const std::string& path) {
  return load_vassal(path, fs.load_env());
}

TEST_CASE("one vassal in INI, TOML and JSON gives the same spec") {
  MemoryFs fs;
  fs.files["/v/web.ini"] = R"([uwsgi]
# a comment
; another
unshare = ipc, uts
hostname = %n
processes = 4
cheaper = 1
cheaper-rss-limit-soft = 256M
cheaper-rss-limit-hard = 1G
reload-mercy = 5
command = /srv/app --port 80
env = A=1
env = B=2
net-address = 10.0.0.2/24
tuntap-device = uwsgi0 /run/tuntap.sock
memory-report = true
cap = net_bind_service
)";
  fs.files["/v/web.toml"] = R"(unshare = ["ipc", "uts"]
hostname = "%n"
processes = 4
cheaper = 1
cheaper-rss-limit-soft = "256M"
cheaper-rss-limit-hard = "1G"
reload-mercy = 5
command = "/srv/app --port 80"
env = ["A=1", "B=2"]
net-address = "10.0.0.2/24"
tuntap-device = "uwsgi0 /run/tuntap.sock"
memory-report = true
cap = "net_bind_service"
)";
  fs.files["/v/web.json"] = R"({"unshare": "ipc uts", "hostname": "%n", "processes": 4,
  "cheaper": "1", "cheaper-rss-limit-soft": "256M", "cheaper-rss-limit-hard": "1G",
  "reload-mercy": 5, "command": "/srv/app --port 80", "env": ["A=1", "B=2"],
  "net-address": ["10.0.0.2/24"], "tuntap-device": "uwsgi0 /run/tuntap.sock",
  "memory-report": true, "cap": ["net_bind_service"]})";
  auto ini = load(fs, "/v/web.ini");
  auto toml = load(fs, "/v/web.toml");
  auto json = load(fs, "/v/web.json");
  REQUIRE_MESSAGE(ini.ok(), messages(ini.diagnostics));
  REQUIRE_MESSAGE(toml.ok(), messages(toml.diagnostics));
  REQUIRE_MESSAGE(json.ok(), messages(json.diagnostics));
  CHECK(without_source(*ini.spec) == without_source(*toml.spec));
  CHECK(without_source(*ini.spec) == without_source(*json.spec));
  const auto j = without_source(*ini.spec);
  CHECK(j["name"] == "web");
  CHECK(j["hostname"] == "web");
  CHECK(j["cheaper-rss-limit-soft"] == 268435456);
  CHECK(j["cheaper-rss-limit-hard"] == 1073741824);
  CHECK(j["unshare"] == nlohmann::ordered_json::array({"ipc", "uts"}));
  CHECK(j["env"] == nlohmann::ordered_json::array({"A=1", "B=2"}));
  CHECK(j["memory-report"] == true);
  CHECK(j["processes"] == 4);
  const auto src = nlohmann::json::parse(to_json(*toml.spec))["source"];
  CHECK(src["file"] == "/v/web.toml");
  CHECK(src["format"] == "toml");
}

TEST_CASE("INI: [vassal] is accepted, other sections ignored, missing section reported") {
  MemoryFs fs;
  fs.files["/v/a.ini"] = "[app:main]\nuse = egg:x\n[vassal]\ncommand = true\n";
  fs.files["/v/b.ini"] = "[uswgi]\ncommand = true\n";
  fs.files["/v/c.ini"] = "command = true\n[uwsgi]\nhostname = c\n";
  fs.files["/v/d.ini"] = "[uwsgi]\ncommand true\n = x\n[broken\n";
  CHECK(load(fs, "/v/a.ini").ok());
  CHECK(messages(load(fs, "/v/b.ini").diagnostics) ==
        std::vector<std::string>{"/v/b.ini: error: no [uwsgi] or [vassal] section"});
  CHECK(messages(load(fs, "/v/c.ini").diagnostics) ==
        std::vector<std::string>{
            "/v/c.ini:1: error: key 'command' is outside any section (put it under [uwsgi] or [vassal])"});
  CHECK(messages(load(fs, "/v/d.ini").diagnostics) ==
        std::vector<std::string>{
            "/v/d.ini:2: error: expected 'key = value', got 'command true'",
            "/v/d.ini:3: error: missing key before '='",
            "/v/d.ini:4: error: unterminated section header '[broken'"});
}

TEST_CASE("TOML: tables, dates and nested arrays are errors with their lines") {
  MemoryFs fs;
  fs.files["/v/t.toml"] = "command = \"x\"\n[uwsgi]\nhostname = \"a\"\n";
  CHECK(messages(load(fs, "/v/t.toml").diagnostics) ==
        std::vector<std::string>{
            "/v/t.toml:2: error: 'uwsgi' is a table; keys go at the top level of the file (no [section])"});
  fs.files["/v/d.toml"] = "command = \"x\"\nhostname = 1979-05-27\nenv = [[\"A=1\"]]\n";
  CHECK(messages(load(fs, "/v/d.toml").diagnostics) ==
        std::vector<std::string>{
            "/v/d.toml:2: error: 'hostname' is a date; expected a string, number, boolean or array",
            "/v/d.toml:3: error: 'env' holds an array inside its array; only strings, numbers and booleans"});
  fs.files["/v/s.toml"] = "command = \"x\"\nhostname = \n";
  const auto m = messages(load(fs, "/v/s.toml").diagnostics);
  REQUIRE(m.size() == 1);
  CHECK(m[0].rfind("/v/s.toml:2: error: ", 0) == 0);
}

TEST_CASE("JSON: syntax errors carry a line; non-objects and bad values are named") {
  MemoryFs fs;
  fs.files["/v/j.json"] = "{\n  \"command\": \"x\",\n  \"hostname\": \"a\"\n  \"processes\": 2\n}\n";
  auto m = messages(load(fs, "/v/j.json").diagnostics);
  REQUIRE(m.size() == 1);
  CHECK(m[0] == "/v/j.json:4: error: column 13: syntax error while parsing object - unexpected string literal; expected '}'");
  fs.files["/v/a.json"] = "[1, 2]";
  CHECK(messages(load(fs, "/v/a.json").diagnostics) ==
        std::vector<std::string>{
            "/v/a.json:1: error: the file must hold one JSON object with the keys at top level"});
  fs.files["/v/n.json"] =
      "{\"command\": \"x\",\n\"hostname\": null,\n\"env\": {\"A\": 1},\n\"cap\": [[\"x\"]],\n\"uid\": \"www\"}";
  CHECK(messages(load(fs, "/v/n.json").diagnostics) ==
        std::vector<std::string>{
            "/v/n.json:2: error: 'hostname' is null; expected a string, number, boolean or array",
            "/v/n.json:3: error: 'env' is an object; expected a string, number, boolean or array",
            "/v/n.json:4: error: 'cap' is an array inside an array; expected a string, number, boolean or array"});
  fs.files["/v/e.json"] = "{\"command\": \"x\", \"env\": []}";
  CHECK(messages(load(fs, "/v/e.json").diagnostics) ==
        std::vector<std::string>{"/v/e.json:1: error: 'env' is an empty array"});
}

TEST_CASE("file names: extension and vassal name rules; same name twice") {
  MemoryFs fs;
  fs.files["/v/web.yaml"] = "command: x";
  CHECK(messages(load(fs, "/v/web.yaml").diagnostics) ==
        std::vector<std::string>{
            "/v/web.yaml: error: unsupported file extension '.yaml' (expected .ini, .toml or .json)"});
  fs.files["/v/-web.ini"] = "[uwsgi]\ncommand = x\n";
  CHECK(messages(load(fs, "/v/-web.ini").diagnostics) ==
        std::vector<std::string>{
            "/v/-web.ini: error: invalid vassal name '-web' (letters, digits and _ . @ -, starting with a letter or digit)"});
  CHECK(vassal_name_of("/etc/vassals/app@2.x_y-z.toml").value() == "app@2.x_y-z");
  CHECK(messages(name_conflicts({"/v/a.ini", "/v/b.ini", "/v/a.json"})) ==
        std::vector<std::string>{
            "/v/a.json: error: vassal 'a' is also defined by '/v/a.ini'; one name, one file"});
}

TEST_CASE("the spec's JSON form reads back to the same spec (the emperor->vassal wire)") {
  MemoryFs fs;
  fs.files["/v/w.ini"] = R"([uwsgi]
command = echo 100%%
pivot-root = /srv/root /srv/root/.old
hook-as-root = mount:tmpfs none /tmp nosuid,nodev size=10m
exec-pre-jail = echo pre
reload-mercy = 500ms
worker-reload-mercy = 1.5s
chmod-socket = 660
socket = /run/w.sock
socket = [::1]:8080
tuntap-device = t0 /run/r.sock
tuntap-firewall-out = deny any 10.0.0.0/8 proto tcp dport 22
net-address = fd00::2/64
net-gateway = fd00::1
log-encoder = json {"m": "${msg}"}
logger = syslog:web,local3,err
seccomp-deny = keyctl
)";
  auto loaded = load(fs, "/v/w.ini");
  REQUIRE_MESSAGE(loaded.ok(), messages(loaded.diagnostics));
  const auto text = to_json(*loaded.spec);
  auto back = vassal_from_json(text, fs.load_env().names);
  REQUIRE_MESSAGE(back.has_value(), back.error().message);
  CHECK(to_json(*back) == text);
  CHECK(back->reload_mercy == Duration(500));
  CHECK(back->worker_reload_mercy == Duration(1500));
  CHECK(back->command == "echo 100%");
  CHECK(back->pivot_root->old_root == ".old");
  CHECK_FALSE(vassal_from_json("[]", {}).has_value());
  CHECK(vassal_from_json("{\"nope\": 1}", {}).error().message == "spec: unknown key 'nope'");
}

TEST_CASE("change_scope: worker keys reload, others restart, logging applies in place") {
  VassalSpec a;
  a.command = "x";
  VassalSpec b = a;
  CHECK_FALSE(change_scope(a, b).has_value());
  b.processes = 4;
  CHECK(change_scope(a, b) == ReloadScope::Workers);
  b.hostname = "h";
  CHECK(change_scope(a, b) == ReloadScope::Restart);
  VassalSpec c = a;
  c.logto = "/var/log/x";
  CHECK(change_scope(a, c) == ReloadScope::Emperor);
}

}  // namespace
}  // namespace emp::config
