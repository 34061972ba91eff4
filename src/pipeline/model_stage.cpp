#include "model_stage.h"

#include <algorithm>

#include "oncotrack/analysis/overlap_metrics.h"
#include "oncotrack/core/error.h"
#include "oncotrack/pipeline/evaluate.h"
#include "oncotrack/pipeline/predict_response.h"
#include "oncotrack/registration/transform.h"

namespace oncotrack::pipeline {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The model's mask on the reference's grid (nearest neighbour through the identity when the grids differ).
Mask on_grid_of(const Mask& model_mask, const Mask& reference) {
  if (compare_geometry(model_mask.geometry, reference.geometry).within(1e-3, 1e-4)) {
    Mask m = model_mask;
    m.geometry = reference.geometry;
    return m;
  }
  return registration::resample_mask(model_mask, reference.geometry, registration::Transform());
}

}  // namespace

ModelSegmentations segment_and_select(io::LoadedSubject& loaded, std::size_t base, const LoadedModel& model,
                                      const std::string& source, const fs::path& out_dir,
                                      nn::ThreadPool& pool, report::SubjectAnalysis& a) {
  for (const io::LoadedTimepoint& lt : loaded.timepoints) {
    const auto& images = lt.entry->images;
    if (std::none_of(images.begin(), images.end(),
                     [&](const io::ImageEntry& e) { return e.sequence == model.preprocessing.sequence; })) {
      a.no_model_reason = "the model " + model.name + " reads \"" + model.preprocessing.sequence +
                          "\" scans and timepoint " + lt.entry->id + " has none";
      return {};
    }
  }
  ModelSegmentations out{segment_timepoints(loaded, base, model, out_dir, pool), {}};
  const std::vector<TimepointSegmentation>& segs = out.timepoints;
  a.tumor_source.assign(loaded.timepoints.size(), "mask");
  a.segmentation.assign(loaded.timepoints.size(), json(nullptr));
  for (std::size_t t = 0; t < loaded.timepoints.size(); ++t) {
    io::LoadedTimepoint& lt = loaded.timepoints[t];
    out.manifest_masks.push_back(lt.mask);
    const Mask& predicted = segs[t].segmentation.mask;
    json entry = segs[t].entry;
    entry["model"] = model.name;
    entry["sha256"] = model.sha256;
    if (lt.mask) {
      entry["reference_agreement"] =
          overlap_json(analysis::compare_masks(on_grid_of(predicted, *lt.mask), *lt.mask));
    } else {
      entry["reference_agreement"] = nullptr;
      entry["reasons"]["reference_agreement"] = "no reference mask was given for this timepoint";
    }
    if (source == "model" || (source == "auto" && !lt.mask)) {
      lt.mask = predicted;
      a.tumor_source[t] = "model";
    }
    a.segmentation[t] = std::move(entry);
  }
  return out;
}

ModelSegmentations segment_or_fall_back(io::LoadedSubject& loaded, std::size_t base, const LoadedModel& model,
                                        const std::string& source, const fs::path& out_dir,
                                        nn::ThreadPool& pool, report::SubjectAnalysis& a) {
  try {
    return segment_and_select(loaded, base, model, source, out_dir, pool, a);
  } catch (const WriteError&) {
    throw;  // a full disk is no reason for a lesser result that a rerun would keep as up to date
  } catch (const Error& e) {
    const bool every_mask = std::all_of(loaded.timepoints.begin(), loaded.timepoints.end(),
                                        [](const io::LoadedTimepoint& lt) { return lt.mask.has_value(); });
    if (source == "model" || !every_mask) throw;
    std::error_code ec;  // whatever the failed attempt left (segment_timepoints removes its own on failure)
    for (const io::LoadedTimepoint& lt : loaded.timepoints)
      for (const fs::path& f : segmentation_files(loaded.entry->id, lt.entry->id))
        fs::remove(out_dir / ("sub-" + loaded.entry->id) / f, ec);
    a.tumor_source.clear();
    a.segmentation.clear();
    a.no_model_reason =
        std::string("the segmentation failed, so the manifest's masks are measured: ") + e.what();
    return {};
  }
}

void predict_follow_ups(const io::LoadedSubject& loaded, std::size_t base, const LoadedModel& model,
                        const ModelSegmentations& segmentations, nn::ThreadPool& pool,
                        report::SubjectAnalysis& a) {
  const std::vector<TimepointSegmentation>& segs = segmentations.timepoints;
  const io::LoadedTimepoint& b = loaded.timepoints[base];
  for (std::size_t t = base + 1; t < loaded.timepoints.size(); ++t) {
    const std::string& id = loaded.timepoints[t].entry->id;
    const auto& reg = t < a.registrations.size() ? a.registrations[t] : std::nullopt;
    if (!reg || !reg->result) {
      a.predictions[id] = {{"reason", "no registration to the baseline: " + (reg ? reg->failure
                                                                             : t < a.not_registered.size()
                                                                                 ? a.not_registered[t]
                                                                                 : "not run")}};
      continue;
    }
    const io::LoadedTimepoint& f = loaded.timepoints[t];
    const ResponsePrediction p = predict_response(
        model, segs[base].segmentation.working_image, segs[t].segmentation.working_image,
        reg->result->transform, b.mask ? &*b.mask : nullptr, f.mask ? &*f.mask : nullptr, pool);
    json j = prediction_json(model, p);
    j["warnings"] = json::array();
    if (reg->result->suspect)
      j["warnings"].push_back("the registration to the baseline is suspect (" + reg->result->suspect_reason +
                              "): the pair the network compared may be misaligned");
    a.predictions[id] = std::move(j);
  }
}

}  // namespace oncotrack::pipeline
