// The MJCF models of envs/assets/, compiled into the library (see envs/CMakeLists.txt).
#pragma once

#include <string_view>

namespace augur::envs::internal {

// The text of envs/assets/<name> ("half_cheetah.xml", "hopper.xml", "walker2d.xml"); empty for an unknown name.
std::string_view MujocoAsset(std::string_view name);

}  // namespace augur::envs::internal
