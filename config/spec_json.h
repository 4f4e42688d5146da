// The spec's JSON form: what `emperor check --print` shows and what the emperor sends a
// vassal over its channel. Keys as in the files, sizes in bytes, durations in the key's
// unit, lists as arrays; only "name" and "source" depend on the file's format.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "config/emperor_spec.h"
#include "config/key_table.h"
#include "config/vassal_spec.h"
#include "sys/result.h"

namespace emp::config {

std::string to_json(const VassalSpec& spec, int indent = -1);
std::string to_json(const EmperorSpec& spec, int indent = -1);

// Reads back to_json's output: values are parsed by the key table again but not expanded
// (they were expanded when the file was loaded).
Result<VassalSpec> vassal_from_json(std::string_view json, const NameCheck& names);

// The widest reload scope among the keys that differ; nullopt when nothing differs.
std::optional<ReloadScope> change_scope(const VassalSpec& before, const VassalSpec& after);

}  // namespace emp::config
