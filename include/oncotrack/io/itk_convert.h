#pragma once
// For the ITK-facing modules (io, preprocess, registration) only: conversion between oncotrack volumes and
// ITK images, file-format detection and ITK-exception translation. The ImageFileReader templates live in
// itk_convert.cpp only (compile time).
#include <itkImage.h>
#include <itkImageIOBase.h>

#include <filesystem>
#include <mutex>
#include <string>

#include "oncotrack/core/geometry.h"

namespace oncotrack::io::detail {

// "nifti", "nrrd", "meta" from the (case-insensitive) extension, "dicom" for a folder, "" when unsupported.
std::string format_of(const std::filesystem::path& path);
// The same from the name alone, for files about to be written ("" for a folder-like name).
std::string format_of_name(const std::filesystem::path& path);
// Extensions listed in "unsupported format" errors.
constexpr const char* kSupportedFormats = ".nii, .nii.gz, .nrrd, .nhdr, .mha, .mhd or a DICOM folder";
// A fresh ImageIO for a file format ("nifti", "nrrd", "meta"); throws Error for anything else.
itk::ImageIOBase::Pointer make_image_io(const std::string& format, const std::filesystem::path& path);

// Checks that a NIfTI, NRRD or MetaImage file holds all the voxel data its header promises (what the writers
// do not always check themselves); throws Error naming path otherwise. Defined with the readers.
void check_complete(const std::filesystem::path& path);

// One process-wide lock held around every call into ITK's image and transform file readers and writers
// (header reads, voxel reads, writes; never nested). Two subjects' threads reading NIfTI headers at once
// corrupted the heap inside ITK 5.2's NiftiImageIO (a core dump, about 1 cli-test run in 30); which state the
// third-party I/O libraries share was not found (ThreadSanitizer cannot see into the uninstrumented ITK
// libraries), so all of it is serialised. File I/O is a small part of a subject's time.
std::mutex& itk_file_io_mutex();

// "uint8", "int16", "float32", ... ("unknown" for anything ITK cannot name).
std::string component_type_name(itk::IOComponentEnum type);

// Rethrows an ITK exception as Error naming the file and what was being done ("cannot read image").
[[noreturn]] void throw_itk_error(const std::filesystem::path& path, const std::string& problem,
                                  const itk::ExceptionObject& e);

Geometry geometry_from_itk(const itk::ImageBase<3>& image);
void set_itk_geometry(const Geometry& geometry, itk::ImageBase<3>& image);

// Deep copies; T in {float, double, uint8_t, int32_t} (explicitly instantiated).
template <class T>
typename itk::Image<T, 3>::Pointer itk_from_volume(const Volume<T>& volume);
template <class T>
Volume<T> volume_from_itk(const itk::Image<T, 3>& image);

// Reads the whole file through io (whose header has already been checked) converting voxels to T, collapsing
// a size-1 4th dimension. T in {float, double}. Throws Error naming path.
template <class T>
Volume<T> read_volume(itk::ImageIOBase& io, const std::filesystem::path& path);

// All voxels of a 4D file as float, 4th index slowest (the header has been checked). Throws Error naming
// path.
std::vector<float> read_series_voxels(itk::ImageIOBase& io, const std::filesystem::path& path);

}  // namespace oncotrack::io::detail
