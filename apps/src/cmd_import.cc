// augur import / augur export: convert datasets between npz (NeoRL-2 keys), HDF5 (D4RL, Minari) and augur
// record files.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "augur/core/error.h"
#include "augur/data/io.h"
#include "augur/envs/registry.h"
#include "commands.h"

namespace augur::apps {
namespace {

struct ConvertArgs {
  std::string in, out, env, source, licence, policy;
  int64_t episodes = 0;  // keep the first N episodes; 0 = all
};

void Convert(const ConvertArgs& args) {
  data::Dataset dataset = data::Load(args.in);
  if (args.episodes > 0) {
    if (args.episodes > dataset.num_episodes()) {
      throw ConfigError(StrCat("--episodes ", args.episodes, ": ", args.in, " holds only ", dataset.num_episodes(),
                               " episodes"));
    }
    dataset = dataset.SliceEpisodes(0, args.episodes);
  }
  data::DatasetMetadata& metadata = dataset.mutable_metadata();
  if (!args.env.empty()) {
    const auto env = envs::Make(args.env);
    if (env->spec().obs_dim() != dataset.obs_dim() || env->spec().action_dim() != dataset.action_dim()) {
      throw ShapeError(StrCat("--env ", args.env, " has observations of ", env->spec().obs_dim(), " and actions of ",
                              env->spec().action_dim(), " values but ", args.in, " has ", dataset.obs_dim(), " and ",
                              dataset.action_dim()));
    }
    metadata.env_spec = env->spec();
  }
  if (!args.source.empty()) metadata.source = args.source;
  if (metadata.source.empty()) metadata.source = args.in;
  if (!args.licence.empty()) metadata.licence = args.licence;
  if (!args.policy.empty()) metadata.behaviour_policy = args.policy;
  data::Save(dataset, args.out);
  std::printf("wrote %s: %lld rows, %lld episodes\n", args.out.c_str(), static_cast<long long>(dataset.size()),
              static_cast<long long>(dataset.num_episodes()));
}

std::function<void()> SetupConvert(CLI::App& sub, ConvertArgs& args, const char* out_help) {
  sub.add_option("input", args.in, "Input dataset (.augur, .npz, .hdf5/.h5)")->required();
  sub.add_option("--out", args.out, out_help)->required();
  sub.add_option("--env", args.env, "Environment id to record in the metadata (dims are checked)");
  sub.add_option("--source", args.source, "Where the data came from (kept in the metadata)");
  sub.add_option("--licence", args.licence, "Licence of the data (kept in the metadata)");
  sub.add_option("--policy", args.policy, "Behaviour policy that collected the data");
  sub.add_option("--episodes", args.episodes, "Keep only the first N episodes (0: all)")
      ->check(CLI::NonNegativeNumber)->capture_default_str();
  return [&args] { Convert(args); };
}

}  // namespace

Command ImportCommand() {
  auto args = std::make_shared<ConvertArgs>();
  return {"import", "Import an npz (NeoRL-2 keys) or HDF5 (D4RL / Minari layout) dataset as an augur record file",
          [args](CLI::App& sub, const GlobalOptions&) {
            return SetupConvert(sub, *args, "Output record file (.augur)");
          }};
}

Command ExportCommand() {
  auto args = std::make_shared<ConvertArgs>();
  return {"export", "Export a dataset as npz (NeoRL-2 keys) or HDF5 (D4RL layout), chosen by the output extension",
          [args](CLI::App& sub, const GlobalOptions&) {
            return SetupConvert(sub, *args, "Output file (.npz, .hdf5 or .h5)");
          }};
}

}  // namespace augur::apps
