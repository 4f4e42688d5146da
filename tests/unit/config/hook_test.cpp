#include <doctest/doctest.h>

#include "config/hook.h"

namespace emp::config {
namespace {

std::string error_of(const Result<Hook>& r) { return r ? "(no error)" : r.error().message; }

TEST_CASE("mount and umount hooks in uWSGI's syntax") {
  auto m = parse_hook("mount:tmpfs none /tmp nosuid,nodev size=10m,mode=1777").value();
  CHECK(m.action == HookAction::Mount);
  CHECK(m.args == std::vector<std::string>{"tmpfs", "none", "/tmp", "size=10m,mode=1777"});
  CHECK(m.flags == (kMountNoSuid | kMountNoDev));
  auto b = parse_hook("mount:none /srv/data /srv/root/data bind,rec,ro").value();
  CHECK(b.flags == (kMountBind | kMountRec | kMountReadOnly));
  CHECK(parse_hook("mount:proc none /proc defaults").value().flags == 0u);
  // key=value options in FLAGS are filesystem data, as with mount -o
  auto t = parse_hook("mount:tmpfs none /t nodev,size=1m,mode=700").value();
  CHECK(t.flags == kMountNoDev);
  CHECK(t.args[3] == "size=1m,mode=700");
  CHECK(parse_hook("mount:tmpfs none /t size=1m uid=0").value().args[3] == "size=1m,uid=0");
  auto u = parse_hook("umount:/old rec,detach").value();
  CHECK(u.args == std::vector<std::string>{"/old"});
  CHECK(u.flags == (kMountRec | kUmountDetach));
  CHECK(error_of(parse_hook("mount:proc /proc")) ==
        "invalid hook 'mount:proc /proc': mount needs FS SRC DST [FLAGS [DATA]]");
  CHECK(error_of(parse_hook("mount:proc none /proc noexce")) ==
        "invalid hook 'mount:proc none /proc noexce': unknown mount flag 'noexce'");
  CHECK(error_of(parse_hook("mount:proc none proc")) ==
        "invalid hook 'mount:proc none proc': mount target 'proc' is not an absolute path");
  CHECK(error_of(parse_hook("umount:/x lazy")) == "invalid hook 'umount:/x lazy': unknown umount flag 'lazy'");
}

TEST_CASE("the other actions") {
  auto w = parse_hook("writen:/tmp/f hello world").value();
  CHECK(w.action == HookAction::Write);
  CHECK(w.newline);
  CHECK(w.args == std::vector<std::string>{"/tmp/f", "hello world"});
  CHECK(parse_hook("append:/tmp/f x").value().action == HookAction::Append);
  CHECK(parse_hook("cd:/srv").value().action == HookAction::Chdir);
  CHECK(parse_hook("creat:/tmp/x").value().action == HookAction::Create);
  CHECK(parse_hook("hostname:web").value().args == std::vector<std::string>{"web"});
  CHECK(parse_hook("exec:ls -l /").value().args == std::vector<std::string>{"ls -l /"});
  CHECK(parse_hook("chmod:/srv 750").value().mode == 0750u);
  CHECK(parse_hook("!putenv:TOKEN=secret").value().quiet);
  CHECK(parse_hook("print:").value().args == std::vector<std::string>{""});
  CHECK(error_of(parse_hook("mkdir")) == "invalid hook 'mkdir': expected ACTION:ARGS, e.g. mkdir:/tmp/x");
  CHECK(error_of(parse_hook("mkdri:/x")) == "invalid hook 'mkdri:/x': unknown action 'mkdri'");
  CHECK(error_of(parse_hook("call:foo")) ==
        "invalid hook 'call:foo': action 'call' calls into uWSGI's runtime and is not supported");
  CHECK(error_of(parse_hook("mkdir:")) == "invalid hook 'mkdir:': mkdir needs a path");
  CHECK(error_of(parse_hook("exec:  ")) == "invalid hook 'exec:  ': exec needs a command");
  CHECK(error_of(parse_hook("putenv:=x")) == "invalid hook 'putenv:=x': putenv needs NAME=VALUE");
  CHECK(error_of(parse_hook("chmod:/srv rwx")) == "invalid hook 'chmod:/srv rwx': chmod mode 'rwx' is not an octal mode");
  CHECK(error_of(parse_exec_hook(" ")) == "empty command");
}

}  // namespace
}  // namespace emp::config
