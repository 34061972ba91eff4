// Outputs that cannot be written completely (a full disk, simulated in-process by RLIMIT_FSIZE with SIGXFSZ
// ignored, so that a write beyond the limit fails with EFBIG as a full disk fails with ENOSPC): every writer
// must throw WriteError naming the destination and leave neither the destination nor a temporary behind.
// ITK's NIfTI writer only prints such a failure, and libpng's error path inside ITK corrupted the heap.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <csignal>

#include "oncotrack/core/atomic_file.h"
#include "oncotrack/io/image_io.h"
#include "unit/io/io_test_util.h"

namespace oncotrack::io {
namespace {

class WriteFailure : public testing::ScratchDir {
 protected:
  void SetUp() override {
    ScratchDir::SetUp();
    ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved_), 0);
    previous_ = std::signal(SIGXFSZ, SIG_IGN);
  }
  void TearDown() override {
    ::setrlimit(RLIMIT_FSIZE, &saved_);
    std::signal(SIGXFSZ, previous_);
    ScratchDir::TearDown();
  }
  void limit_file_size(rlim_t bytes) {
    rlimit limit = saved_;
    limit.rlim_cur = bytes;
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &limit), 0);
  }
  // f must throw WriteError naming path, and nothing may be left in the folder.
  template <class F>
  void expect_write_error(F&& f, const std::filesystem::path& path) {
    try {
      f();
      ADD_FAILURE() << "expected WriteError for " << path;
    } catch (const WriteError& e) {
      EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
    }
    for (const auto& entry : std::filesystem::directory_iterator(dir_))
      ADD_FAILURE() << "left " << entry.path();
  }
  rlimit saved_{};
  void (*previous_)(int) = nullptr;
};

TEST_F(WriteFailure, ImagesPicturesAndTextThatDoNotFitLeaveNothing) {
  ImageF image(testing::oblique_geometry({40, 40, 40}));
  for (std::size_t v = 0; v < image.voxels.size(); ++v)
    image.voxels[v] = static_cast<float>((v * 7919) % 1000);
  std::vector<std::uint8_t> rgb(300 * 200 * 3);
  for (std::size_t b = 0; b < rgb.size(); ++b) rgb[b] = static_cast<std::uint8_t>((b * 2654435761u) >> 13);
  limit_file_size(4096);
  for (const char* name : {"image.nii.gz", "image.nii", "image.nrrd", "image.mha"})
    expect_write_error([&] { write_image(image, dir_ / name); }, dir_ / name);
  expect_write_error([&] { write_png_rgb(rgb, 300, 200, dir_ / "picture.png"); }, dir_ / "picture.png");
  expect_write_error([&] { write_text_atomically(dir_ / "report.json", std::string(10000, 'x')); },
                     dir_ / "report.json");
  // What fits is written whole.
  write_text_atomically(dir_ / "small.json", "{}\n");
  EXPECT_EQ(testing::read_bytes(dir_ / "small.json"), "{}\n");
}

TEST_F(WriteFailure, AFolderWhereTheFileBelongsIsAWriteError) {
  std::filesystem::create_directories(dir_ / "report.json");
  try {
    write_text_atomically(dir_ / "report.json", "{}\n");
    ADD_FAILURE() << "expected WriteError";
  } catch (const WriteError& e) {
    EXPECT_NE(std::string(e.what()).find("report.json"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(std::filesystem::is_directory(dir_ / "report.json"));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_), std::filesystem::directory_iterator()),
            1);
}

}  // namespace
}  // namespace oncotrack::io
