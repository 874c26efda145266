// Factory strings in the style of faiss's index factory: one string builds a whole configured object.
//
//   "icem:pop=300,elites=30,iters=3,horizon=30,beta=2.0"
//   name ':' key '=' value (',' key '=' value)*
//
// FactorySpec holds the parsed string; SpecParams reads typed values with defaults and ranges, records
// which keys exist (for --help and error messages), and Finish() rejects any key it was not asked for by
// listing the valid ones.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace augur {

struct FactorySpec {
  std::string name;
  std::vector<std::pair<std::string, std::string>> params;  // in the order given

  // Throws ConfigError (naming the string and the position) on an empty name, a parameter without '=',
  // an empty key or value, or a repeated key.
  static FactorySpec Parse(std::string_view text);
  std::string ToString() const;
  const std::string* Find(std::string_view key) const;
};

class SpecParams {
 public:
  // `what` names the kind of object in messages ("planner", "model").
  SpecParams(FactorySpec spec, std::string what);

  const std::string& name() const { return spec_.name; }
  const FactorySpec& spec() const { return spec_; }

  int64_t Int(std::string_view key, int64_t default_value, std::string_view help,
              int64_t min = std::numeric_limits<int64_t>::min(), int64_t max = std::numeric_limits<int64_t>::max());
  double Double(std::string_view key, double default_value, std::string_view help,
                double min = -std::numeric_limits<double>::infinity(),
                double max = std::numeric_limits<double>::infinity());
  // Accepts true/false, 1/0, yes/no, on/off.
  bool Bool(std::string_view key, bool default_value, std::string_view help);
  // `choices` empty: any string.
  std::string String(std::string_view key, std::string default_value, std::string_view help,
                     std::vector<std::string> choices = {});

  // Throws ConfigError when the spec has a key that no accessor asked for, listing the valid keys.
  void Finish() const;
  // One line per declared key: "  pop=300  population size [1, inf)".
  std::string Help() const;

 private:
  struct Declared {
    std::string key, default_value, help;
  };
  const std::string* Lookup(std::string_view key, std::string default_value, std::string_view help);
  [[noreturn]] void Fail(std::string_view key, const std::string& value, const std::string& why) const;

  FactorySpec spec_;
  std::string what_;
  std::vector<Declared> declared_;
};

}  // namespace augur
