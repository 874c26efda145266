// Between the service's plain C++ types and augur_serve.proto's messages, for the server and the client.
#pragma once

#include "augur/serve/augur_serve.pb.h"
#include "augur/serve/plan_service.h"

namespace augur::serve {

void ToProto(const PlanSnapshot& plan, PlanReply& out);
void FromProto(const PlanReply& reply, PlanSnapshot& out);
void ToProto(const ServiceStats& stats, StatsReply& out);
void FromProto(const StatsReply& reply, ServiceStats& out);

}  // namespace augur::serve
