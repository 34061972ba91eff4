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
  // Optional measured water T1 / T2 maps on the series' grid (the dictionary parameters water.t1_s and
  // water.t2_s): dictionary matching is then restricted to the nearest grid values, and a network trained
  // with those inputs gets them. Voxels where a given map is not > 0 are not quantified.
  std::filesystem::path t1_map, t2_map;
  double relaxation_unit_s = 1.0;  // seconds per unit of the T1/T2 maps (0.001 for maps in ms)
};

struct MrfMap {
  std::string name;  // file stem
  ImageF image;
};

struct MrfMaps {
  std::vector<MrfMap> maps;
  std::size_t voxels = 0;  // quantified voxels
  Mask quantified;         // the series' grid: 1 where the maps hold a result
};

// How `run` reconstructs every timepoint's CEST-MRF series: one of the two, loaded once per process.
struct MrfReconstruction {
  const cest::Dictionary* dictionary = nullptr;
  const cest::MrfNetwork* network = nullptr;
  std::string path, sha256;  // the file, for provenance
};

// Quantifies with whichever `r` holds.
MrfMaps quantify(const MrfInputs& inputs, const MrfReconstruction& r, int threads);

// Dot-product matching against dict. Throws oncotrack::Error naming the file when the series does not have
// one volume per schedule image, a mask's or map's grid differs from the series', the dictionary was
// simulated for another schedule, or a T1/T2 map's values are implausible in seconds (median T1 > 20 s or
// T2 > 5 s: most likely milliseconds given without relaxation_unit_s = 0.001).
MrfMaps quantify_with_dictionary(const MrfInputs& inputs, const cest::Dictionary& dict, int threads);

// The trained network instead (one map per network output, no match score); the series must fit the network's
// schedule, and exactly the measured inputs the network was trained with must be given.
MrfMaps quantify_with_network(const MrfInputs& inputs, const cest::MrfNetwork& network, int threads);

// Writes every map as OUT_DIR/<name>.nii.gz (atomically); returns the paths in map order.
std::vector<std::filesystem::path> write_mrf_maps(const MrfMaps& maps, const std::filesystem::path& out_dir);

}  // namespace oncotrack::pipeline
