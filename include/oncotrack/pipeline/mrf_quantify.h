#pragma once
// CEST-MRF map reconstruction from an acquired series: the glue between io (images) and cest (dictionaries,
// matching, the quantification network).
//
// Maps (NIfTI, float32, the series' geometry), one per dictionary parameter that varies in the grid, named
// after it with '.' → '_' ("arginine_exchange_rate_per_s.nii.gz", "water_t1_s.nii.gz", in the grid's units:
// s, s⁻¹, mM or fraction), plus "match_score.nii.gz" (dot product, 1 = identical shape) for dictionary
// matching; with a network, one map per network output. Voxels outside the mask are 0 in every map.
#include <filesystem>
#include <string>
#include <vector>

#include "oncotrack/cest/dictionary.h"
#include "oncotrack/cest/mrf_network.h"
#include "oncotrack/core/geometry.h"

namespace oncotrack::pipeline {

struct MrfInputs {
  std::filesystem::path series;    // 4D, one volume per schedule image
  std::filesystem::path schedule;  // cest/schedule.h format
  std::filesystem::path mask;      // optional: voxels to quantify (default: every voxel with a signal)
};

struct MrfMap {
  std::string name;  // file stem
  ImageF image;
};

struct MrfMaps {
  std::vector<MrfMap> maps;
  std::size_t voxels = 0;  // quantified voxels
};

// Dot-product matching against dict. Throws oncotrack::Error naming the file when the series does not have
// one volume per schedule image, the mask's grid differs from the series', or the dictionary was simulated
// for another schedule.
MrfMaps quantify_with_dictionary(const MrfInputs& inputs, const cest::Dictionary& dict, int threads);

// The trained network instead (one map per network output, no match score); the series must fit the network's
// schedule.
MrfMaps quantify_with_network(const MrfInputs& inputs, const cest::MrfNetwork& network, int threads);

// Writes every map as OUT_DIR/<name>.nii.gz (atomically); returns the paths in map order.
std::vector<std::filesystem::path> write_mrf_maps(const MrfMaps& maps, const std::filesystem::path& out_dir);

}  // namespace oncotrack::pipeline
