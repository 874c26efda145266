#include "augur/core/factory.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <sstream>

#include "augur/core/error.h"

namespace augur {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string FormatDouble(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

}  // namespace

FactorySpec FactorySpec::Parse(std::string_view text) {
  const std::string original(text);
  auto fail = [&](const std::string& why) -> void {
    throw ConfigError(StrCat("bad spec string '", original, "': ", why,
                             ". Expected name[:key=value[,key=value...]], e.g. \"icem:pop=300,horizon=30\""));
  };
  FactorySpec spec;
  const size_t colon = text.find(':');
  spec.name = std::string(Trim(text.substr(0, colon)));
  if (spec.name.empty()) fail("the name before ':' is empty");
  for (char c : spec.name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.')) {
      fail(StrCat("the name '", spec.name, "' may contain only letters, digits, '_', '-' and '.'"));
    }
  }
  if (colon == std::string_view::npos) return spec;
  std::string_view rest = text.substr(colon + 1);
  if (Trim(rest).empty()) return spec;
  while (true) {
    const size_t comma = rest.find(',');
    const std::string_view item = rest.substr(0, comma);
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos) fail(StrCat("parameter '", Trim(item), "' has no '='"));
    const std::string key(Trim(item.substr(0, eq)));
    const std::string value(Trim(item.substr(eq + 1)));
    if (key.empty()) fail(StrCat("parameter '", Trim(item), "' has an empty key"));
    if (value.empty()) fail(StrCat("parameter '", key, "' has an empty value"));
    if (spec.Find(key)) fail(StrCat("parameter '", key, "' is given twice"));
    spec.params.emplace_back(key, value);
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  return spec;
}

std::string FactorySpec::ToString() const {
  std::string out = name;
  for (size_t i = 0; i < params.size(); ++i) {
    out += (i == 0 ? ":" : ",") + params[i].first + "=" + params[i].second;
  }
  return out;
}

const std::string* FactorySpec::Find(std::string_view key) const {
  for (const auto& [k, v] : params) {
    if (k == key) return &v;
  }
  return nullptr;
}

SpecParams::SpecParams(FactorySpec spec, std::string what) : spec_(std::move(spec)), what_(std::move(what)) {}

const std::string* SpecParams::Lookup(std::string_view key, std::string default_value, std::string_view help) {
  AUGUR_CHECK(std::none_of(declared_.begin(), declared_.end(), [&](const Declared& d) { return d.key == key; }))
      << "key '" << key << "' declared twice for " << what_ << " '" << spec_.name << "'";
  declared_.push_back({std::string(key), std::move(default_value), std::string(help)});
  return spec_.Find(key);
}

void SpecParams::Fail(std::string_view key, const std::string& value, const std::string& why) const {
  throw ConfigError(StrCat(what_, " '", spec_.name, "': ", key, "=", value, " ", why));
}

int64_t SpecParams::Int(std::string_view key, int64_t default_value, std::string_view help, int64_t min,
                        int64_t max) {
  const std::string* text = Lookup(key, std::to_string(default_value), help);
  if (!text) return default_value;
  int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || ptr != text->data() + text->size()) Fail(key, *text, "is not an integer");
  if (value < min || value > max) {
    Fail(key, *text,
         StrCat("is out of range [", min == std::numeric_limits<int64_t>::min() ? "-inf" : std::to_string(min),
                ", ", max == std::numeric_limits<int64_t>::max() ? "inf" : std::to_string(max), "]"));
  }
  return value;
}

double SpecParams::Double(std::string_view key, double default_value, std::string_view help, double min,
                          double max) {
  const std::string* text = Lookup(key, FormatDouble(default_value), help);
  if (!text) return default_value;
  double value = 0;
  const auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || ptr != text->data() + text->size() || std::isnan(value)) {
    Fail(key, *text, "is not a number");
  }
  if (value < min || value > max) {
    Fail(key, *text, StrCat("is out of range [", FormatDouble(min), ", ", FormatDouble(max), "]"));
  }
  return value;
}

bool SpecParams::Bool(std::string_view key, bool default_value, std::string_view help) {
  const std::string* text = Lookup(key, default_value ? "true" : "false", help);
  if (!text) return default_value;
  std::string v = *text;
  std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
  if (v == "true" || v == "1" || v == "yes" || v == "on") return true;
  if (v == "false" || v == "0" || v == "no" || v == "off") return false;
  Fail(key, *text, "is not a boolean (true/false, 1/0, yes/no, on/off)");
}

std::string SpecParams::String(std::string_view key, std::string default_value, std::string_view help,
                               std::vector<std::string> choices) {
  const std::string* text = Lookup(key, default_value, help);
  if (!text) return default_value;
  if (!choices.empty() && std::find(choices.begin(), choices.end(), *text) == choices.end()) {
    std::string valid;
    for (const auto& c : choices) valid += (valid.empty() ? "" : ", ") + c;
    Fail(key, *text, StrCat("is not one of: ", valid));
  }
  return *text;
}

void SpecParams::Finish() const {
  for (const auto& [key, value] : spec_.params) {
    const bool known =
        std::any_of(declared_.begin(), declared_.end(), [&](const Declared& d) { return d.key == key; });
    if (known) continue;
    std::string valid;
    for (const auto& d : declared_) valid += (valid.empty() ? "" : ", ") + d.key;
    throw ConfigError(StrCat(what_, " '", spec_.name, "' has no parameter '", key, "'; valid parameters: ",
                             valid.empty() ? "(none)" : valid));
  }
}

std::string SpecParams::Help() const {
  std::string out;
  for (const auto& d : declared_) out += StrCat("  ", d.key, "=", d.default_value, "  ", d.help, "\n");
  return out;
}

}  // namespace augur
