// HTML reports: a JSON description of figures and tables, rendered by apps/report/render_report.py
// (Debian's python3-matplotlib) into one self-contained page. The JSON is kept next to the page.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace augur::apps {

// A line plot: series of (x, y).
nlohmann::ordered_json LinePlot(const std::string& title, const std::string& xlabel, const std::string& ylabel);
void AddSeries(nlohmann::ordered_json& plot, const std::string& name, const std::vector<double>& x,
               const std::vector<double>& y);

// Writes `report` to `html_path` + ".json" and renders `html_path`. Throws IoError when the renderer is
// missing or fails (the message says how to install it).
void RenderReport(const nlohmann::ordered_json& report, const std::string& html_path);

// Writes `text` to `path` atomically (temporary file in the same folder, fsync, rename).
void WriteFileAtomically(const std::string& path, const std::string& text);

}  // namespace augur::apps
