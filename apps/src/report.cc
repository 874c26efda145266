#include "report.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "augur/core/error.h"
#include "augur/core/logging.h"

namespace augur::apps {
namespace {

std::string RendererPath() {
  if (const char* env = std::getenv("AUGUR_REPORT_RENDERER"); env && *env) return env;
  for (const char* candidate : {AUGUR_REPORT_RENDERER_SOURCE, AUGUR_REPORT_RENDERER_INSTALLED}) {
    if (std::filesystem::exists(candidate)) return candidate;
  }
  throw IoError(StrCat("report renderer not found (looked at ", AUGUR_REPORT_RENDERER_SOURCE, " and ",
                       AUGUR_REPORT_RENDERER_INSTALLED, "); set AUGUR_REPORT_RENDERER to render_report.py"));
}

}  // namespace

nlohmann::ordered_json LinePlot(const std::string& title, const std::string& xlabel, const std::string& ylabel) {
  return {{"title", title}, {"xlabel", xlabel}, {"ylabel", ylabel}, {"kind", "line"},
          {"series", nlohmann::ordered_json::array()}};
}

void AddSeries(nlohmann::ordered_json& plot, const std::string& name, const std::vector<double>& x,
               const std::vector<double>& y) {
  plot["series"].push_back({{"name", name}, {"x", x}, {"y", y}});
}

void WriteFileAtomically(const std::string& path, const std::string& text) {
  const std::filesystem::path target(path);
  const std::filesystem::path dir = target.has_parent_path() ? target.parent_path() : ".";
  std::string tmp = (dir / ("." + target.filename().string() + ".XXXXXX")).string();
  const int fd = mkstemp(tmp.data());
  if (fd < 0) throw IoError(StrCat("cannot create a temporary file next to ", path, ": ", std::strerror(errno)));
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      throw IoError(StrCat("cannot write ", path, ": ", std::strerror(err)));
    }
    written += n;
  }
  ::fchmod(fd, 0644);
  if (::fsync(fd) != 0 || ::close(fd) != 0 || std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    throw IoError(StrCat("cannot write ", path, ": ", std::strerror(err)));
  }
}

void RenderReport(const nlohmann::ordered_json& report, const std::string& html_path) {
  const std::string json_path = html_path + ".json";
  WriteFileAtomically(json_path, report.dump(1));
  const std::string renderer = RendererPath();
  const pid_t pid = fork();
  if (pid < 0) throw IoError(StrCat("cannot start the report renderer: ", std::strerror(errno)));
  if (pid == 0) {
    execl("/usr/bin/python3", "python3", renderer.c_str(), json_path.c_str(), html_path.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw IoError(StrCat("rendering ", html_path, " failed (", renderer, " exited with ",
                         WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                         "); it needs /usr/bin/python3 with python3-matplotlib (scripts/setup.sh installs them)"));
  }
  Log().info("report written to {} (data: {})", html_path, json_path);
}

}  // namespace augur::apps
