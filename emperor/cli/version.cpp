#include "emperor/cli/version.h"

#include <netlink/version.h>
#include <seccomp.h>

#include <nlohmann/json.hpp>

#include "emperor_version.h"

namespace emp::cli {

std::string version_text() {
  std::string out = "emperor " EMPEROR_VERSION "\n";
  out += "formats: ini toml json\n";
  out += "libraries: libnl-" LIBNL_VERSION " libseccomp-" + std::to_string(SCMP_VER_MAJOR) + "." +
         std::to_string(SCMP_VER_MINOR) + "." + std::to_string(SCMP_VER_MICRO) +
         " libcap nlohmann_json-" + std::to_string(NLOHMANN_JSON_VERSION_MAJOR) + "." +
         std::to_string(NLOHMANN_JSON_VERSION_MINOR) + " toml++\n";
  out += "features: inotify-watch clone+pidfd namespaces(ipc,uts,mount,pid,net,cgroup) "
         "pivot-root seccomp capabilities(ambient) tuntap-router(vnet-hdr,tso,multi-queue) "
         "uwsgi-tuntap-framing log-encoders(prefix,suffix,nl,format,json,gzip,compress) "
         "loggers(file,syslog,stderr) status-o_tmpfile sd_notify\n";
  return out;
}

}  // namespace emp::cli
