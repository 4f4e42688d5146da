#include "vassal/memory.h"

#include <charconv>
#include <string>

#include "sys/file_io.h"

namespace emp::vassal {
namespace {

bool field_kb(std::string_view line, std::string_view name, uint64_t* bytes) {
  if (line.substr(0, name.size()) != name) return false;
  auto rest = line.substr(name.size());
  const auto first = rest.find_first_not_of(' ');
  if (first == std::string_view::npos) return false;
  rest = rest.substr(first);
  uint64_t kb = 0;
  auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), kb);
  if (ec != std::errc{}) return false;
  *bytes = kb * 1024;
  return true;
}

}  // namespace

Result<MemoryUsage> parse_smaps_rollup(std::string_view text) {
  MemoryUsage m;
  bool rss = false, pss = false;
  size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const auto line = text.substr(pos, end - pos);
    rss = rss || field_kb(line, "Rss:", &m.rss_bytes);
    pss = pss || field_kb(line, "Pss:", &m.pss_bytes);
    pos = end + 1;
  }
  if (!rss || !pss) return fail("smaps_rollup: no Rss/Pss lines");
  return m;
}

std::vector<pid_t> parse_children(std::string_view text) {
  std::vector<pid_t> out;
  size_t pos = 0;
  while (pos < text.size()) {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\n')) ++pos;
    pid_t pid = 0;
    auto [end, ec] = std::from_chars(text.data() + pos, text.data() + text.size(), pid);
    if (ec != std::errc{}) break;
    if (pid > 0) out.push_back(pid);
    pos = static_cast<size_t>(end - text.data());
  }
  return out;
}

Result<MemoryUsage> read_tree_memory(pid_t pid) {
  EMP_TRY(MemoryUsage total, read_memory(pid));
  std::vector<pid_t> todo{pid};
  size_t seen = 1;
  while (!todo.empty() && seen < kMaxTreeProcesses) {
    const pid_t p = todo.back();
    todo.pop_back();
    const std::string path =
        "/proc/" + std::to_string(p) + "/task/" + std::to_string(p) + "/children";
    auto text = sys::read_file(path, 65536);
    if (!text) continue;  // it exited meanwhile: nothing of it to count
    for (pid_t child : parse_children(*text)) {
      if (seen++ >= kMaxTreeProcesses) break;
      if (auto m = read_memory(child)) {
        total.rss_bytes += m->rss_bytes;
        total.pss_bytes += m->pss_bytes;
      }
      todo.push_back(child);
    }
  }
  return total;
}

Result<MemoryUsage> read_memory(pid_t pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/smaps_rollup";
  EMP_TRY(const std::string text, sys::read_file(path, 8192));
  return parse_smaps_rollup(text).context("read '" + path + "'");
}

}  // namespace emp::vassal
