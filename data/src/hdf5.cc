#include "augur/data/hdf5.h"

#include <ATen/ATen.h>
#include <google/protobuf/text_format.h>
#include <hdf5.h>

#include <cstring>
#include <functional>

#include "augur/core/error.h"
#include "augur/data/proto_convert.h"
#include "internal/checks.h"
#include "internal/file_util.h"

namespace augur::data {
namespace {

// Owns an HDF5 id and closes it with the matching H5?close.
class Handle {
 public:
  Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  ~Handle() {
    if (id_ >= 0) close_(id_);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  hid_t get() const { return id_; }
  bool ok() const { return id_ >= 0; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

void Quiet() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

hid_t OpenFile(const std::string& path) {
  internal::RequireFile(path, "HDF5 file");
  Quiet();
  if (H5Fis_hdf5(path.c_str()) <= 0) {
    throw DataError(StrCat("'", path, "' is not an HDF5 file (no HDF5 signature); check the path and format"));
  }
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) throw DataError(StrCat("'", path, "': HDF5 cannot open the file; it is truncated or corrupt"));
  return f;
}

bool Exists(hid_t loc, const std::string& name) { return H5Lexists(loc, name.c_str(), H5P_DEFAULT) > 0; }

std::string ShapeString(const std::vector<int64_t>& s) {
  std::string out = "(";
  for (size_t i = 0; i < s.size(); ++i) out += StrCat(i ? ", " : "", s[i]);
  return out + ")";
}

// Reads dataset `name` under `loc` as float32; enums (h5py bools) through their integer base type.
at::Tensor ReadFloat(hid_t loc, const std::string& name, const std::string& where) {
  Handle ds(H5Dopen2(loc, name.c_str(), H5P_DEFAULT), H5Dclose);
  if (!ds.ok()) throw DataError(StrCat(where, ": '", name, "' is not a dataset (dict spaces are not supported)"));
  Handle space(H5Dget_space(ds.get()), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0 || rank > 4) throw DataError(StrCat(where, ": dataset '", name, "' has unsupported rank ", rank));
  std::vector<hsize_t> dims(rank);
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  std::vector<int64_t> shape(dims.begin(), dims.end());
  Handle type(H5Dget_type(ds.get()), H5Tclose);
  const H5T_class_t cls = H5Tget_class(type.get());
  at::Tensor out = at::empty(shape, at::kFloat);
  if (cls == H5T_ENUM || cls == H5T_BITFIELD) {
    Handle base(cls == H5T_ENUM ? H5Tget_super(type.get()) : H5Tcopy(type.get()), H5Tclose);
    Handle mem(H5Tget_native_type(base.get(), H5T_DIR_ASCEND), H5Tclose);
    const size_t size = H5Tget_size(mem.get());
    if (size != 1) throw DataError(StrCat(where, ": dataset '", name, "' is an enum of ", size, "-byte values"));
    std::vector<int8_t> buf(out.numel());
    if (H5Dread(ds.get(), mem.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()) < 0) {
      throw DataError(StrCat(where, ": reading dataset '", name, "' failed; the file is corrupt"));
    }
    float* p = out.data_ptr<float>();
    for (size_t i = 0; i < buf.size(); ++i) p[i] = static_cast<float>(buf[i]);
  } else if (cls == H5T_FLOAT || cls == H5T_INTEGER) {
    if (out.numel() > 0 && H5Dread(ds.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data_ptr()) < 0) {
      throw DataError(StrCat(where, ": reading dataset '", name, "' failed; the file is corrupt"));
    }
  } else {
    throw DataError(StrCat(where, ": dataset '", name, "' has a non-numeric type; expected float, int or bool"));
  }
  return out;
}

std::string ReadStringAttr(hid_t loc, const char* name) {
  if (H5Aexists(loc, name) <= 0) return {};
  Handle attr(H5Aopen(loc, name, H5P_DEFAULT), H5Aclose);
  Handle type(H5Aget_type(attr.get()), H5Tclose);
  if (H5Tget_class(type.get()) != H5T_STRING) return {};
  if (H5Tis_variable_str(type.get()) > 0) {
    Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(mem.get(), H5T_VARIABLE);
    H5Tset_cset(mem.get(), H5Tget_cset(type.get()));
    char* value = nullptr;
    if (H5Aread(attr.get(), mem.get(), &value) < 0 || !value) return {};
    std::string out(value);
    H5free_memory(value);
    return out;
  }
  const size_t size = H5Tget_size(type.get());
  std::string out(size, '\0');
  if (H5Aread(attr.get(), type.get(), out.data()) < 0) return {};
  return std::string(out.c_str());
}

void WriteStringAttr(hid_t loc, const std::string& name, const std::string& value) {
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.get(), H5T_VARIABLE);
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle attr(H5Acreate2(loc, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  const char* p = value.c_str();
  if (!attr.ok() || H5Awrite(attr.get(), type.get(), &p) < 0) {
    throw IoError(StrCat("cannot write HDF5 attribute '", name, "'"));
  }
}

void WriteFloat(hid_t loc, const char* name, const at::Tensor& t, const std::string& path) {
  at::Tensor c = t.to(at::kCPU).to(at::kFloat).contiguous();
  std::vector<hsize_t> dims(c.sizes().begin(), c.sizes().end());
  Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose);
  Handle ds(H5Dcreate2(loc, name, H5T_IEEE_F32LE, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose);
  if (!ds.ok() || H5Dwrite(ds.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, c.data_ptr()) < 0) {
    throw IoError(StrCat("writing dataset '", name, "' to '", path, "' failed"));
  }
}

// h5py's bool: an enum over int8 with FALSE = 0, TRUE = 1.
void WriteBool(hid_t loc, const char* name, const at::Tensor& t, const std::string& path) {
  at::Tensor c = t.to(at::kCPU).to(at::kChar).contiguous();
  Handle type(H5Tenum_create(H5T_NATIVE_INT8), H5Tclose);
  int8_t f = 0, tr = 1;
  H5Tenum_insert(type.get(), "FALSE", &f);
  H5Tenum_insert(type.get(), "TRUE", &tr);
  hsize_t dims[1] = {static_cast<hsize_t>(c.numel())};
  Handle space(H5Screate_simple(1, dims, nullptr), H5Sclose);
  Handle ds(H5Dcreate2(loc, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose);
  if (!ds.ok() || H5Dwrite(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, c.data_ptr()) < 0) {
    throw IoError(StrCat("writing dataset '", name, "' to '", path, "' failed"));
  }
}

// Names of the attributes of `loc`.
std::vector<std::string> AttributeNames(hid_t loc) {
  std::vector<std::string> names;
  hsize_t idx = 0;
  H5Aiterate2(
      loc, H5_INDEX_NAME, H5_ITER_INC, &idx,
      [](hid_t, const char* name, const H5A_info_t*, void* data) -> herr_t {
        static_cast<std::vector<std::string>*>(data)->push_back(name);
        return 0;
      },
      &names);
  return names;
}

DatasetMetadata ReadMetadata(hid_t f, const std::string& path) {
  DatasetMetadata m;
  m.source = ReadStringAttr(f, "source");
  if (m.source.empty()) m.source = path;
  m.licence = ReadStringAttr(f, "licence");
  m.behaviour_policy = ReadStringAttr(f, "behaviour_policy");
  const std::string spec_text = ReadStringAttr(f, "env_spec");
  if (!spec_text.empty()) {
    proto::EnvSpec spec;
    if (!google::protobuf::TextFormat::ParseFromString(spec_text, &spec)) {
      throw DataError(StrCat("'", path, "': attribute env_spec does not parse as an augur.proto.EnvSpec"));
    }
    m.env_spec = FromProto(spec);
  }
  // Extra metadata: attributes named "meta.<key>".
  for (const std::string& key : AttributeNames(f)) {
    if (key.rfind("meta.", 0) == 0) m.extra[key.substr(5)] = ReadStringAttr(f, key.c_str());
  }
  return m;
}

// Column `name` with its leading dim checked against n (or n + 1 for Minari observations).
void CheckRows(const at::Tensor& t, const std::string& name, int64_t n, const std::string& where,
               const std::string& ref) {
  if (t.dim() < 1 || t.size(0) != n) {
    std::vector<int64_t> s(t.sizes().begin(), t.sizes().end());
    throw DataError(StrCat(where, ": dataset '", name, "' has shape ", ShapeString(s), " but ", ref,
                           " needs ", n, " rows"));
  }
}

at::Tensor AsMatrix(const at::Tensor& t) { return t.dim() == 1 ? t.unsqueeze(1) : t.reshape({t.size(0), -1}); }

}  // namespace

Dataset ImportD4rlHdf5(const std::string& path) {
  Handle f(OpenFile(path), H5Fclose);
  const char* names[] = {"observations", "actions", "rewards", "terminals", "timeouts", "next_observations"};
  std::string missing;
  for (const char* n : names) {
    if (!Exists(f.get(), n)) missing += StrCat(missing.empty() ? "" : ", ", n);
  }
  if (!missing.empty()) {
    const bool minari = Exists(f.get(), "episode_0");
    throw DataError(StrCat("'", path, "' lacks the D4RL datasets ", missing,
                           minari ? "; it looks like a Minari file: use ImportMinariHdf5" : "",
                           "; the D4RL layout needs observations, actions, rewards, terminals, timeouts, "
                           "next_observations at the root"));
  }
  const std::string where = StrCat("'", path, "'");
  at::Tensor rewards = ReadFloat(f.get(), "rewards", where).reshape({-1});
  const int64_t n = rewards.size(0);
  at::Tensor obs = ReadFloat(f.get(), "observations", where);
  at::Tensor act = ReadFloat(f.get(), "actions", where);
  at::Tensor term = ReadFloat(f.get(), "terminals", where);
  at::Tensor tout = ReadFloat(f.get(), "timeouts", where);
  at::Tensor next = ReadFloat(f.get(), "next_observations", where);
  CheckRows(obs, "observations", n, where, "'rewards'");
  CheckRows(act, "actions", n, where, "'rewards'");
  CheckRows(term, "terminals", n, where, "'rewards'");
  CheckRows(tout, "timeouts", n, where, "'rewards'");
  CheckRows(next, "next_observations", n, where, "'rewards'");
  obs = AsMatrix(obs);
  act = AsMatrix(act);
  next = AsMatrix(next);
  if (obs.size(1) != next.size(1)) {
    throw DataError(StrCat(where, ": observations have dim ", obs.size(1), " but next_observations dim ", next.size(1)));
  }
  internal::CheckFinite(obs, "observations", where);
  internal::CheckFinite(act, "actions", where);
  internal::CheckFinite(rewards, "rewards", where);
  internal::CheckFinite(next, "next_observations", where);
  at::Tensor sim;
  if (Exists(f.get(), "infos") && Exists(f.get(), "infos/sim_states")) {
    sim = AsMatrix(ReadFloat(f.get(), "infos/sim_states", where));
    CheckRows(sim, "infos/sim_states", n, where, "'rewards'");
    internal::CheckFinite(sim, "infos/sim_states", where);
    sim = sim.contiguous();
  }
  return Dataset(obs.contiguous(), act.contiguous(), rewards.contiguous(), term.reshape({-1}) != 0,
                 tout.reshape({-1}) != 0, next.contiguous(), ReadMetadata(f.get(), path), sim);
}

void ExportD4rlHdf5(const Dataset& dataset, const std::string& path) {
  Quiet();
  const std::string tmp = internal::TempPathFor(path);
  internal::TempFileGuard guard(tmp);
  {
    Handle f(H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
    if (!f.ok()) throw IoError(StrCat("cannot create HDF5 file '", tmp, "' (for '", path, "')"));
    WriteFloat(f.get(), "observations", dataset.observations(), path);
    WriteFloat(f.get(), "actions", dataset.actions(), path);
    WriteFloat(f.get(), "rewards", dataset.rewards(), path);
    WriteBool(f.get(), "terminals", dataset.terminals(), path);
    WriteBool(f.get(), "timeouts", internal::TimeoutsForExport(dataset), path);
    WriteFloat(f.get(), "next_observations", dataset.next_observations(), path);
    if (dataset.sim_state_dim()) {
      Handle infos(H5Gcreate2(f.get(), "infos", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
      WriteFloat(infos.get(), "sim_states", dataset.sim_states(), path);
    }
    const DatasetMetadata& m = dataset.metadata();
    WriteStringAttr(f.get(), "source", m.source);
    WriteStringAttr(f.get(), "licence", m.licence);
    WriteStringAttr(f.get(), "behaviour_policy", m.behaviour_policy);
    if (m.env_spec) {
      std::string text;
      google::protobuf::TextFormat::PrintToString(ToProto(*m.env_spec), &text);
      WriteStringAttr(f.get(), "env_spec", text);
      WriteStringAttr(f.get(), "env_id", m.env_spec->id);
    }
    for (const auto& [k, v] : m.extra) WriteStringAttr(f.get(), "meta." + k, v);
    if (H5Fflush(f.get(), H5F_SCOPE_GLOBAL) < 0) throw IoError(StrCat("flushing '", tmp, "' failed"));
  }
  internal::SyncPath(tmp);
  internal::RenameInto(tmp, path);
  guard.Release();
}

Dataset ImportMinariHdf5(const std::string& path) {
  Handle f(OpenFile(path), H5Fclose);
  std::vector<at::Tensor> obs, act, rew, term, tout, next;
  std::vector<int64_t> starts;
  int64_t rows = 0;
  for (int64_t i = 0;; ++i) {
    const std::string group = StrCat("episode_", i);
    if (!Exists(f.get(), group)) break;
    const std::string where = StrCat("'", path, "' ", group);
    Handle g(H5Gopen2(f.get(), group.c_str(), H5P_DEFAULT), H5Gclose);
    if (!g.ok()) throw DataError(StrCat(where, " is not a group; the file is not in Minari's layout"));
    std::string missing;
    for (const char* n : {"observations", "actions", "rewards", "terminations", "truncations"}) {
      if (!Exists(g.get(), n)) missing += StrCat(missing.empty() ? "" : ", ", n);
    }
    if (!missing.empty()) throw DataError(StrCat(where, " lacks ", missing));
    {
      Handle o(H5Oopen(g.get(), "observations", H5P_DEFAULT), H5Oclose);
      if (H5Iget_type(o.get()) == H5I_GROUP) {
        throw DataError(StrCat(where, ": observations is a group (a dict observation space); only Box "
                                      "observations are supported, flatten them first"));
      }
    }
    at::Tensor r = ReadFloat(g.get(), "rewards", where).reshape({-1});
    const int64_t t = r.size(0);
    at::Tensor o = ReadFloat(g.get(), "observations", where);
    at::Tensor a = ReadFloat(g.get(), "actions", where);
    at::Tensor te = ReadFloat(g.get(), "terminations", where);
    at::Tensor tr = ReadFloat(g.get(), "truncations", where);
    CheckRows(o, "observations", t + 1, where, "T + 1 = 'rewards' rows + 1");
    CheckRows(a, "actions", t, where, "'rewards'");
    CheckRows(te, "terminations", t, where, "'rewards'");
    CheckRows(tr, "truncations", t, where, "'rewards'");
    if (t == 0) continue;
    o = AsMatrix(o);
    a = AsMatrix(a);
    if (!obs.empty() && (o.size(1) != obs[0].size(1) || a.size(1) != act[0].size(1))) {
      throw DataError(StrCat(where, ": obs/action dims ", o.size(1), "/", a.size(1), " differ from episode_0's ",
                             obs[0].size(1), "/", act[0].size(1)));
    }
    internal::CheckFinite(o, "observations", where);
    internal::CheckFinite(a, "actions", where);
    internal::CheckFinite(r, "rewards", where);
    at::Tensor te_b = te.reshape({-1}) != 0, tr_b = tr.reshape({-1}) != 0;
    // Only the last step may end the episode.
    if (t > 1 && at::logical_or(te_b, tr_b).slice(0, 0, t - 1).any().item<bool>()) {
      throw DataError(StrCat(where, ": terminations or truncations is set before the last step"));
    }
    starts.push_back(rows);
    rows += t;
    obs.push_back(o.slice(0, 0, t));
    next.push_back(o.slice(0, 1, t + 1));
    act.push_back(a);
    rew.push_back(r);
    term.push_back(te_b);
    tout.push_back(tr_b);
  }
  if (obs.empty()) {
    throw DataError(StrCat("'", path, "' holds no non-empty episode_<i> groups; it is not in Minari's layout",
                           Exists(f.get(), "observations") ? " (it looks like D4RL: use ImportD4rlHdf5)" : ""));
  }
  // Minari's root attributes: dataset_id names the data, algorithm_name the behaviour policy; the other
  // string attributes (author, env_spec as JSON, minari_version, ...) are kept as "minari.<name>".
  DatasetMetadata m;
  for (const std::string& key : AttributeNames(f.get())) {
    const std::string value = ReadStringAttr(f.get(), key.c_str());
    if (value.empty()) continue;
    if (key == "dataset_id") m.source = value;
    else if (key == "algorithm_name") m.behaviour_policy = value;
    else m.extra["minari." + key] = value;
  }
  if (m.source.empty()) m.source = path;
  Dataset d(at::cat(obs).contiguous(), at::cat(act).contiguous(), at::cat(rew).contiguous(), at::cat(term),
            at::cat(tout), at::cat(next).contiguous(), std::move(m));
  return d.WithEpisodeStarts(std::move(starts));
}

}  // namespace augur::data
