// Conversions between augur's plain C++ types and the protobuf messages of augur.proto. The only place that
// touches protobuf: everything else in augur sees plain types.
#pragma once

#include <augur/proto/augur.pb.h>

#include "augur/core/spaces.h"
#include "augur/data/dataset.h"
#include "augur/data/episode.h"
#include "augur/data/normalizer.h"

namespace augur::data {

proto::EnvSpec ToProto(const EnvSpec& spec);
// Throws DataError when the message holds no space or an invalid one.
EnvSpec FromProto(const proto::EnvSpec& spec);

// Stores next observations compactly (final_observation only) when they are the shifted observations.
proto::Episode ToProto(const Episode& episode);
// Throws DataError naming the field whose length does not match `length` times the dims.
Episode FromProto(const proto::Episode& episode, int64_t obs_dim, int64_t action_dim, int64_t sim_state_dim);

proto::DatasetHeader ToProtoHeader(const DatasetMetadata& metadata, int64_t obs_dim, int64_t action_dim,
                                   int64_t sim_state_dim);
DatasetMetadata FromProto(const proto::DatasetHeader& header);

proto::NormalizerProto ToProto(const Normalizer& normalizer);
// Throws DataError when mean and std differ in length or std is not positive.
Normalizer FromProto(const proto::NormalizerProto& normalizer);

}  // namespace augur::data
