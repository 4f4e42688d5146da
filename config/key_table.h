// The one list of keys: for each, its type (parser and JSON form), whether it repeats,
// its docs section and line, and what a change to it needs (a restart, a worker reload,
// or nothing beyond the emperor). docs/keys.md is generated from these tables.
#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/emperor_spec.h"
#include "config/vassal_spec.h"
#include "sys/result.h"

namespace emp::config {

using Json = nlohmann::ordered_json;

enum class KeySection : uint8_t {
  Namespaces, Root, Hooks, Identity, Seccomp, Network, Workers, Logging, General, Emperor, Router
};
const char* section_title(KeySection s);

// What applying a changed key to a running vassal takes. Ordered: the largest wins.
enum class ReloadScope : uint8_t { Emperor = 0, Workers = 1, Restart = 2 };

// Name validation that needs system libraries (libcap, libseccomp). The loader's caller
// supplies it so this library stays free of them; a null check accepts every name.
struct NameCheck {
  std::function<bool(std::string_view)> capability;
  std::function<bool(std::string_view)> syscall;
};

template <class Spec>
struct KeyDef {
  std::string_view name;
  std::string_view alias;  // "" when none
  KeySection section;
  ReloadScope reload;
  bool list;  // a repeated key appends
  std::string_view syntax;
  std::string_view doc;
  std::function<Result<void>(Spec&, std::string_view, const NameCheck&)> set;
  std::function<Json(const Spec&)> get;  // null when unset
};

const std::vector<KeyDef<VassalSpec>>& vassal_keys();
const std::vector<KeyDef<EmperorSpec>>& emperor_keys();

template <class Spec>
const std::vector<KeyDef<Spec>>& keys_of();
template <>
inline const std::vector<KeyDef<VassalSpec>>& keys_of<VassalSpec>() { return vassal_keys(); }
template <>
inline const std::vector<KeyDef<EmperorSpec>>& keys_of<EmperorSpec>() { return emperor_keys(); }

template <class Spec>
const KeyDef<Spec>* find_key(std::string_view name) {
  for (const auto& k : keys_of<Spec>())
    if (k.name == name || (!k.alias.empty() && k.alias == name)) return &k;
  return nullptr;
}

// Keys of uWSGI's application server that have no meaning here (the application is
// started by `command`); named so that the error can say so.
bool is_uwsgi_app_server_key(std::string_view name);

// What to write instead of a uWSGI key Emperor replaces with keys of its own, as the whole
// error message ("'tuntap-device-rule' is uWSGI's; ..."); empty for any other key.
std::string uwsgi_replaced_key_hint(std::string_view name);

}  // namespace emp::config
