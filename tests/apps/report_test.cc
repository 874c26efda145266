// HTML reports as a user gets them: `augur eval --report` writes a page that opens offline and renders.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../testing/run_command.h"

namespace augur {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string Slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class ReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("augur_report_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(ReportTest, EvalWritesASelfContainedPageThatRendersInChromium) {
  const fs::path html = dir_ / "eval.html";
  auto r = testing::RunAugur("eval --env CartPole-v1 --agent expert --episodes 2 --report " + html.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(fs::exists(html));
  const std::string page = Slurp(html);
  EXPECT_THAT(page, HasSubstr("<img class='plot'"));
  EXPECT_THAT(page, HasSubstr("data:image/png;base64,"));
  EXPECT_THAT(page, ::testing::Not(HasSubstr("http")));  // nothing fetched from the network
  const auto data = nlohmann::json::parse(Slurp(html.string() + ".json"));
  EXPECT_EQ(data["summary"]["env"], "CartPole-v1");
  EXPECT_DOUBLE_EQ(data["summary"]["mean return"].get<double>(), 500.0);

  if (!fs::exists("/usr/bin/chromium")) GTEST_SKIP() << "chromium is not installed (scripts/setup.sh installs it)";
  const fs::path png = dir_ / "eval.png";
  auto shot = testing::RunCommand("/usr/bin/chromium --headless --no-sandbox --disable-gpu --hide-scrollbars "
                                  "--window-size=1000,1200 --screenshot=" + png.string() + " file://" + html.string());
  ASSERT_TRUE(fs::exists(png)) << shot.err;
  // A blank page compresses to a few KB; a page with tables and plots is far larger.
  EXPECT_GT(fs::file_size(png), 30000u) << shot.err;
}

TEST_F(ReportTest, UnwritableReportPathIsAClearError) {
  auto r = testing::RunAugur("eval --env CartPole-v1 --agent random --episodes 1 --report /nonexistent/dir/x.html");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("/nonexistent/dir/x.html"));
}

}  // namespace
}  // namespace augur
