#pragma once
// Which image of a timepoint a stage works on, and reading it (internal to the pipeline module).
#include <string>

#include "oncotrack/core/geometry.h"
#include "oncotrack/io/cohort.h"

namespace oncotrack::pipeline {

// The image of `sequence` when the timepoint has one (and sequence is not empty), else the image its mask
// belongs to, else its first image.
const io::ImageEntry& chosen_image(const io::TimepointEntry& tp, const std::string& sequence);

// Reads an image entry (its DICOM series when it names one).
ImageF read_entry(const io::ImageEntry& entry);

}  // namespace oncotrack::pipeline
