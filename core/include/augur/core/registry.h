// Registry: the one explicit place where a family of implementations (planners, models, envs) is listed,
// created from a factory string.
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "augur/core/error.h"
#include "augur/core/factory.h"

namespace augur {

template <typename T, typename... Args>
class Registry {
 public:
  using Factory = std::function<std::unique_ptr<T>(SpecParams&, Args...)>;

  // `what` names the family in messages: "planner", "model".
  explicit Registry(std::string what) : what_(std::move(what)) {}

  void Register(std::string name, std::string help, Factory factory) {
    AUGUR_CHECK(!entries_.contains(name)) << what_ << " '" << name << "' registered twice";
    entries_.emplace(std::move(name), Entry{std::move(help), std::move(factory)});
  }

  // Parses `spec`, builds the object and checks that every key was used.
  // Unknown name -> NotFoundError listing the valid names.
  std::unique_ptr<T> Create(std::string_view spec, Args... args) const {
    SpecParams params(FactorySpec::Parse(spec), what_);
    auto it = entries_.find(params.name());
    if (it == entries_.end()) {
      throw NotFoundError(StrCat("unknown ", what_, " '", params.name(), "' in '", spec, "'; valid ", what_,
                                 "s: ", JoinedNames()));
    }
    std::unique_ptr<T> object = it->second.factory(params, std::forward<Args>(args)...);
    params.Finish();
    return object;
  }

  bool Contains(std::string_view name) const { return entries_.find(std::string(name)) != entries_.end(); }
  std::vector<std::string> Names() const {
    std::vector<std::string> names;
    for (const auto& [name, entry] : entries_) names.push_back(name);
    return names;
  }
  const std::string& Help(const std::string& name) const { return entries_.at(name).help; }
  std::string JoinedNames() const {
    std::string out;
    for (const auto& [name, entry] : entries_) out += (out.empty() ? "" : ", ") + name;
    return out.empty() ? "(none registered)" : out;
  }

 private:
  struct Entry {
    std::string help;
    Factory factory;
  };
  std::string what_;
  std::map<std::string, Entry, std::less<>> entries_;
};

}  // namespace augur
