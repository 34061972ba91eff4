#include "image_choice.h"

#include "oncotrack/io/image_io.h"

namespace oncotrack::pipeline {

const io::ImageEntry& chosen_image(const io::TimepointEntry& tp, const std::string& sequence) {
  for (const auto& img : tp.images)
    if (!sequence.empty() && img.sequence == sequence) return img;
  if (const io::ImageEntry* m = tp.mask_image()) return *m;
  return tp.images.front();
}

ImageF read_entry(const io::ImageEntry& entry) {
  io::ReadOptions o;
  o.dicom_series_uid = entry.series_uid;
  return io::read_image(entry.path, o);
}

}  // namespace oncotrack::pipeline
