#include "augur/agents/rl/sac.h"

#include <torch/torch.h>

#include <array>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "augur/core/error.h"
#include "augur/core/torch_rng.h"

namespace augur::agents::rl {
namespace {

using at::Tensor;
using ParamList = std::vector<Tensor>;

constexpr double kLogStdMin = -5.0, kLogStdMax = 2.0;
// Output layers start near zero (EDAC / CORL initialize the last critic layer and the actor heads uniformly
// in +-3e-3 and +-1e-3), so early Q-values and actions are small.
constexpr double kCriticHeadInit = 3e-3, kActorHeadInit = 1e-3;

Tensor Uniform(std::vector<int64_t> shape, double bound, at::Generator& gen, at::ScalarType dtype) {
  return at::empty(shape, at::TensorOptions().dtype(dtype)).uniform_(-bound, bound, gen);
}

// Layer widths in -> hidden x layers -> out.
std::vector<int64_t> Widths(int64_t in, int hidden, int layers, int64_t out) {
  std::vector<int64_t> w{in};
  for (int l = 0; l < layers; ++l) w.push_back(hidden);
  w.push_back(out);
  return w;
}

// Critic ensemble: per layer W [N, in, out] and b [N, 1, out], torch.nn.Linear's default init per member.
ParamList MakeCritics(int64_t n, const std::vector<int64_t>& widths, at::Generator& gen, at::ScalarType dtype) {
  ParamList p;
  for (size_t l = 0; l + 1 < widths.size(); ++l) {
    const bool head = l + 2 == widths.size();
    const double bound = head ? kCriticHeadInit : 1.0 / std::sqrt(static_cast<double>(widths[l]));
    p.push_back(Uniform({n, widths[l], widths[l + 1]}, bound, gen, dtype).requires_grad_());
    p.push_back(Uniform({n, 1, widths[l + 1]}, bound, gen, dtype).requires_grad_());
  }
  return p;
}

ParamList MakeActor(const std::vector<int64_t>& widths, at::Generator& gen, at::ScalarType dtype) {
  ParamList p;
  for (size_t l = 0; l + 1 < widths.size(); ++l) {
    const bool head = l + 2 == widths.size();
    const double bound = head ? kActorHeadInit : 1.0 / std::sqrt(static_cast<double>(widths[l]));
    p.push_back(Uniform({widths[l], widths[l + 1]}, bound, gen, dtype).requires_grad_());
    p.push_back(Uniform({widths[l + 1]}, bound, gen, dtype).requires_grad_());
  }
  return p;
}

// x [N, B, in] (or [B, in], shared by every critic) -> [N, B].
Tensor CriticForward(const ParamList& p, const Tensor& x) {
  const int64_t n = p[0].size(0);
  Tensor h = x.dim() == 2 ? x.unsqueeze(0).expand({n, x.size(0), x.size(1)}) : x;
  const size_t layers = p.size() / 2;
  for (size_t l = 0; l < layers; ++l) {
    h = at::baddbmm(p[2 * l + 1], h, p[2 * l]);
    if (l + 1 < layers) h = at::relu(h);
  }
  return h.squeeze(-1);
}

// CriticForward for a shared input x [B, in] that keeps every layer's input for CriticBackward:
// acts[0] = x expanded to [N, B, in], acts[l] = relu output of layer l - 1. Same ops as CriticForward (the
// forward values are bitwise equal). No autograd (call under NoGradGuard).
Tensor CriticForwardTape(const ParamList& p, const Tensor& x, std::vector<Tensor>& acts) {
  const int64_t n = p[0].size(0);
  Tensor h = x.unsqueeze(0).expand({n, x.size(0), x.size(1)});
  const size_t layers = p.size() / 2;
  acts.assign(1, h);
  for (size_t l = 0; l < layers; ++l) {
    h = at::baddbmm(p[2 * l + 1], h, p[2 * l]);
    if (l + 1 < layers) {
      h.relu_();
      acts.push_back(h);
    }
  }
  return h.squeeze(-1);
}

// Backward of CriticForwardTape for dz = d loss / d output [N, B, 1]: the parameter gradients into `grads`
// (same layout as p) when given, and d loss / d (columns [from, in) of the input), summed over critics, into
// `d_input` [B, in - from] when given.
void CriticBackward(const ParamList& p, const std::vector<Tensor>& acts, Tensor dz, ParamList* grads,
                    Tensor* d_input, int64_t from) {
  const size_t layers = p.size() / 2;
  if (grads) grads->resize(p.size());
  for (size_t l = layers; l-- > 0;) {
    if (grads) {
      (*grads)[2 * l] = at::bmm(acts[l].transpose(1, 2), dz);
      (*grads)[2 * l + 1] = dz.sum(1, /*keepdim=*/true);
    }
    if (l > 0) {
      dz = at::threshold_backward(at::bmm(dz, p[2 * l].transpose(1, 2)), acts[l], 0);
    } else if (d_input) {
      const Tensor w = p[0].narrow(1, from, p[0].size(1) - from);
      *d_input = at::bmm(dz, w.transpose(1, 2)).sum(0);
    }
  }
}

ParamList Detached(const ParamList& p) {
  ParamList d;
  d.reserve(p.size());
  for (const Tensor& t : p) d.push_back(t.detach());
  return d;
}

ParamList Cloned(const ParamList& p) {
  ParamList d;
  for (const Tensor& t : p) d.push_back(t.detach().clone());
  return d;
}

struct ActorOut {
  Tensor mean, log_std;  // [B, A]
};

struct Sample {
  Tensor u;     // [B, A] in [-1, 1]
  Tensor logp;  // [B]
};

// log 2pi / 2
constexpr double kHalfLog2Pi = 0.91893853320467274178;

}  // namespace

bool SacMetrics::finite() const {
  for (double v : {critic_loss, actor_loss, alpha_loss, alpha, diversity_loss, q_mean, q_abs_max, entropy}) {
    if (!std::isfinite(v)) return false;
  }
  return true;
}

void SacOptions::Validate() const {
  auto fail = [](const std::string& m) { throw ConfigError("SAC options: " + m); };
  if (obs_dim < 1) fail(StrCat("obs_dim = ", obs_dim, " must be >= 1"));
  if (action_dim < 1) fail(StrCat("action_dim = ", action_dim, " must be >= 1"));
  if (!action_low.empty() || !action_high.empty()) {
    if (static_cast<int64_t>(action_low.size()) != action_dim ||
        static_cast<int64_t>(action_high.size()) != action_dim) {
      fail(StrCat("action bounds need action_dim = ", action_dim, " entries each; got ", action_low.size(), " and ",
                  action_high.size()));
    }
    for (int64_t i = 0; i < action_dim; ++i) {
      if (!(action_high[i] > action_low[i]) || !std::isfinite(action_low[i]) || !std::isfinite(action_high[i])) {
        fail(StrCat("action bound ", i, " [", action_low[i], ", ", action_high[i], "] must be finite with low < high"));
      }
    }
  }
  if (critics < 1) fail(StrCat("critics = ", critics, " must be >= 1"));
  if (hidden < 1) fail(StrCat("hidden = ", hidden, " must be >= 1"));
  if (layers < 1) fail(StrCat("layers = ", layers, " must be >= 1"));
  if (!(gamma > 0 && gamma <= 1)) fail(StrCat("gamma = ", gamma, " must be in (0, 1]"));
  if (!(tau > 0 && tau <= 1)) fail(StrCat("tau = ", tau, " must be in (0, 1]"));
  if (!(eta >= 0)) fail(StrCat("eta = ", eta, " must be >= 0"));
  if (eta > 0 && critics < 2) fail(StrCat("eta = ", eta, " needs critics >= 2 (the diversity term compares critics)"));
  for (double lr : {actor_lr, critic_lr, alpha_lr}) {
    if (!(lr > 0) || !std::isfinite(lr)) fail(StrCat("learning rate ", lr, " must be > 0 and finite"));
  }
  if (!(alpha > 0)) fail(StrCat("alpha = ", alpha, " must be > 0"));
}

struct Sac::Impl {
  SacOptions o;
  at::ScalarType dtype = at::kFloat;
  Tensor center, half;  // [A] action affine map
  ParamList actor, critics, targets;
  Tensor log_alpha;
  std::unique_ptr<torch::optim::Adam> actor_opt, critic_opt, alpha_opt;
  mutable at::Generator gen;
  int64_t updates = 0;
  double target_entropy = 0;

  explicit Impl(const SacOptions& options) : o(options) {
    o.Validate();
    dtype = o.float64 ? at::kDouble : at::kFloat;
    gen = MakeCpuGenerator(o.seed, 0x5ac);
    const int64_t a = o.action_dim;
    if (o.action_low.empty()) {
      center = at::zeros({a}, dtype);
      half = at::ones({a}, dtype);
    } else {
      Tensor low = at::tensor(o.action_low).to(dtype), high = at::tensor(o.action_high).to(dtype);
      center = (high + low) / 2;
      half = (high - low) / 2;
    }
    actor = MakeActor(Widths(o.obs_dim, o.hidden, o.layers, 2 * a), gen, dtype);
    critics = MakeCritics(o.critics, Widths(o.obs_dim + a, o.hidden, o.layers, 1), gen, dtype);
    targets = Cloned(critics);
    log_alpha = at::full({1}, std::log(o.alpha), dtype).requires_grad_();
    actor_opt = std::make_unique<torch::optim::Adam>(actor, torch::optim::AdamOptions(o.actor_lr));
    critic_opt = std::make_unique<torch::optim::Adam>(critics, torch::optim::AdamOptions(o.critic_lr));
    alpha_opt = std::make_unique<torch::optim::Adam>(ParamList{log_alpha}, torch::optim::AdamOptions(o.alpha_lr));
    target_entropy = o.target_entropy_set ? o.target_entropy : -static_cast<double>(a);
  }

  Tensor In(const Tensor& t) const { return t.to(dtype).contiguous(); }

  ActorOut Actor(const Tensor& obs) const {
    Tensor h = obs;
    const size_t layers = actor.size() / 2;
    for (size_t l = 0; l < layers; ++l) {
      h = at::addmm(actor[2 * l + 1], h, actor[2 * l]);
      if (l + 1 < layers) h = at::relu(h);
    }
    auto parts = h.chunk(2, -1);
    return {parts[0], parts[1].clamp(kLogStdMin, kLogStdMax)};
  }

  // Reparameterized tanh-Gaussian sample and its log-probability (with the tanh change of variables,
  // log(1 - tanh(x)^2) = 2 (log 2 - x - softplus(-2x)), stable for large |x|).
  Sample Draw(const ActorOut& out, const at::Generator& g) const {
    Tensor eps = at::randn(out.mean.sizes(), g, out.mean.options());
    Tensor x = out.mean + out.log_std.exp() * eps;
    Tensor logp = (-0.5 * eps.square() - out.log_std - kHalfLog2Pi).sum(-1);
    logp = logp - (2.0 * (std::log(2.0) - x - at::softplus(-2.0 * x))).sum(-1);
    return {at::tanh(x), logp};
  }

  // Actor forward keeping every layer's input (acts[0] = obs, acts[l] = relu output of layer l - 1); returns
  // the raw head [B, 2A] (mean, unclamped log std). Same ops as Actor. No autograd.
  Tensor ActorTape(const Tensor& obs, std::vector<Tensor>& acts) const {
    Tensor h = obs;
    const size_t layers = actor.size() / 2;
    acts.assign(1, h);
    for (size_t l = 0; l < layers; ++l) {
      h = at::addmm(actor[2 * l + 1], h, actor[2 * l]);
      if (l + 1 < layers) {
        h.relu_();
        acts.push_back(h);
      }
    }
    return h;
  }

  // Parameter gradients of the actor for d loss / d head [B, 2A].
  ParamList ActorBackward(const std::vector<Tensor>& acts, Tensor d) const {
    const size_t layers = actor.size() / 2;
    ParamList g(actor.size());
    for (size_t l = layers; l-- > 0;) {
      g[2 * l] = at::mm(acts[l].t(), d);
      g[2 * l + 1] = d.sum(0);
      if (l > 0) d = at::threshold_backward(at::mm(d, actor[2 * l].t()), acts[l], 0);
    }
    return g;
  }

  Tensor ToUnit(const Tensor& actions) const { return (In(actions) - center) / half; }

  using Clock = std::chrono::steady_clock;
  // A batch as the update reads it: observations, next observations, actions in [-1, 1], rewards and dones [B].
  struct BatchTensors {
    Tensor obs, next, u_data, r, done;
  };
  BatchTensors Inputs(const SacBatch& batch) const {
    return {In(batch.observations), In(batch.next_observations), ToUnit(batch.actions),
            In(batch.rewards).reshape({-1}), In(batch.dones).reshape({-1})};
  }
  // Milliseconds of the update's phases from the clock readings between them.
  static void SetPhases(SacMetrics& m, const std::array<Clock::time_point, 5>& t) {
    const auto ms = [](Clock::time_point a, Clock::time_point b) {
      return std::chrono::duration<double, std::milli>(b - a).count();
    };
    m.actor_ms = ms(t[0], t[1]);
    m.target_ms = ms(t[1], t[2]);
    m.critic_ms = ms(t[2], t[3]);
    m.other_ms = ms(t[3], t[4]);
  }
  Tensor FromUnit(const Tensor& u) const { return u * half + center; }

  static Tensor Cat(const Tensor& obs, const Tensor& u) { return at::cat({obs, u}, -1); }

  Tensor Diversity(const Tensor& grads) const {
    // grads [N, B, A] -> mean over the batch of sum_{i != j} <g_i, g_j> / (N - 1), with unit-normalized g.
    const int64_t n = grads.size(0);
    Tensor g = grads / (grads.norm(2, {-1}, /*keepdim=*/true) + 1e-10);
    Tensor gt = g.transpose(0, 1);                     // [B, N, A]
    Tensor sim = at::bmm(gt, gt.transpose(1, 2));      // [B, N, N]
    Tensor off = sim.sum({1, 2}) - sim.diagonal(0, 1, 2).sum(-1);
    return off.mean() / static_cast<double>(n - 1);
  }

  // Critic forward on (obs, u) with one action copy per critic that requires grad, so each critic's
  // gradient with respect to its own action copy is available for the EDAC term. Returns q [N, B] and the
  // diversity term (undefined when `with_diversity` is false).
  std::pair<Tensor, Tensor> QWithDiversity(const Tensor& obs, const Tensor& u, bool with_diversity) const {
    const int64_t n = o.critics, b = obs.size(0);
    Tensor u_tile = u.unsqueeze(0).expand({n, b, u.size(1)}).clone();
    if (with_diversity) u_tile.requires_grad_();
    Tensor x = at::cat({obs.unsqueeze(0).expand({n, b, obs.size(1)}), u_tile}, -1);
    Tensor q = CriticForward(critics, x);
    if (!with_diversity) return {q, Tensor()};
    Tensor grads = torch::autograd::grad({q.sum()}, {u_tile}, {}, /*retain_graph=*/true, /*create_graph=*/true)[0];
    return {q, Diversity(grads)};
  }

  static void SetGrads(ParamList& params, const ParamList& grads) {
    for (size_t i = 0; i < params.size(); ++i) params[i].mutable_grad() = grads[i];
  }

  SacMetrics Update(const SacBatch& batch) {
    const bool diversity = o.eta > 0 && o.action_dim > 1;
    return o.autograd || diversity ? UpdateAutograd(batch) : UpdateFused(batch);
  }

  // The update without the EDAC term with hand-written gradients: the same losses, samples and optimizer
  // steps as UpdateAutograd (forward values bitwise equal; gradients equal up to float summation order).
  //   actor loss  L = mean_b(alpha logp_b - min_i Q_i(s_b, u_b)), u = tanh(x), x = mean + exp(log_std) eps:
  //     dL/du = -(1/B) dQ_{argmin}/du (backward through the selected critic), dL/dlogp = alpha / B,
  //     dlogp/dx = 2 tanh(x) (the tanh correction's derivative), dlogp/dlog_std = -1, so
  //     dL/dx = dL/du (1 - u^2) + 2 u alpha / B = dL/dmean, dL/dlog_std = dL/dx std eps - alpha / B inside
  //     the clamp range [-5, 2] (0 outside, as clamp's backward).
  //   alpha loss  -mean(log_alpha (logp + target_entropy)): d/dlog_alpha = -mean(logp + target_entropy).
  //   critic loss sum_i mean_b (Q_i - y)^2: dQ_i = 2 (Q_i - y) / B.
  SacMetrics UpdateFused(const SacBatch& batch) {
    torch::NoGradGuard no_grad;
    SacMetrics m;
    const auto t0 = Clock::now();
    const auto [obs, next, u_data, r, done] = Inputs(batch);
    const int64_t b = obs.size(0), a = o.action_dim;
    const double inv_b = 1.0 / static_cast<double>(b);
    std::vector<Tensor> actor_acts, acts;
    const Tensor head = ActorTape(obs, actor_acts);
    const Tensor mean = head.narrow(1, 0, a), raw_log_std = head.narrow(1, a, a);
    const Tensor log_std = raw_log_std.clamp(kLogStdMin, kLogStdMax);
    // The sample, as Draw.
    const Tensor eps = at::randn(mean.sizes(), gen, mean.options());
    const Tensor std = log_std.exp();
    const Tensor x = mean + std * eps;
    Tensor logp = (-0.5 * eps.square() - log_std - kHalfLog2Pi).sum(-1);
    logp = logp - (2.0 * (std::log(2.0) - x - at::softplus(-2.0 * x))).sum(-1);
    const Tensor u = at::tanh(x);
    if (o.auto_alpha) {
      const Tensor shifted = logp + target_entropy;
      m.alpha_loss = -(log_alpha * shifted).mean().item<double>();
      alpha_opt->zero_grad();
      log_alpha.mutable_grad() = -shifted.mean().reshape({1});
      alpha_opt->step();
    }
    const Tensor alpha = log_alpha.detach().exp();
    m.alpha = alpha.item<double>();
    {
      const Tensor q_pi = CriticForwardTape(critics, Cat(obs, u), acts);  // [N, B]
      auto [q_min, arg] = q_pi.min(0);
      m.actor_loss = (alpha * logp - q_min).mean().item<double>();
      m.entropy = -logp.mean().item<double>();
      Tensor dq = at::zeros_like(q_pi).scatter_(0, arg.unsqueeze(0), -inv_b);
      Tensor du;
      CriticBackward(critics, acts, dq.unsqueeze(-1), nullptr, &du, o.obs_dim);
      const Tensor a_b = alpha * inv_b;
      const Tensor dx = du * (1 - u.square()) + 2.0 * u * a_b;
      Tensor dls = dx * std * eps - a_b;
      dls = dls * raw_log_std.ge(kLogStdMin).logical_and(raw_log_std.le(kLogStdMax));
      actor_opt->zero_grad();
      SetGrads(actor, ActorBackward(actor_acts, at::cat({dx, dls}, 1)));
      actor_opt->step();
    }
    const auto t1 = Clock::now();
    Tensor y;
    {
      Sample next_pi = Draw(Actor(next), gen);
      Tensor q_next = std::get<0>(CriticForward(targets, Cat(next, next_pi.u)).min(0)) - alpha * next_pi.logp;
      y = r + o.gamma * (1.0 - done) * q_next;
    }
    const auto t2 = Clock::now();
    const Tensor q = CriticForwardTape(critics, Cat(obs, u_data), acts);  // [N, B]
    const Tensor diff = q - y.unsqueeze(0);
    const Tensor critic_loss = diff.square().mean(1).sum();
    ParamList grads;
    CriticBackward(critics, acts, (diff * (2.0 * inv_b)).unsqueeze(-1), &grads, nullptr, 0);
    critic_opt->zero_grad();
    SetGrads(critics, grads);
    critic_opt->step();
    const auto t3 = Clock::now();
    for (size_t i = 0; i < critics.size(); ++i) targets[i].lerp_(critics[i], o.tau);
    m.q_mean = q.mean().item<double>();
    m.q_abs_max = q.abs().max().item<double>();
    m.critic_loss = critic_loss.item<double>();
    ++updates;
    const auto t4 = Clock::now();
    SetPhases(m, {t0, t1, t2, t3, t4});
    return m;
  }

  SacMetrics UpdateAutograd(const SacBatch& batch) {
    SacMetrics m;
    const auto t0 = Clock::now();
    const auto [obs, next, u_data, r, done] = Inputs(batch);
    // Alpha and actor share one reparameterized sample.
    Sample pi = Draw(Actor(obs), gen);
    if (o.auto_alpha) {
      Tensor alpha_loss = -(log_alpha * (pi.logp.detach() + target_entropy)).mean();
      alpha_opt->zero_grad();
      alpha_loss.backward();
      alpha_opt->step();
      m.alpha_loss = alpha_loss.item<double>();
    }
    const Tensor alpha = log_alpha.detach().exp();
    m.alpha = alpha.item<double>();
    {
      // The critics' parameters are detached here: the actor step needs no critic weight gradients.
      Tensor q_pi = CriticForward(Detached(critics), Cat(obs, pi.u));
      Tensor actor_loss = (alpha * pi.logp - std::get<0>(q_pi.min(0))).mean();
      actor_opt->zero_grad();
      actor_loss.backward();
      actor_opt->step();
      m.actor_loss = actor_loss.item<double>();
      m.entropy = -pi.logp.detach().mean().item<double>();
    }
    const auto t1 = Clock::now();
    Tensor y;
    {
      torch::NoGradGuard no_grad;
      Sample next_pi = Draw(Actor(next), gen);
      Tensor q_next = std::get<0>(CriticForward(targets, Cat(next, next_pi.u)).min(0)) - alpha * next_pi.logp;
      y = r + o.gamma * (1.0 - done) * q_next;
    }
    const auto t2 = Clock::now();
    // With one action dimension the unit-normalized gradients are +-1: the EDAC term is constant (zero
    // gradient almost everywhere), so its double backward is skipped.
    auto [q, diversity] = QWithDiversity(obs, u_data, o.eta > 0 && o.action_dim > 1);
    Tensor critic_loss = (q - y.unsqueeze(0)).square().mean(1).sum();
    Tensor loss = diversity.defined() ? critic_loss + o.eta * diversity : critic_loss;
    critic_opt->zero_grad();
    loss.backward();
    critic_opt->step();
    const auto t3 = Clock::now();
    {
      torch::NoGradGuard no_grad;
      for (size_t i = 0; i < critics.size(); ++i) targets[i].lerp_(critics[i], o.tau);
      Tensor qd = q.detach();
      m.q_mean = qd.mean().item<double>();
      m.q_abs_max = qd.abs().max().item<double>();
    }
    m.critic_loss = critic_loss.item<double>();
    if (diversity.defined()) m.diversity_loss = diversity.item<double>();
    ++updates;
    const auto t4 = Clock::now();
    SetPhases(m, {t0, t1, t2, t3, t4});
    return m;
  }

  nlohmann::json OptionsJson() const {
    return {{"obs_dim", o.obs_dim},       {"action_dim", o.action_dim}, {"action_low", o.action_low},
            {"action_high", o.action_high}, {"critics", o.critics},   {"hidden", o.hidden},
            {"layers", o.layers},         {"gamma", o.gamma},           {"tau", o.tau},
            {"eta", o.eta},               {"actor_lr", o.actor_lr},     {"critic_lr", o.critic_lr},
            {"alpha_lr", o.alpha_lr},     {"auto_alpha", o.auto_alpha}, {"alpha", o.alpha},
            {"target_entropy", target_entropy}, {"seed", o.seed},     {"float64", o.float64},
            {"updates", updates}};
  }

  static SacOptions OptionsFromJson(const nlohmann::json& j) {
    SacOptions o;
    o.obs_dim = j.at("obs_dim");
    o.action_dim = j.at("action_dim");
    o.action_low = j.at("action_low").get<std::vector<float>>();
    o.action_high = j.at("action_high").get<std::vector<float>>();
    o.critics = j.at("critics");
    o.hidden = j.at("hidden");
    o.layers = j.at("layers");
    o.gamma = j.at("gamma");
    o.tau = j.at("tau");
    o.eta = j.at("eta");
    o.actor_lr = j.at("actor_lr");
    o.critic_lr = j.at("critic_lr");
    o.alpha_lr = j.at("alpha_lr");
    o.auto_alpha = j.at("auto_alpha");
    o.alpha = j.at("alpha");
    o.target_entropy = j.at("target_entropy");
    o.target_entropy_set = true;
    o.seed = j.at("seed");
    o.float64 = j.at("float64");
    return o;
  }
};

Sac::Sac(const SacOptions& options) : impl_(std::make_unique<Impl>(options)) {}
Sac::~Sac() = default;
Sac::Sac(Sac&&) noexcept = default;
Sac& Sac::operator=(Sac&&) noexcept = default;

const SacOptions& Sac::options() const { return impl_->o; }
int64_t Sac::updates() const { return impl_->updates; }

namespace {
void CheckBatch(const SacBatch& b, int64_t obs_dim, int64_t action_dim) {
  const int64_t n = b.observations.defined() ? b.observations.size(0) : -1;
  auto check = [&](const Tensor& t, int64_t cols, const char* what) {
    if (!t.defined() || t.size(0) != n || (cols > 0 && (t.dim() != 2 || t.size(1) != cols))) {
      throw ShapeError(StrCat("SAC batch: ", what, " must be [", n, cols > 0 ? StrCat(", ", cols) : "", "]"));
    }
  };
  if (n < 1) throw ShapeError("SAC batch: observations must be [B >= 1, obs_dim]");
  check(b.observations, obs_dim, "observations");
  check(b.actions, action_dim, "actions");
  check(b.next_observations, obs_dim, "next_observations");
  check(b.rewards, 0, "rewards");
  check(b.dones, 0, "dones");
}
}  // namespace

SacMetrics Sac::Update(const SacBatch& batch) {
  CheckBatch(batch, impl_->o.obs_dim, impl_->o.action_dim);
  return impl_->Update(batch);
}

at::Tensor Sac::Act(const at::Tensor& obs, bool deterministic, const at::Generator& generator) const {
  torch::NoGradGuard no_grad;
  ActorOut out = impl_->Actor(impl_->In(obs));
  Tensor u = deterministic ? at::tanh(out.mean) : impl_->Draw(out, generator.defined() ? generator : impl_->gen).u;
  return impl_->FromUnit(u).to(at::kFloat);
}

at::Tensor Sac::Q(const at::Tensor& obs, const at::Tensor& actions) const {
  torch::NoGradGuard no_grad;
  return CriticForward(impl_->critics, Impl::Cat(impl_->In(obs), impl_->ToUnit(actions)));
}

at::Tensor Sac::Value(const at::Tensor& obs) const {
  torch::NoGradGuard no_grad;
  Tensor o = impl_->In(obs);
  Tensor u = at::tanh(impl_->Actor(o).mean);
  return std::get<0>(CriticForward(impl_->critics, Impl::Cat(o, u)).min(0)).to(at::kFloat);
}

at::Tensor Sac::NextValue(const at::Tensor& next_obs, const at::Generator& generator) const {
  torch::NoGradGuard no_grad;
  Tensor o = impl_->In(next_obs);
  Sample s = impl_->Draw(impl_->Actor(o), generator);
  return (std::get<0>(CriticForward(impl_->targets, Impl::Cat(o, s.u)).min(0)) - impl_->log_alpha.exp() * s.logp)
      .to(at::kFloat);
}

at::Tensor Sac::DiversityLoss(const at::Tensor& obs, const at::Tensor& actions) const {
  return impl_->QWithDiversity(impl_->In(obs), impl_->ToUnit(actions), true).second;
}

std::vector<at::Tensor> Sac::critic_parameters() const { return impl_->critics; }
std::vector<at::Tensor> Sac::actor_parameters() const { return impl_->actor; }

void Sac::Save(const std::string& path) const {
  const Impl& m = *impl_;
  auto write_list = [](torch::serialize::OutputArchive& ar, const std::string& prefix, const ParamList& p) {
    for (size_t i = 0; i < p.size(); ++i) ar.write(prefix + std::to_string(i), p[i].detach());
  };
  for (const ParamList* list : {&m.actor, &m.critics, &m.targets}) {
    for (const Tensor& t : *list) {
      if (!t.detach().isfinite().all().item<bool>()) {
        throw StateError(StrCat("SAC: refusing to save a checkpoint with non-finite parameters to ", path,
                                " (training diverged; the previous checkpoint there is kept)"));
      }
    }
  }
  torch::serialize::OutputArchive ar;
  ar.write("options", c10::IValue(m.OptionsJson().dump()));
  write_list(ar, "actor.", m.actor);
  write_list(ar, "critic.", m.critics);
  write_list(ar, "target.", m.targets);
  ar.write("log_alpha", m.log_alpha.detach());
  ar.write("generator", m.gen.get_state());
  torch::serialize::OutputArchive a_opt, c_opt, al_opt;
  m.actor_opt->save(a_opt);
  m.critic_opt->save(c_opt);
  m.alpha_opt->save(al_opt);
  ar.write("actor_opt", a_opt);
  ar.write("critic_opt", c_opt);
  ar.write("alpha_opt", al_opt);
  const std::string tmp = path + ".tmp";
  try {
    ar.save_to(tmp);
    std::filesystem::rename(tmp, path);
  } catch (const std::exception& e) {
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    throw IoError(StrCat("SAC: cannot write checkpoint ", path, ": ", e.what()));
  }
}

Sac Sac::Load(const std::string& path) {
  if (!std::filesystem::exists(path)) throw IoError(StrCat("SAC checkpoint ", path, " does not exist"));
  try {
    torch::serialize::InputArchive ar;
    ar.load_from(path);
    c10::IValue opts;
    ar.read("options", opts);
    const nlohmann::json j = nlohmann::json::parse(opts.toStringRef());
    Sac sac(Impl::OptionsFromJson(j));
    Impl& m = *sac.impl_;
    torch::NoGradGuard no_grad;
    auto read_list = [&](const std::string& prefix, ParamList& p) {
      for (size_t i = 0; i < p.size(); ++i) {
        Tensor t;
        ar.read(prefix + std::to_string(i), t);
        if (!t.sizes().equals(p[i].sizes())) throw DataError(StrCat(prefix, i, " has the wrong shape"));
        p[i].copy_(t);
      }
    };
    read_list("actor.", m.actor);
    read_list("critic.", m.critics);
    read_list("target.", m.targets);
    Tensor la, g;
    ar.read("log_alpha", la);
    m.log_alpha.copy_(la);
    ar.read("generator", g);
    m.gen.set_state(g);
    torch::serialize::InputArchive a_opt, c_opt, al_opt;
    ar.read("actor_opt", a_opt);
    ar.read("critic_opt", c_opt);
    ar.read("alpha_opt", al_opt);
    m.actor_opt->load(a_opt);
    m.critic_opt->load(c_opt);
    m.alpha_opt->load(al_opt);
    m.updates = j.at("updates");
    return sac;
  } catch (const Error&) {
    throw;
  } catch (const c10::Error& e) {
    throw DataError(StrCat("SAC checkpoint ", path, " cannot be read (not written by augur train-agent?): ",
                           e.what_without_backtrace()));
  } catch (const std::exception& e) {
    throw DataError(StrCat("SAC checkpoint ", path, " cannot be read (not written by augur train-agent?): ",
                           e.what()));
  }
}

}  // namespace augur::agents::rl
