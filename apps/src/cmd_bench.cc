// augur bench: run a grid (env x dataset x method x compute budget x seed) from a BenchConfig text proto.
// Every finished cell is appended as one JSON line to OUT/cells.jsonl and fsynced, so an interrupted bench
// keeps every finished cell and a rerun skips them (a torn last line is ignored). At the end OUT/results.json
// (every cell plus a summary over seeds) and OUT/report.html (score vs compute, time per action, model error
// vs horizon). Everything in the config is checked before any work.
#include <fcntl.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "augur/agents/bench_cell.h"
#include "augur/agents/graded_dataset.h"
#include "augur/core/budget.h"
#include "augur/core/error.h"
#include "augur/core/executor.h"
#include "augur/core/factory.h"
#include "augur/core/logging.h"
#include "augur/core/progress.h"
#include "augur/data/io.h"
#include "augur/envs/env.h"
#include "augur/envs/registry.h"
#include "augur/proto/augur.pb.h"
#include "commands.h"
#include "report.h"

namespace augur::apps {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

std::string Joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

class Collector : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    errors += StrCat("  line ", line + 1, ", column ", column + 1, ": ", message, "\n");
  }
  std::string errors;
};

proto::BenchConfig ReadConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw NotFoundError(StrCat("bench: config '", path, "' not found"));
  std::stringstream text;
  text << in.rdbuf();
  proto::BenchConfig config;
  google::protobuf::TextFormat::Parser parser;
  Collector collector;
  parser.RecordErrorsTo(&collector);
  if (!parser.ParseFromString(text.str(), &config)) {
    throw ConfigError(StrCat("bench: cannot parse '", path, "' as a BenchConfig text proto (proto/augur.proto):\n",
                             collector.errors));
  }
  return config;
}

struct DatasetEntry {
  proto::BenchDataset spec;
  std::string file;  // path of the data file (given, or generated under OUT/datasets)
  data::Dataset data;
  std::string definition;
};

struct EnvEntry {
  std::string id;
  std::unique_ptr<envs::Env> env;
  std::vector<DatasetEntry> datasets;
};

struct Cell {
  std::string key, definition;
  size_t env = 0, dataset = 0, method = 0;
  std::string budget;
  uint64_t seed = 0;
};

agents::MethodSpec ToMethod(const proto::BenchMethod& m) {
  agents::MethodSpec s{m.name(), m.kind(), m.model(), m.planner(), m.train_epochs(), {}};
  for (const auto& [k, v] : m.params()) s.params[k] = v;
  return s;
}

// Checks everything that can be checked without running a cell; loads the given dataset files.
// --dataset-path ENV/NAME=PATH: replaces the path of that dataset (it must exist in the config as a path dataset).
void ApplyDatasetPaths(const std::vector<std::string>& overrides, proto::BenchConfig& config) {
  for (const std::string& o : overrides) {
    const size_t slash = o.find('/'), eq = o.find('=');
    if (slash == std::string::npos || eq == std::string::npos || eq < slash) {
      throw ConfigError(StrCat("bench: --dataset-path '", o, "' is not ENV/NAME=PATH"));
    }
    const std::string env = o.substr(0, slash), name = o.substr(slash + 1, eq - slash - 1), path = o.substr(eq + 1);
    bool found = false;
    std::string names;
    for (auto& e : *config.mutable_envs()) {
      for (auto& d : *e.mutable_datasets()) {
        if (!d.path().empty()) names += (names.empty() ? "" : ", ") + e.env() + "/" + d.name();
        if (e.env() == env && d.name() == name && !d.path().empty()) {
          d.set_path(path);
          found = true;
        }
      }
    }
    if (!found) {
      throw NotFoundError(StrCat("bench: --dataset-path names '", env, "/", name,
                                 "', which is no path dataset of the config; valid: ", names.empty() ? "(none)" : names));
    }
  }
}

// A dataset `path` as given when it exists (absolute, or relative to the current directory), else relative to
// the config file's folder (so a config in bench/configs/ can name "../../tests/data/...").
std::string ResolveDataPath(const std::string& path, const std::string& config_path) {
  if (path.empty() || fs::path(path).is_absolute() || fs::exists(path)) return path;
  const fs::path beside = fs::path(config_path).parent_path() / path;
  return fs::exists(beside) ? beside.lexically_normal().string() : path;
}

std::vector<EnvEntry> Validate(const proto::BenchConfig& config, const std::string& out_dir,
                               const std::string& config_path) {
  if (config.envs().empty()) throw ConfigError("bench: the config names no env (add an `envs { env: ... }` block)");
  if (config.methods().empty()) throw ConfigError("bench: the config names no method (add a `methods { ... }` block)");
  const auto env_ids = envs::RegisteredEnvs();
  const auto grades = agents::GradeNames();
  std::vector<EnvEntry> out;
  for (const auto& e : config.envs()) {
    if (std::find(env_ids.begin(), env_ids.end(), e.env()) == env_ids.end()) {
      throw NotFoundError(StrCat("bench: unknown env '", e.env(), "'; valid envs: ", Joined(env_ids)));
    }
    EnvEntry entry{e.env(), envs::Make(e.env()), {}};
    if (e.datasets().empty()) throw ConfigError(StrCat("bench: env '", e.env(), "' has no dataset"));
    std::set<std::string> names;
    for (const auto& d : e.datasets()) {
      if (d.name().empty() || !names.insert(d.name()).second) {
        throw ConfigError(StrCat("bench: env '", e.env(), "': every dataset needs a unique name (got '", d.name(), "')"));
      }
      if (d.path().empty() == d.grade().empty()) {
        throw ConfigError(StrCat("bench: dataset '", d.name(), "' of ", e.env(),
                                 ": give exactly one of `path` (a file) or `grade` (generate one)"));
      }
      DatasetEntry ds{d, d.path(), {}, ""};
      if (!d.grade().empty()) {
        if (std::find(grades.begin(), grades.end(), d.grade()) == grades.end()) {
          throw NotFoundError(StrCat("bench: dataset '", d.name(), "': unknown grade '", d.grade(),
                                     "'; valid grades: ", Joined(grades)));
        }
        ds.file = StrCat(out_dir, "/datasets/", e.env(), "-", d.name(), ".augur");
        ds.definition = StrCat("grade=", d.grade(), ",episodes=", d.episodes() > 0 ? d.episodes() : 5,
                               ",max_steps=", d.max_steps(), ",seed=", d.seed());
      } else {
        ds.file = ResolveDataPath(d.path(), config_path);
        ds.data = data::Load(ds.file);
        if (d.episodes() > 0 && d.episodes() < ds.data.num_episodes()) {
          ds.data = ds.data.SliceEpisodes(0, d.episodes());  // the file's first episodes only
        }
        const EnvSpec& spec = entry.env->spec();
        if (ds.data.obs_dim() != spec.obs_dim() || ds.data.action_dim() != spec.action_dim()) {
          throw ShapeError(StrCat("bench: dataset '", d.name(), "' (", d.path(), ") has observations [N, ",
                                  ds.data.obs_dim(), "] and actions [N, ", ds.data.action_dim(), "], but env ",
                                  e.env(), " has observations [", spec.obs_dim(), "] and actions [",
                                  spec.action_dim(), "]"));
        }
        ds.definition = StrCat("path=", d.path(), d.episodes() > 0 ? StrCat(",episodes=", d.episodes()) : "",
                               ",digest=", ds.data.Digest());
      }
      entry.datasets.push_back(std::move(ds));
    }
    out.push_back(std::move(entry));
  }
  std::set<std::string> method_names;
  for (const auto& m : config.methods()) {
    if (m.name().empty() || !method_names.insert(m.name()).second) {
      throw ConfigError(StrCat("bench: every method needs a unique name (got '", m.name(), "')"));
    }
    const agents::CellKind& kind = agents::FindCellKind(m.kind());
    kind.validate(ToMethod(m));
  }
  for (const auto& b : config.budgets()) FactorySpec::Parse("budget:" + b);  // ConfigError on a malformed one
  if (config.episodes() < 0 || config.max_steps() < 0 || config.model_error_horizon() < 0) {
    throw ConfigError("bench: episodes, max_steps and model_error_horizon must be >= 0");
  }
  return out;
}

std::vector<Cell> Expand(const proto::BenchConfig& config, const std::vector<EnvEntry>& envs) {
  std::vector<std::string> budgets(config.budgets().begin(), config.budgets().end());
  if (budgets.empty()) budgets.push_back("");
  std::vector<uint64_t> seeds(config.seeds().begin(), config.seeds().end());
  if (seeds.empty()) seeds.push_back(0);
  std::vector<Cell> cells;
  for (size_t e = 0; e < envs.size(); ++e) {
    for (size_t d = 0; d < envs[e].datasets.size(); ++d) {
      for (size_t m = 0; m < static_cast<size_t>(config.methods_size()); ++m) {
        const auto& method = config.methods(m);
        const bool budgeted = agents::FindCellKind(method.kind()).uses_budget;
        for (const std::string& budget : budgeted ? budgets : std::vector<std::string>{""}) {
          for (uint64_t seed : seeds) {
            Cell c{StrCat(envs[e].id, "/", envs[e].datasets[d].spec.name(), "/", method.name(), "/",
                          budget.empty() ? "-" : budget, "/", seed),
                   "", e, d, m, budget, seed};
            c.definition = StrCat(envs[e].datasets[d].definition, "|", method.kind(), "|", method.model(), "|",
                                  method.planner(), "|", method.train_epochs(), "|episodes=", config.episodes(),
                                  ",max_steps=", config.max_steps(), ",h=", config.model_error_horizon());
            for (const auto& [k, v] : ToMethod(method).params) c.definition += StrCat("|", k, "=", v);  // sorted
            cells.push_back(std::move(c));
          }
        }
      }
    }
  }
  return cells;
}

// The finished cells of earlier runs: key -> record (a later line wins). A torn or unparsable line (an
// interrupted write) is skipped with a warning.
std::map<std::string, Json> ReadFinished(const std::string& path) {
  std::map<std::string, Json> done;
  std::ifstream in(path);
  std::string line;
  int64_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    try {
      Json j = Json::parse(line);
      const std::string key = j.at("key").get<std::string>();  // before j is moved from
      done[key] = std::move(j);
    } catch (const std::exception& e) {
      Log().warn("bench: ignoring the unreadable line {} of {} (an interrupted write?): {}; its cell reruns", number,
                 path, e.what());
    }
  }
  return done;
}

// Appends one line and fsyncs it. A file whose last line is torn gets a newline first.
void AppendLine(const std::string& path, const std::string& line) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0) throw IoError(StrCat("bench: cannot open '", path, "' for appending"));
  std::string text = line + "\n";
  const auto size = fs::file_size(path);
  if (size > 0) {
    std::ifstream in(path, std::ios::binary);
    in.seekg(static_cast<std::streamoff>(size) - 1);
    if (in.get() != '\n') text = "\n" + text;
  }
  const char* p = text.data();
  size_t left = text.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n <= 0) {
      ::close(fd);
      throw IoError(StrCat("bench: write to '", path, "' failed"));
    }
    p += n, left -= static_cast<size_t>(n);
  }
  ::fsync(fd);
  ::close(fd);
}

Json MeanStd(const std::vector<double>& v) {
  double s = 0, s2 = 0;
  for (double x : v) s += x, s2 += x * x;
  const double n = static_cast<double>(v.size());
  const double mean = n ? s / n : 0;
  return {{"mean", mean}, {"std", n > 1 ? std::sqrt(std::max(0.0, (s2 - n * mean * mean) / (n - 1))) : 0.0},
          {"n", v.size()}};
}

// Cells of one (env, dataset, method, budget) over seeds.
Json Summarize(const std::vector<Json>& cells) {
  std::map<std::string, std::vector<const Json*>> groups;
  std::vector<std::string> order;
  for (const Json& c : cells) {
    const std::string g = StrCat(c["env"].get<std::string>(), "/", c["dataset"].get<std::string>(), "/",
                                 c["method"].get<std::string>(), "/", c["budget"].get<std::string>());
    if (!groups.contains(g)) order.push_back(g);
    groups[g].push_back(&c);
  }
  Json out = Json::array();
  for (const std::string& g : order) {
    const auto& members = groups[g];
    std::vector<double> score, ret, ms, evals;
    std::vector<double> error;
    int error_n = 0;
    for (const Json* c : members) {
      const Json& r = (*c)["result"];
      if (r.contains("normalized_mean")) score.push_back(r["normalized_mean"].get<double>());
      ret.push_back(r["mean_return"].get<double>());
      ms.push_back(r["mean_action_ms"].get<double>());
      evals.push_back(r["evaluations_per_action"].get<double>());
      const auto e = r["model_error"].get<std::vector<double>>();
      if (!e.empty()) {
        if (error.empty()) error.assign(e.size(), 0.0);
        for (size_t i = 0; i < std::min(e.size(), error.size()); ++i) error[i] += e[i];
        ++error_n;
      }
    }
    for (double& e : error) e /= std::max(1, error_n);
    std::map<std::string, std::vector<double>> metric_values;  // kind-specific figures over seeds
    for (const Json* c : members) {
      if (!(*c)["result"].contains("metrics")) continue;
      for (const auto& [k, v] : (*c)["result"]["metrics"].items()) metric_values[k].push_back(v.get<double>());
    }
    const Json& first = *members.front();
    out.push_back({{"env", first["env"]},
                   {"dataset", first["dataset"]},
                   {"method", first["method"]},
                   {"kind", first["kind"]},
                   {"budget", first["budget"]},
                   {"seeds", members.size()},
                   {"normalized", MeanStd(score)},
                   {"return", MeanStd(ret)},
                   {"ms_per_action", MeanStd(ms)},
                   {"evaluations_per_action", MeanStd(evals)["mean"]},
                   {"model_error", error},
                   {"normalization", first["result"].value("normalization", "")}});
    for (const auto& [k, v] : metric_values) out.back()["metrics"][k] = MeanStd(v);
  }
  return out;
}

nlohmann::ordered_json ReportPage(const proto::BenchConfig& config, const Json& summary, size_t cells) {
  using OJson = nlohmann::ordered_json;
  OJson page{{"title", "augur bench: " + config.name()},
             {"subtitle", "protocol: " + (config.protocol().empty() ? std::string("(not labelled)") : config.protocol())}};
  page["summary"] = {{"cells", cells}, {"groups (over seeds)", summary.size()}};
  OJson sections = OJson::array();
  // One section per (env, dataset).
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& s : summary) {
    std::pair<std::string, std::string> p{s["env"].get<std::string>(), s["dataset"].get<std::string>()};
    if (std::find(pairs.begin(), pairs.end(), p) == pairs.end()) pairs.push_back(p);
  }
  for (const auto& [env, dataset] : pairs) {
    OJson score = LinePlot("Normalized score vs compute", "model evaluations per action", "normalized score");
    score["logx"] = true;
    OJson time = LinePlot("Time per action", "model evaluations per action", "ms per action");
    time["logx"] = true;
    OJson error = LinePlot("Model error vs horizon (open loop, first evaluation episode)", "horizon (steps)",
                           "RMSE of the observation");
    double lo = 1e300, hi = 0;
    for (const auto& s : summary) {
      if (s["env"].get<std::string>() == env && s["dataset"].get<std::string>() == dataset &&
          s["evaluations_per_action"].get<double>() > 0) {
        lo = std::min(lo, s["evaluations_per_action"].get<double>());
        hi = std::max(hi, s["evaluations_per_action"].get<double>());
      }
    }
    if (hi == 0) lo = 1, hi = 10;
    std::map<std::string, std::vector<const Json*>> by_method;
    std::vector<std::string> methods;
    for (const auto& s : summary) {
      if (s["env"].get<std::string>() != env || s["dataset"].get<std::string>() != dataset) continue;
      const std::string m = s["method"].get<std::string>();
      if (!by_method.contains(m)) methods.push_back(m);
      by_method[m].push_back(&s);
    }
    OJson rows = OJson::array();
    for (const std::string& m : methods) {
      auto group = by_method[m];
      std::sort(group.begin(), group.end(), [](const Json* a, const Json* b) {
        return (*a)["evaluations_per_action"].get<double>() < (*b)["evaluations_per_action"].get<double>();
      });
      std::vector<double> x, y, sd, t;
      for (const Json* s : group) {
        x.push_back((*s)["evaluations_per_action"].get<double>());
        y.push_back((*s)["normalized"]["mean"].get<double>());
        sd.push_back((*s)["normalized"]["std"].get<double>());
        t.push_back((*s)["ms_per_action"]["mean"].get<double>());
        const auto e = (*s)["model_error"].get<std::vector<double>>();
        if (!e.empty()) {
          std::vector<double> h(e.size());
          for (size_t i = 0; i < e.size(); ++i) h[i] = i + 1;
          const std::string budget = (*s)["budget"].get<std::string>();
          AddSeries(error, budget.empty() ? m : m + " " + budget, h, e);
        }
        rows.push_back(OJson::array({m, (*s)["kind"].get<std::string>(), (*s)["budget"].get<std::string>(),
                                     (*s)["seeds"].get<int>(), y.back(), sd.back(),
                                     (*s)["return"]["mean"].get<double>(), t.back(), x.back()}));
      }
      if (x.size() == 1 && x[0] == 0) {  // no planner: a flat line across the compute range
        x = {lo, hi}, y = {y[0], y[0]}, sd = {sd[0], sd[0]}, t = {t[0], t[0]};
      }
      AddSeries(score, m, x, y);
      score["series"].back()["std"] = sd;
      AddSeries(time, m, x, t);
    }
    OJson plots = OJson::array({score, time});
    if (!error["series"].empty()) plots.push_back(error);
    sections.push_back({{"title", env + " / " + dataset},
                        {"plots", plots},
                        {"tables", {{{"columns", {"method", "kind", "budget", "seeds", "normalized", "std",
                                                  "return", "ms/action", "evals/action"}},
                                     {"rows", rows}}}}});
  }
  page["sections"] = sections;
  return page;
}

}  // namespace

Command BenchCommand() {
  struct Args {
    std::string config, out = "bench-out";
    std::vector<std::string> dataset_paths;  // ENV/NAME=PATH overrides of path datasets
    bool list_kinds = false, check = false, no_report = false;
  };
  auto args = std::make_shared<Args>();
  return {"bench",
          "Run a benchmark grid (env x dataset x method x budget x seed) from a BenchConfig .pbtxt; resumable, "
          "writes results.json and report.html",
          [args](CLI::App& sub, const GlobalOptions& global) -> std::function<void()> {
            sub.add_option("config", args->config, "BenchConfig text proto (e.g. bench/configs/smoke.pbtxt)");
            sub.add_option("--out", args->out, "Output folder (cells.jsonl, results.json, report.html, "
                                               "datasets/, models/); rerunning into it resumes")
                ->capture_default_str();
            sub.add_option("--dataset-path", args->dataset_paths,
                           "ENV/NAME=PATH: read the config's path dataset NAME of ENV from PATH instead (e.g. "
                           "DMSD/train=DMSD-high-100000-train.npz); repeatable");
            sub.add_flag("--list-kinds", args->list_kinds, "List the registered cell kinds and exit");
            sub.add_flag("--check", args->check, "Validate the config and list the cells, run nothing");
            sub.add_flag("--no-report", args->no_report, "Skip the HTML report (results.json only)");
            return [args, &global] {
              if (args->list_kinds) {
                for (const auto& k : agents::CellKindNames()) {
                  std::printf("%-10s %s\n", k.c_str(), agents::FindCellKind(k).help.c_str());
                }
                return;
              }
              if (args->config.empty()) throw ConfigError("augur bench: give a config file (see bench/configs/)");
              proto::BenchConfig config = ReadConfig(args->config);
              ApplyDatasetPaths(args->dataset_paths, config);
              std::vector<EnvEntry> envs = Validate(config, args->out, args->config);
              const std::vector<Cell> cells = Expand(config, envs);
              const std::string results_path = args->out + "/cells.jsonl";
              std::map<std::string, Json> finished = ReadFinished(results_path);
              size_t skip = 0;
              for (const Cell& c : cells) {
                auto it = finished.find(c.key);
                if (it != finished.end() && it->second.value("definition", "") == c.definition) ++skip;
              }
              if (args->check) {
                std::printf("config OK: %zu cells (%zu already finished in %s)\n", cells.size(), skip,
                            results_path.c_str());
                for (const Cell& c : cells) std::printf("  %s\n", c.key.c_str());
                return;
              }
              fs::create_directories(args->out);
              Executor executor(global.threads);
              if (skip > 0) {
                std::fprintf(stderr, "bench: %zu of %zu cells already finished in %s; skipping them\n", skip,
                             cells.size(), results_path.c_str());
              }
              // Datasets: generate (resumable) and load what the remaining cells need.
              for (EnvEntry& e : envs) {
                for (DatasetEntry& d : e.datasets) {
                  if (d.spec.grade().empty()) continue;
                  agents::GradeOptions g;
                  g.env = e.id;
                  g.grade = d.spec.grade();
                  g.episodes = d.spec.episodes() > 0 ? d.spec.episodes() : 5;
                  g.max_steps = d.spec.max_steps();
                  g.seed = d.spec.seed();
                  fs::create_directories(args->out + "/datasets");
                  Progress progress({.label = "dataset " + e.id + " " + d.spec.name(),
                                     .total = g.grade == "medium-expert" ? 2 * g.episodes : g.episodes,
                                     .unit = "episode"});
                  agents::GenerateGradedToFile(g, d.file, executor, &progress);
                  progress.Finish();
                  d.data = data::Load(d.file);
                }
              }
              Progress progress({.label = "bench", .total = static_cast<int64_t>(cells.size()), .unit = "cell"});
              progress.Advance(static_cast<int64_t>(skip));
              std::vector<Json> records;
              for (const Cell& c : cells) {
                auto it = finished.find(c.key);
                if (it != finished.end() && it->second.value("definition", "") == c.definition) {
                  records.push_back(it->second);
                  continue;
                }
                const EnvEntry& e = envs[c.env];
                const DatasetEntry& d = e.datasets[c.dataset];
                const proto::BenchMethod& m = config.methods(c.method);
                agents::CellInputs in;
                in.env = e.env.get();
                in.dataset = &d.data;
                in.dataset_name = d.spec.name();
                in.method = ToMethod(m);
                in.budget = c.budget;
                in.seed = c.seed;
                in.episodes = config.episodes() > 0 ? config.episodes() : 5;
                in.max_steps = config.max_steps();
                in.model_error_horizon = config.model_error_horizon() > 0 ? config.model_error_horizon() : 10;
                in.cache_dir = args->out + "/models";
                in.executor = &executor;
                const auto start = Clock::now();
                const agents::CellResult result = agents::FindCellKind(m.kind()).run(in);
                const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
                Json record{{"key", c.key},           {"definition", c.definition}, {"env", e.id},
                            {"dataset", d.spec.name()}, {"method", m.name()},       {"kind", m.kind()},
                            {"budget", c.budget},     {"seed", c.seed},             {"seconds", seconds},
                            {"result", agents::ToJson(result)}};
                AppendLine(results_path, record.dump());
                records.push_back(record);
                if (result.normalized_mean) progress.SetMetric("score", *result.normalized_mean);
                progress.Advance();
                Log().info("bench: {} -> return {:.1f}{} in {:.1f} s", c.key, result.mean_return,
                               result.normalized_mean ? StrCat(", normalized ", *result.normalized_mean) : "", seconds);
              }
              progress.Finish();
              const Json summary = Summarize(records);
              Json results{{"name", config.name()},
                           {"protocol", config.protocol()},
                           {"cells", records},
                           {"summary", summary}};
              WriteFileAtomically(args->out + "/results.json", results.dump(2) + "\n");
              if (!args->no_report) RenderReport(ReportPage(config, summary, records.size()), args->out + "/report.html");
              if (global.json) {
                std::printf("%s\n", Json{{"out", args->out}, {"cells", records.size()}, {"skipped", skip},
                                         {"summary", summary}}.dump(2).c_str());
              } else {
                std::printf("%-14s %-14s %-18s %-22s %5s %16s %10s\n", "env", "dataset", "method", "budget", "seeds",
                            "normalized", "ms/action");
                for (const auto& s : summary) {
                  std::printf("%-14s %-14s %-18s %-22s %5d %8.1f +- %5.1f %10.2f\n",
                              s["env"].get<std::string>().c_str(), s["dataset"].get<std::string>().c_str(),
                              s["method"].get<std::string>().c_str(),
                              s["budget"].get<std::string>().empty() ? "-" : s["budget"].get<std::string>().c_str(),
                              s["seeds"].get<int>(), s["normalized"]["mean"].get<double>(),
                              s["normalized"]["std"].get<double>(), s["ms_per_action"]["mean"].get<double>());
                }
                std::printf("protocol: %s; %zu cells (%zu reused); results in %s/results.json\n",
                            config.protocol().c_str(), records.size(), skip, args->out.c_str());
              }
            };
          }};
}

}  // namespace augur::apps
