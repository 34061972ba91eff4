#include "oncotrack/pipeline/segment_subject.h"

#include "image_choice.h"

#include "oncotrack/core/error.h"
#include "oncotrack/core/json_file.h"
#include "oncotrack/io/image_io.h"

namespace oncotrack::pipeline {

namespace fs = std::filesystem;

fs::path segmentation_report_path(const fs::path& out_dir, const std::string& subject) {
  return out_dir / ("sub-" + subject) / ("sub-" + subject + "_segmentation.json");
}

std::array<fs::path, 3> segmentation_files(const std::string& subject, const std::string& timepoint) {
  const fs::path dir = "ses-" + timepoint;
  const std::string stem = "sub-" + subject + "_ses-" + timepoint + "_desc-";
  return {dir / (stem + "tumor_probseg.nii.gz"), dir / (stem + "tumor_mask.nii.gz"),
          dir / (stem + "brain_mask.nii.gz")};
}

std::vector<TimepointSegmentation> segment_timepoints(const io::LoadedSubject& subject, std::size_t baseline,
                                                      const LoadedModel& model, const fs::path& out_dir,
                                                      nn::ThreadPool& pool) {
  const std::string& id = subject.entry->id;
  const fs::path subject_dir = out_dir / ("sub-" + id);
  std::vector<TimepointSegmentation> out;
  std::vector<fs::path> written;
  std::string current;
  try {
    for (std::size_t t = 0; t < subject.timepoints.size(); ++t) {
      const io::TimepointEntry& tp = *subject.timepoints[t].entry;
      const io::ImageEntry& entry = scan_of(tp, model.preprocessing.sequence, id);
      current = entry.path.string() + " (sub-" + id + " ses-" + tp.id + ")";
      TimepointSegmentation s{tp.id, segment_scan(model, read_entry(entry), t == baseline ? 0 : 1, pool), {}};
      const auto [probseg, mask, brain] = segmentation_files(id, tp.id);
      written.push_back(subject_dir / probseg);
      io::write_image(s.segmentation.probability, written.back());
      written.push_back(subject_dir / mask);
      io::write_mask(s.segmentation.mask, written.back());
      if (s.segmentation.brain) {
        written.push_back(subject_dir / brain);
        io::write_mask(*s.segmentation.brain, written.back());
      } else {
        std::error_code ec;  // an earlier run's brain mask must not outlive this result
        fs::remove(subject_dir / brain, ec);
      }
      s.entry = {{"id", tp.id},
                 {"scan", entry.path.string()},
                 {"probseg", probseg.string()},
                 {"mask", mask.string()},
                 {"brain_mask", s.segmentation.brain ? nlohmann::json(brain.string()) : nlohmann::json()},
                 {"volume_ml", s.segmentation.summary.at("voxels").get<double>() *
                                   s.segmentation.mask.geometry.voxel_volume_ml()},
                 {"segmentation", s.segmentation.summary}};
      out.push_back(std::move(s));
    }
  } catch (Error& e) {
    // No timepoint's files outlive a subject whose segmentation is incomplete.
    std::error_code ec;
    for (const fs::path& f : written) fs::remove(f, ec);
    e.add_context("while segmenting " + current + " with " + model.name);
    throw;
  }
  return out;
}

std::vector<TimepointSegmentation> segment_subject(const io::LoadedSubject& subject, std::size_t baseline,
                                                   const LoadedModel& model, const fs::path& out_dir,
                                                   nn::ThreadPool& pool) {
  std::vector<TimepointSegmentation> out = segment_timepoints(subject, baseline, model, out_dir, pool);
  nlohmann::json timepoints = nlohmann::json::array();
  for (const TimepointSegmentation& s : out) timepoints.push_back(s.entry);
  const nlohmann::json report{{"subject", subject.entry->id},
                              {"model", {{"name", model.name}, {"sha256", model.sha256}}},
                              {"timepoints", timepoints}};
  write_json_file(segmentation_report_path(out_dir, subject.entry->id), report);
  return out;
}

}  // namespace oncotrack::pipeline
