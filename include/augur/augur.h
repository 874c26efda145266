// augur: the whole public C++ API in one include.
#pragma once

#include "augur/core/budget.h"
#include "augur/core/error.h"
#include "augur/core/executor.h"
#include "augur/core/factory.h"
#include "augur/core/logging.h"
#include "augur/core/progress.h"
#include "augur/core/registry.h"
#include "augur/core/rng.h"
#include "augur/core/spaces.h"
#include "augur/core/system_info.h"
#include "augur/core/version.h"
