#include "augur/core/progress.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "augur/core/error.h"
#include "augur/core/logging.h"

namespace augur {
namespace {

std::string ReadAll(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  return out;
}

TEST(ProgressTest, AutoIsOffWhenNotATerminal) {
  unsetenv("AUGUR_PROGRESS");
  std::FILE* f = std::tmpfile();
  {
    Progress progress({.label = "train", .total = 10, .out = f});
    EXPECT_EQ(progress.mode(), ProgressMode::kOff);
    for (int i = 0; i < 10; ++i) progress.Advance();
  }
  EXPECT_EQ(ReadAll(f), "");
  std::fclose(f);
}

TEST(ProgressTest, AutoIsABarOnATerminal) {
  unsetenv("AUGUR_PROGRESS");
  int master = posix_openpt(O_RDWR | O_NOCTTY);
  ASSERT_GE(master, 0);
  ASSERT_EQ(grantpt(master), 0);
  ASSERT_EQ(unlockpt(master), 0);
  std::FILE* tty = std::fopen(ptsname(master), "w");
  ASSERT_NE(tty, nullptr);
  {
    Progress progress({.label = "train", .total = 4, .out = tty});
    EXPECT_EQ(progress.mode(), ProgressMode::kBar);
    progress.SetMetric("loss", 0.5);
    progress.Advance(4);
  }
  std::fclose(tty);
  char buf[1024] = {0};
  const ssize_t n = read(master, buf, sizeof buf - 1);
  close(master);
  ASSERT_GT(n, 0);
  const std::string text(buf, n);
  EXPECT_NE(text.find("train [##############################] 100% 4/4"), std::string::npos) << text;
  EXPECT_NE(text.find("loss=0.5"), std::string::npos) << text;
}

TEST(ProgressTest, EnvironmentOverridesAuto) {
  setenv("AUGUR_PROGRESS", "jsonl", 1);
  std::FILE* f = std::tmpfile();
  { Progress progress({.label = "x", .total = 1, .out = f}); EXPECT_EQ(progress.mode(), ProgressMode::kJsonLines); }
  unsetenv("AUGUR_PROGRESS");
  std::fclose(f);
}

TEST(ProgressTest, JsonLinesAreParseable) {
  std::FILE* f = std::tmpfile();
  {
    Progress progress({.label = "collect", .total = 3, .unit = "episode", .mode = ProgressMode::kJsonLines,
                       .out = f, .min_interval_s = 0});
    progress.SetMetric("return", -150.0);
    progress.Advance(3);
  }
  std::istringstream lines(ReadAll(f));
  std::fclose(f);
  std::string line, last;
  int count = 0;
  while (std::getline(lines, line)) {
    const auto j = nlohmann::json::parse(line);  // throws if malformed
    EXPECT_EQ(j["label"], "collect");
    last = line;
    ++count;
  }
  ASSERT_GE(count, 2);  // at least the update and the final line
  const auto j = nlohmann::json::parse(last);
  EXPECT_TRUE(j["final"].get<bool>());
  EXPECT_EQ(j["done"], 3);
  EXPECT_EQ(j["total"], 3);
  EXPECT_EQ(j["unit"], "episode");
  EXPECT_DOUBLE_EQ(j["metrics"]["return"].get<double>(), -150.0);
}

TEST(ProgressTest, BadModeAndLogLevelAreErrors) {
  EXPECT_THROW(ParseProgressMode("fancy"), ConfigError);
  EXPECT_EQ(ParseProgressMode("off"), ProgressMode::kOff);
  EXPECT_THROW(SetLogLevel("verbose"), ConfigError);
  EXPECT_NO_THROW(SetLogLevel("warn"));
  EXPECT_EQ(Log().level(), spdlog::level::warn);
  SetLogLevel("info");
}

}  // namespace
}  // namespace augur
