#include "config/spec_json.h"

namespace emp::config {
namespace {

template <class Spec>
Json keys_json(const Spec& spec, Json out) {
  for (const auto& def : keys_of<Spec>()) {
    Json value = def.get(spec);
    if (!value.is_null()) out[std::string(def.name)] = std::move(value);
  }
  return out;
}

Json source_json(const Source& s) {
  return Json{{"file", s.file}, {"format", format_name(s.format)}};
}

std::string text_of(const Json& j) { return j.is_string() ? j.get<std::string>() : j.dump(); }

}  // namespace

const char* format_name(SourceFormat f) {
  switch (f) {
    case SourceFormat::Ini: return "ini";
    case SourceFormat::Toml: return "toml";
    case SourceFormat::Json: return "json";
  }
  return "?";
}

std::string to_json(const VassalSpec& spec, int indent) {
  Json out = Json::object();
  out["name"] = spec.name;
  out["source"] = source_json(spec.source);
  return keys_json(spec, std::move(out)).dump(indent);
}

std::string to_json(const EmperorSpec& spec, int indent) {
  Json out = Json::object();
  out["source"] = source_json(spec.source);
  return keys_json(spec, std::move(out)).dump(indent);
}

Result<VassalSpec> vassal_from_json(std::string_view json, const NameCheck& names) {
  const Json j = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return fail("spec is not a JSON object");
  VassalSpec spec;
  for (const auto& [key, value] : j.items()) {
    if (key == "name") {
      if (!value.is_string()) return fail("spec: 'name' is not a string");
      spec.name = value.get<std::string>();
      continue;
    }
    if (key == "source") {
      if (!value.is_object() || !value.contains("file") || !value["file"].is_string())
        return fail("spec: 'source' is malformed");
      spec.source.file = value["file"].get<std::string>();
      const std::string format = value.value("format", "ini");
      spec.source.format = format == "toml" ? SourceFormat::Toml
                           : format == "json" ? SourceFormat::Json
                                              : SourceFormat::Ini;
      continue;
    }
    const auto* def = find_key<VassalSpec>(key);
    if (!def) return fail("spec: unknown key '" + key + "'");
    const Json items = value.is_array() ? value : Json::array({value});
    for (const auto& item : items) {
      auto set = def->set(spec, text_of(item), names);
      if (!set) return fail("spec: '" + key + "': " + set.error().message);
    }
  }
  return spec;
}

std::optional<ReloadScope> change_scope(const VassalSpec& before, const VassalSpec& after) {
  std::optional<ReloadScope> widest;
  for (const auto& def : vassal_keys())
    if (def.get(before) != def.get(after) && (!widest || def.reload > *widest)) widest = def.reload;
  return widest;
}

}  // namespace emp::config
