#pragma once
// Analysis settings with their defaults in one place. The resolved values go into every report.
namespace oncotrack::analysis {

struct AnalysisConfig {
  int connectivity = 26;                   // 6, 18 or 26 (3D voxel neighbourhood for lesions)
  double min_lesion_volume_ml = 0.0;       // components smaller than this are dropped (0: keep all)
  double measurable_min_diameter_mm = 10;  // RECIST 1.1 measurable lesion: longest axial diameter >= 10 mm
  int max_target_lesions = 5;              // RECIST 1.1: at most 5 target lesions (largest measurable)
  double match_distance_mm = 20;           // lesions across timepoints match when centroids are this close
  double new_lesion_min_diameter_mm = 10;  // a new lesion counts as unequivocal (PD) at this longest diameter
};

}  // namespace oncotrack::analysis
