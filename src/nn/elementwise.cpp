#include "oncotrack/nn/elementwise.h"

#include <algorithm>
#include <cstring>

#include "oncotrack/nn/error.h"

namespace oncotrack::nn {
namespace {

constexpr std::int64_t kChunk = 1 << 14;

void require_same(const Tensor& a, const Tensor& b, const char* op) {
  if (a.shape() != b.shape())
    throw NnError(std::string("shapes differ in ") + op, {}, to_string(a.shape()), to_string(b.shape()));
}

template <typename F>
void for_chunks(std::int64_t n, ThreadPool& pool, F f) {
  pool.parallel_for((n + kChunk - 1) / kChunk, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t i = b * kChunk, end = std::min(n, e * kChunk); i < end; ++i) f(i);
  });
}

}  // namespace

Tensor add(const Tensor& a, const Tensor& b, Exec& exec) {
  require_same(a, b, "add");
  Tensor y = exec.arena.tensor(a.shape());
  const float *pa = a.data(), *pb = b.data();
  float* py = y.data();
  for_chunks(a.size(), exec.pool, [&](std::int64_t i) { py[i] = pa[i] + pb[i]; });
  return y;
}

Tensor subtract(const Tensor& a, const Tensor& b, Exec& exec) {
  require_same(a, b, "subtract");
  Tensor y = exec.arena.tensor(a.shape());
  const float *pa = a.data(), *pb = b.data();
  float* py = y.data();
  for_chunks(a.size(), exec.pool, [&](std::int64_t i) { py[i] = pa[i] - pb[i]; });
  return y;
}

void add_in_place(Tensor& a, const Tensor& b, ThreadPool& pool) {
  require_same(a, b, "add");
  const float* pb = b.data();
  float* pa = a.data();
  for_chunks(a.size(), pool, [&](std::int64_t i) { pa[i] += pb[i]; });
}

Tensor concat_channels(const std::vector<const Tensor*>& parts, Exec& exec) {
  if (parts.empty()) throw NnError("nothing to concatenate");
  Shape shape = parts.front()->shape();
  if (shape.size() < 2)
    throw NnError("concatenation needs a channel axis", {}, "[N,C,...]", to_string(shape));
  std::int64_t channels = 0;
  for (const Tensor* t : parts) {
    Shape s = t->shape(), expected = shape;
    if (s.size() == shape.size()) expected[1] = s[1];
    if (s != expected) throw NnError("shapes differ in concatenation", {}, to_string(expected), to_string(s));
    channels += s[1];
  }
  shape[1] = channels;
  Tensor y = exec.arena.tensor(shape);
  const std::int64_t n = shape[0], per_sample = y.size() / n;
  for (std::int64_t s = 0; s < n; ++s) {
    float* out = y.data() + s * per_sample;
    for (const Tensor* t : parts) {
      const std::int64_t block = t->size() / n;
      std::memcpy(out, t->data() + s * block, static_cast<std::size_t>(block) * sizeof(float));
      out += block;
    }
  }
  return y;
}

}  // namespace oncotrack::nn
