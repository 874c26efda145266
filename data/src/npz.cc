#include "augur/data/npz.h"

#include <ATen/ATen.h>
#include <zip.h>

#include <map>
#include <memory>

#include "augur/core/error.h"
#include "internal/checks.h"
#include "internal/file_util.h"
#include "internal/npy.h"

namespace augur::data {
namespace {

struct ZipCloser {
  void operator()(zip_t* z) const {
    if (z) zip_discard(z);
  }
};
using ZipPtr = std::unique_ptr<zip_t, ZipCloser>;

// Reads every "<name>.npy" member into name -> bytes.
std::map<std::string, std::string> ReadMembers(const std::string& path) {
  int err = 0;
  ZipPtr zip(zip_open(path.c_str(), ZIP_RDONLY, &err));
  if (!zip) {
    zip_error_t ze;
    zip_error_init_with_code(&ze, err);
    std::string msg = zip_error_strerror(&ze);
    zip_error_fini(&ze);
    throw DataError(StrCat("'", path, "' is not a readable .npz (zip) file: ", msg));
  }
  std::map<std::string, std::string> out;
  const zip_int64_t n = zip_get_num_entries(zip.get(), 0);
  for (zip_int64_t i = 0; i < n; ++i) {
    zip_stat_t st;
    if (zip_stat_index(zip.get(), i, 0, &st) != 0) continue;
    std::string name = st.name;
    if (name.size() < 4 || name.substr(name.size() - 4) != ".npy") continue;
    std::string bytes(st.size, '\0');
    zip_file_t* f = zip_fopen_index(zip.get(), i, 0);
    if (!f) throw DataError(StrCat("'", path, "': cannot open member '", name, "': ", zip_strerror(zip.get())));
    const zip_int64_t got = zip_fread(f, bytes.data(), st.size);
    zip_fclose(f);
    if (got != static_cast<zip_int64_t>(st.size)) {
      throw DataError(StrCat("'", path, "': member '", name, "' is truncated or corrupt (read ", got, " of ", st.size,
                             " bytes; the zip checksum failed)"));
    }
    out[name.substr(0, name.size() - 4)] = std::move(bytes);
  }
  return out;
}

std::string Shape(const std::vector<int64_t>& s) {
  std::string out = "(";
  for (size_t i = 0; i < s.size(); ++i) out += StrCat(i ? ", " : "", s[i]);
  return out + ")";
}

}  // namespace

Dataset ImportNpz(const std::string& path, const NpzImportOptions& options) {
  internal::RequireFile(path, ".npz file");
  std::map<std::string, std::string> members = ReadMembers(path);
  struct Key {
    const char* name;
    const char* alt;
    bool matrix;  // [N, D] (a [N] array becomes [N, 1])
  };
  const Key keys[] = {{"obs", "observations", true},       {"action", "actions", true},
                      {"next_obs", "next_observations", true}, {"reward", "rewards", false},
                      {"done", "terminals", false},          {"truncated", "timeouts", false}};
  std::map<std::string, internal::NpyArray> arrays;
  std::string missing;
  for (const Key& k : keys) {
    auto it = members.find(k.name);
    if (it == members.end() && options.accept_d4rl_names) it = members.find(k.alt);
    if (it == members.end()) {
      missing += StrCat(missing.empty() ? "" : ", ", k.name);
      continue;
    }
    arrays[k.name] = internal::ParseNpy(it->second, StrCat("'", path, "' member '", it->first, ".npy'"));
  }
  if (!missing.empty()) {
    std::string present;
    for (const auto& [name, bytes] : members) present += StrCat(present.empty() ? "" : ", ", name);
    throw DataError(StrCat("'", path, "' lacks the keys ", missing, " (it holds: ", present.empty() ? "none" : present,
                           "); a NeoRL-2 .npz needs obs, action, next_obs, reward, done, truncated"));
  }
  const int64_t n = arrays["reward"].shape.empty() ? -1 : arrays["reward"].shape[0];
  std::map<std::string, at::Tensor> cols;
  for (const Key& k : keys) {
    internal::NpyArray& a = arrays[k.name];
    const bool ok_rows = !a.shape.empty() && a.shape[0] == n;
    const bool ok_rank = k.matrix ? (a.shape.size() == 1 || a.shape.size() == 2)
                                  : (a.shape.size() == 1 || (a.shape.size() == 2 && a.shape[1] == 1));
    if (!ok_rows || !ok_rank) {
      throw DataError(StrCat("'", path, "': key '", k.name, "' has shape ", Shape(a.shape), " but 'reward' has ",
                             Shape(arrays["reward"].shape), "; expected ", k.matrix ? "[N, D]" : "[N]", " with N = ",
                             n));
    }
    at::Tensor t = a.data;
    if (k.matrix && t.dim() == 1) t = t.unsqueeze(1);
    if (!k.matrix) t = t.reshape({n});
    cols[k.name] = t.contiguous();
  }
  if (cols["obs"].size(1) != cols["next_obs"].size(1)) {
    throw DataError(StrCat("'", path, "': obs has shape ", Shape(arrays["obs"].shape), " but next_obs has ",
                           Shape(arrays["next_obs"].shape), "; both need the same observation dim"));
  }
  for (const char* name : {"obs", "action", "next_obs", "reward", "done", "truncated"}) {
    internal::CheckFinite(cols[name], name, StrCat("'", path, "'"));
  }
  // Optional augur extension: full simulator states per row (D4RL's infos/qpos+qvel), so a true-model
  // rollout can restart from them. NeoRL-2 files do not have it.
  at::Tensor sim_states;
  if (auto it = members.find("sim_states"); it != members.end()) {
    internal::NpyArray a = internal::ParseNpy(it->second, StrCat("'", path, "' member 'sim_states.npy'"));
    if (a.shape.size() != 2 || a.shape[0] != n) {
      throw DataError(StrCat("'", path, "': key 'sim_states' has shape ", Shape(a.shape), " but 'reward' has ",
                             Shape(arrays["reward"].shape), "; expected [N, K] with N = ", n));
    }
    sim_states = a.data.contiguous();
    internal::CheckFinite(sim_states, "sim_states", StrCat("'", path, "'"));
  }
  DatasetMetadata meta = options.metadata;
  if (meta.source.empty()) meta.source = path;
  Dataset d(cols["obs"], cols["action"], cols["reward"], cols["done"] != 0, cols["truncated"] != 0,
            cols["next_obs"], std::move(meta), sim_states);
  return d;
}

void ExportNpz(const Dataset& dataset, const std::string& path) {
  const std::string tmp = internal::TempPathFor(path);
  internal::TempFileGuard guard(tmp);
  int err = 0;
  zip_t* raw = zip_open(tmp.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  if (!raw) throw IoError(StrCat("cannot create '", tmp, "' (for '", path, "'): zip error ", err));
  ZipPtr zip(raw);
  // Buffers must outlive zip_close, which writes them.
  std::vector<std::pair<std::string, std::string>> members = {
      {"obs.npy", internal::WriteNpy(dataset.observations())},
      {"action.npy", internal::WriteNpy(dataset.actions())},
      {"next_obs.npy", internal::WriteNpy(dataset.next_observations())},
      {"reward.npy", internal::WriteNpy(dataset.rewards())},
      {"done.npy", internal::WriteNpy(dataset.terminals())},
      {"truncated.npy", internal::WriteNpy(internal::TimeoutsForExport(dataset))},
  };
  if (dataset.sim_states().defined()) members.push_back({"sim_states.npy", internal::WriteNpy(dataset.sim_states())});
  for (auto& [name, bytes] : members) {
    zip_source_t* src = zip_source_buffer(zip.get(), bytes.data(), bytes.size(), 0);
    if (!src) throw IoError(StrCat("zip_source_buffer failed for '", path, "': ", zip_strerror(zip.get())));
    const zip_int64_t idx = zip_file_add(zip.get(), name.c_str(), src, ZIP_FL_OVERWRITE);
    if (idx < 0) {
      zip_source_free(src);
      throw IoError(StrCat("cannot add '", name, "' to '", path, "': ", zip_strerror(zip.get())));
    }
    zip_set_file_compression(zip.get(), idx, ZIP_CM_STORE, 0);
  }
  if (zip_close(zip.get()) != 0) {
    throw IoError(StrCat("writing '", path, "' failed: ", zip_strerror(zip.get())));
  }
  zip.release();
  internal::SyncPath(tmp);
  internal::RenameInto(tmp, path);
  guard.Release();
}

}  // namespace augur::data
