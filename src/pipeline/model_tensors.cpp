#include "oncotrack/pipeline/model_tensors.h"

#include "oncotrack/core/error.h"
#include "oncotrack/io/image_io.h"
#include "oncotrack/nn/safetensors.h"
#include "oncotrack/preprocess/spatial_record.h"

namespace oncotrack::pipeline {

namespace fs = std::filesystem;

std::vector<fs::path> write_model_tensors(const io::LoadedSubject& subject, const ModelPreprocessing& model,
                                          const fs::path& out_dir) {
  std::vector<fs::path> written;
  for (const io::LoadedTimepoint& tp : subject.timepoints) {
    const io::TimepointEntry& entry = *tp.entry;
    const io::ImageEntry* scan = &scan_of(entry, model.sequence, subject.entry->id);
    io::ReadOptions ro;
    ro.dicom_series_uid = scan->series_uid;
    const preprocess::Preprocessed p =
        preprocess::preprocess(io::read_image(scan->path, ro), model.preprocess);
    std::vector<nn::NamedTensor> tensors{{"image", to_tensor(p.image)}};
    if (tp.mask) {
      const Geometry& native = p.records.empty() ? p.image.geometry : p.records.front().input;
      if (!compare_geometry(tp.mask->geometry, native).within(1e-3, 1e-4))
        throw Error("tumour mask is not on the grid of the " + model.sequence + " scan", scan->path.string(),
                    describe_geometry(native), describe_geometry(tp.mask->geometry));
      Mask mask = *tp.mask;
      mask.geometry = native;  // equal within tolerance: take the scan's exact grid
      tensors.push_back({"tumour", to_tensor(mask_fraction(p, mask))});
    }
    const std::map<std::string, std::string> metadata{
        {"oncotrack.subject", subject.entry->id},
        {"oncotrack.timepoint", entry.id},
        {"oncotrack.day", entry.day ? nlohmann::json(*entry.day).dump() : "null"},
        {"oncotrack.source", scan->path.string()},
        {"oncotrack.geometry", preprocess::to_json(p.image.geometry).dump()},
        {"oncotrack.preprocessing", model.to_json().dump()}};
    const fs::path path = out_dir / ("sub-" + subject.entry->id + "_ses-" + entry.id + ".safetensors");
    nn::write_safetensors(path, metadata, tensors, nn::DType::kF16);
    written.push_back(path);
  }
  return written;
}

}  // namespace oncotrack::pipeline
