# Debian 12 packages only (scripts/setup.sh installs them).
find_package(Threads REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(Eigen3 3.4 REQUIRED NO_MODULE)
find_package(CLI11 2.1 REQUIRED)
find_package(spdlog 1.10 REQUIRED)
# Only the IO modules named here register their factories. ITKGDCM adds GDCM's own headers (/usr/include/gdcm-3.0)
# and libraries (gdcmMSFF, gdcmDICT imported targets, so their headers are SYSTEM) for src/io/dicom_series.cpp.
find_package(ITK 5.2 REQUIRED COMPONENTS
  ITKCommon ITKIOImageBase ITKIONIFTI ITKIONRRD ITKIOMeta ITKIOGDCM ITKGDCM ITKIOPNG
  ITKIOTransformBase ITKIOTransformInsightLegacy ITKIOTransformHDF5 ITKTransformFactory
  # preprocess/ and registration/
  ITKTransform ITKImageGrid ITKImageFunction ITKImageIntensity ITKImageFilterBase ITKSmoothing ITKBiasCorrection
  ITKThresholding ITKConnectedComponents ITKBinaryMathematicalMorphology ITKMathematicalMorphology
  ITKImageStatistics ITKStatistics ITKDisplacementField ITKRegistrationMethodsv4 ITKOptimizersv4 ITKMetricsv4)
include(${ITK_USE_FILE})
