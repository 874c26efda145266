// Precompiled header for targets that use ATen: parsing ATen/ATen.h costs seconds per translation unit.
#pragma once
#include <ATen/ATen.h>
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>
