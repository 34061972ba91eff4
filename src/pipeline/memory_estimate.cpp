#include "oncotrack/pipeline/memory_estimate.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <functional>

#include "oncotrack/core/error.h"
#include "oncotrack/io/image_io.h"

namespace oncotrack::pipeline {

namespace {

double voxels_of(const std::filesystem::path& path) {
  try {
    const io::ImageInfo info = io::read_image_info(path);
    return static_cast<double>(info.geometry.size[0]) * static_cast<double>(info.geometry.size[1]) *
           static_cast<double>(info.geometry.size[2]);
  } catch (const std::exception&) {
    return 0;
  }
}

}  // namespace

std::vector<SubjectMemory> estimate_memory(const io::Cohort& cohort) {
  std::vector<SubjectMemory> out;
  for (const auto& s : cohort.subjects) {
    double voxels = 0;
    for (const auto& tp : s.timepoints)
      for (const auto& image : tp.images) voxels += voxels_of(image.path);
    out.push_back({s.id, kBaseMb + std::max(kSubjectMinMb, kBytesPerVoxel * voxels / (1024.0 * 1024.0))});
  }
  return out;
}

double batch_peak_mb(const std::vector<SubjectMemory>& subjects, int jobs) {
  std::vector<double> shares;
  for (const auto& s : subjects) shares.push_back(s.peak_mb - kBaseMb);
  const std::size_t n = std::min<std::size_t>(static_cast<std::size_t>(std::max(jobs, 0)), shares.size());
  std::partial_sort(shares.begin(), shares.begin() + static_cast<std::ptrdiff_t>(n), shares.end(),
                    std::greater<>());
  double total = kBaseMb;
  for (std::size_t i = 0; i < n; ++i) total += shares[i];
  return total;
}

int jobs_within(const std::vector<SubjectMemory>& subjects, int jobs, double max_mb) {
  int j = jobs;
  while (j > 0 && batch_peak_mb(subjects, j) > max_mb) --j;
  return j;
}

double parse_memory_mb(const std::string& text) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  std::string unit(end ? end : "");
  for (char& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (!unit.empty() && unit.back() == 'B') unit.pop_back();  // "4GB", "512MB"
  const double scale = unit.empty() || unit == "M" ? 1.0
                       : unit == "G"               ? 1024.0
                       : unit == "T"               ? 1024.0 * 1024
                                                   : -1;
  if (end == text.c_str() || scale < 0 || !(value > 0))
    throw Error("invalid memory size", text, "a positive size such as 4G, 512M or 2000 (MB)", text);
  return value * scale;
}

}  // namespace oncotrack::pipeline
