#pragma once
// The resolved pipeline configuration: defaults live in the structs (analysis/config.h, io/subject_loader.h);
// a JSON config file (--config) overrides them strictly: unknown keys and wrong types are errors. The
// resolved configuration is written into every report.
//
// File format: {"analysis": {"connectivity": 26, "min_lesion_volume_ml": 0, ...},
//               "inputs": {"geometry_tolerance_mm": 0.001, "direction_tolerance": 0.0001},
//               "preprocess": {...} (preprocess/config.h),
//               "registration": {"enabled": true, "deformable": false, "levels": [{"shrink": 4,
//               "smoothing_mm": 2}, ...], ... every RegistrationConfig field (registration/register.h)}}
// Every key is optional; a present key must have the right type and a valid value.
#include <filesystem>
#include <nlohmann/json.hpp>

#include "oncotrack/analysis/config.h"
#include "oncotrack/io/subject_loader.h"
#include "oncotrack/preprocess/config.h"
#include "oncotrack/registration/register.h"

namespace oncotrack::pipeline {

struct PipelineConfig {
  analysis::AnalysisConfig analysis;
  io::LoadOptions inputs;
  preprocess::PreprocessConfig preprocess;
  registration::RegistrationConfig registration;
};

nlohmann::json config_to_json(const PipelineConfig& config);
// Throws Error naming the key, what was expected and what was found. `source` names the file in messages.
PipelineConfig config_from_json(const nlohmann::json& doc, const std::string& source);
PipelineConfig load_config(const std::filesystem::path& path);

}  // namespace oncotrack::pipeline
