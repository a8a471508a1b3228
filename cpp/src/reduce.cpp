#include "fluxprofile/reduce.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <type_traits>

#include "fluxprofile/numpy_sum.hpp"
#include "fluxprofile/overlap.hpp"
#include "fluxprofile/parallel.hpp"

namespace fluxprofile {

namespace {

// Calls f(static_cast<const T*>(data)) with T the element type of `dtype`.
template <class F>
void with_typed(const void* data, DType dtype, F&& f) {
  switch (dtype) {
    case DType::float32:
      return f(static_cast<const float*>(data));
    case DType::float64:
      return f(static_cast<const double*>(data));
    case DType::int16:
      return f(static_cast<const std::int16_t*>(data));
    case DType::int32:
      return f(static_cast<const std::int32_t*>(data));
    case DType::int64:
      return f(static_cast<const std::int64_t*>(data));
    case DType::uint8:
      return f(static_cast<const std::uint8_t*>(data));
  }
  throw InvalidInput("unsupported cube dtype");
}

// The in-map pixels of a region, with weights (nullptr: 1 each), and its total pixel
// area: a view into precomputed lists or into `Rasterised` storage.
struct PixelSpan {
  const std::int64_t* index = nullptr;
  const double* weight = nullptr;
  std::size_t size = 0;
  double total = 0.0;

  double w(std::size_t k) const { return weight == nullptr ? 1.0 : weight[k]; }
};

// Storage for the pixels of a region rasterised on the spot.
struct Rasterised {
  std::vector<std::int64_t> index;
  std::vector<double> weight;
  double total = 0.0;

  PixelSpan span() const {
    return PixelSpan{index.data(), weight.empty() ? nullptr : weight.data(),
                     index.size(), total};
  }
};

Rasterised rasterise(const PixelShape& shape, Index nx, Index ny,
                     Containment containment) {
  if (containment == Containment::exact) {
    ShapeWeights sw = pixel_overlap(shape, nx, ny);
    return Rasterised{std::move(sw.flat_index), std::move(sw.weight), sw.area};
  }
  ShapePixels sp = shape_pixels(shape, nx, ny);
  return Rasterised{std::move(sp.flat_index), {}, static_cast<double>(sp.n_total)};
}

// Region r of precomputed lists, its indices checked against the map (the lists come
// from Python, where they may have been built for another map).
PixelSpan precomputed_span(const PixelLists& lists, Index r, Index npix) {
  const std::int64_t begin = lists.offsets[r], end = lists.offsets[r + 1];
  PixelSpan span{lists.flat_index + begin,
                 lists.weight != nullptr ? lists.weight + begin : nullptr,
                 static_cast<std::size_t>(end - begin), lists.total[r]};
  bool inside = true;
  for (std::size_t k = 0; k < span.size; ++k)
    inside &= span.index[k] >= 0 && span.index[k] < npix;
  if (!inside) throw InvalidInput("pixels: flat index out of the map");
  return span;
}

// The value is printed with %g so that round-off such as -2.8e-07 is not shown as
// -0.000000.
[[noreturn]] void bad_value(const CubeView& cube, Index region, Index plane,
                            std::int64_t flat, Index nx, double value) {
  char shown[32];
  std::snprintf(shown, sizeof shown, "%.6g", value);
  throw InvalidInput(std::string(cube.name) + " must be finite" +
                     (cube.non_negative ? " and >= 0" : "") +
                     " in the pixels a region uses, got " + shown + " in region " +
                     std::to_string(region) + " at (plane, y, x) = (" +
                     std::to_string(plane) + ", " + std::to_string(flat / nx) + ", " +
                     std::to_string(flat % nx) + ")");
}

// Whether v passes the cube's checks (finite where it must be, >= 0 where it must be).
// Integer values are always finite.
template <class T>
inline bool value_ok(T raw, bool must_be_finite, bool non_negative) {
  if constexpr (std::is_floating_point_v<T>) {
    const double v = static_cast<double>(raw);
    return (std::isfinite(v) || !must_be_finite) && !(non_negative && v < 0.0);
  } else {
    return !(non_negative && raw < 0);
  }
}

// f(std::bool_constant<a>, std::bool_constant<b>, std::bool_constant<c>): runtime flags
// as compile-time ones, so that a loop can be instantiated for each combination.
template <class F>
decltype(auto) with_flags(bool a, bool b, bool c, F&& f) {
  const auto third = [&](auto x, auto y) {
    return c ? f(x, y, std::true_type{}) : f(x, y, std::false_type{});
  };
  const auto second = [&](auto x) {
    return b ? third(x, std::true_type{}) : third(x, std::false_type{});
  };
  return a ? second(std::true_type{}) : second(std::false_type{});
}

// The loop of masked_sum for one combination of mask, weights and clipping, so that
// none of them is a branch per pixel. Masked-out pixels add +0.0, which leaves a sum
// that starts at +0.0 unchanged, so the result is that of adding the safe values alone
// in list order (an unweighted pixel adds its value: 1.0 * v is v). Unweighted integer
// planes of at most 32 bits are summed in int64: exact, as the double sum of integers
// is while it stays below 2^53, and free of the latency of a chain of double additions.
template <class T, bool kMask, bool kWeight, bool kClip>
double masked_sum_loop(const T* plane, const PixelSpan& px,
                       const std::uint8_t* mask_plane, bool must_be_finite,
                       bool non_negative, bool& ok) {
  bool all_ok = true;
  const std::int64_t* idx = px.index;
  if constexpr (std::is_integral_v<T> && sizeof(T) <= 4 && !kWeight) {
    std::int64_t sum = 0;  // |sum| < 2^31 * 2^32: no overflow
    for (std::size_t k = 0; k < px.size; ++k) {
      const bool use = kMask ? mask_plane[idx[k]] != 0 : true;
      std::int64_t v = static_cast<std::int64_t>(plane[idx[k]]);
      all_ok &= !use || value_ok(plane[idx[k]], must_be_finite, non_negative);
      if constexpr (kClip) v = v < 0 ? 0 : v;
      sum += use ? v : 0;
    }
    ok = all_ok;
    return static_cast<double>(sum);
  } else {
    double sum = 0.0;
    for (std::size_t k = 0; k < px.size; ++k) {
      const bool use = kMask ? mask_plane[idx[k]] != 0 : true;
      const T raw = plane[idx[k]];
      all_ok &= !use || value_ok(raw, must_be_finite, non_negative);
      double v = static_cast<double>(raw);
      if constexpr (kClip) v = v < 0.0 ? 0.0 : v;
      if constexpr (kWeight) v = px.weight[k] * v;
      sum += use ? v : 0.0;
    }
    ok = all_ok;
    return sum;
  }
}

// Sum of a plane over the region's pixels where the mask is set, checking every value
// read (and counting negative values as 0 for cubes that clip them).
template <class T>
double masked_sum(const T* plane, const PixelSpan& px, const std::uint8_t* mask_plane,
                  const CubeView& cube, Index region, Index plane_index, Index nx) {
  const bool finite = cube.must_be_finite, nonneg = cube.non_negative;
  const bool has_mask = mask_plane != nullptr, has_weight = px.weight != nullptr;
  bool ok = true;
  const double sum = with_flags(
      has_mask, has_weight, cube.clip_negative,
      [&](auto mask_c, auto weight_c, auto clip_c) {
        return masked_sum_loop<T, decltype(mask_c)::value, decltype(weight_c)::value,
                               decltype(clip_c)::value>(plane, px, mask_plane, finite,
                                                        nonneg, ok);
      });
  if (!ok) {
    // Only now look for the culprit, so that the common path stays a plain loop.
    const std::int64_t* idx = px.index;
    for (std::size_t k = 0; k < px.size; ++k) {
      if (has_mask && !mask_plane[idx[k]]) continue;
      if (!value_ok(plane[idx[k]], finite, nonneg)) {
        bad_value(cube, region, plane_index, idx[k], nx,
                  static_cast<double>(plane[idx[k]]));
      }
    }
  }
  return sum;
}

// The number (weighted: the summed weight) of the region's pixels safe in a plane.
double safe_weight(const PixelSpan& px, const std::uint8_t* mask_plane) {
  if (px.weight == nullptr) {
    if (mask_plane == nullptr) return static_cast<double>(px.size);
    std::size_t n = 0;  // an integer count: the double sum of ones, exactly
    for (std::size_t k = 0; k < px.size; ++k) n += mask_plane[px.index[k]] != 0;
    return static_cast<double>(n);
  }
  double safe = 0.0;
  for (std::size_t k = 0; k < px.size; ++k) {
    if (mask_plane == nullptr || mask_plane[px.index[k]]) safe += px.weight[k];
  }
  return safe;
}

// safe_weight of a masked plane, also clearing same[k] for the pixels k >= 1 whose
// safety in this plane differs from `first` (the first pixel's); differs is set if any.
inline double safe_weight_and_flags(const PixelSpan& px, const std::uint8_t* mask_plane,
                                    std::uint8_t first, std::uint8_t* same,
                                    std::uint8_t& differs) {
  const std::uint8_t want = first != 0 ? 1 : 0;
  std::uint8_t any_differs = 0;
  for (std::size_t k = 1; k < px.size; ++k) {
    const std::uint8_t safe = mask_plane[px.index[k]] != 0 ? 1 : 0;
    const std::uint8_t match = safe == want ? 1 : 0;
    same[k] &= match;
    any_differs |= static_cast<std::uint8_t>(match ^ 1U);
  }
  differs = any_differs;
  return safe_weight(px, mask_plane);
}

// NumPy's pairwise summation of plane[idx[0..n)] in the arithmetic of T: what
// np.add.reduce (and so np.mean) does on the contiguous 1-D array of those values.
template <class T>
T numpy_indexed_sum(const T* plane, const std::int64_t* idx, std::size_t n) {
  return numpy_pairwise_sum<T>([plane, idx](std::size_t k) { return plane[idx[k]]; }, 0,
                               n);
}

// np.mean of plane[idx[0..n)] for a float32 or float64 cube: the pairwise sum divided
// by the count in double precision, rounded to the cube's type. NaN for other types.
template <class T>
double numpy_mean(const T* plane, const std::int64_t* idx, std::size_t n) {
  if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
    const T sum = numpy_indexed_sum(plane, idx, n);
    return static_cast<double>(
        static_cast<T>(static_cast<double>(sum) / static_cast<double>(n)));
  } else {
    return std::numeric_limits<double>::quiet_NaN();
  }
}

// The sum of a cube flagged numpy_sum (CubeView) over the region's n_safe pixels that
// are safe in the plane: NumPy's pairwise summation in T, over those pixels in list
// order (the indices of the safe ones gathered in `scratch` when some are masked), as
// np.sum of the masked cutout does in Gammapy. A non-finite value makes the sum
// non-finite, so the values are only looked at then (or when they must be
// non-negative).
template <class T>
double numpy_masked_sum(const T* plane, const PixelSpan& px,
                        const std::uint8_t* mask_plane, std::size_t n_safe,
                        std::vector<std::int64_t>& scratch, const CubeView& cube,
                        Index region, Index plane_index, Index nx) {
  const std::int64_t* idx = px.index;
  if (mask_plane != nullptr && n_safe != px.size) {
    scratch.clear();
    for (std::size_t k = 0; k < px.size; ++k) {
      if (mask_plane[px.index[k]]) scratch.push_back(px.index[k]);
    }
    idx = scratch.data();
  }
  const double sum = static_cast<double>(numpy_indexed_sum(plane, idx, n_safe));
  if ((!std::isfinite(sum) && cube.must_be_finite) || cube.non_negative) {
    for (std::size_t k = 0; k < n_safe; ++k) {
      const double v = static_cast<double>(plane[idx[k]]);
      if ((!std::isfinite(v) && cube.must_be_finite) ||
          (cube.non_negative && v < 0.0)) {
        bad_value(cube, region, plane_index, idx[k], nx, v);
      }
    }
  }
  return sum;
}

// The exposure of a region whose pixels all share one safe pattern: the sum of
// w * value over its pixels in list order. Values must be finite and >= 0 where the
// pattern has a safe bin (common_safe); checked after the loop, then the first bad
// pixel in list order is named, as a check per pixel would.
template <class T>
double common_exposure_sum(const T* plane, const PixelSpan& px, const CubeView& cube,
                           bool common_safe, Index region, Index plane_index,
                           Index nx) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  double sum = 0.0;
  bool ok = true;
  const std::int64_t* idx = px.index;
  if (px.weight == nullptr) {
    for (std::size_t k = 0; k < px.size; ++k) {
      const double raw = static_cast<double>(plane[idx[k]]);
      ok &= (raw >= 0.0) & (raw < kInf);  // finite and >= 0; false for NaN
      sum += raw;
    }
  } else {
    for (std::size_t k = 0; k < px.size; ++k) {
      const double raw = static_cast<double>(plane[idx[k]]);
      ok &= (raw >= 0.0) & (raw < kInf);
      sum += px.weight[k] * raw;
    }
  }
  if (!ok && common_safe) {
    for (std::size_t k = 0; k < px.size; ++k) {
      const double raw = static_cast<double>(plane[idx[k]]);
      if (!(std::isfinite(raw) && raw >= 0.0))
        bad_value(cube, region, plane_index, idx[k], nx, raw);
    }
  }
  return sum;
}

bool mask_has_safe(const std::uint8_t* mask, Index npix, Index n_reco, std::int64_t p) {
  if (mask == nullptr) return true;
  for (Index e = 0; e < n_reco; ++e) {
    if (mask[e * npix + p]) return true;
  }
  return false;
}

// Everything reduce_regions reads, for reduce_chunk.
struct ChunkInputs {
  const ShapeTable& shapes;
  Index nx, ny, n_reco;
  const std::vector<CubeView>& reco_cubes;
  const std::uint8_t* mask;
  const CubeView* exposure;
  const double* image;
  Containment containment;
  const PixelLists* pixels;
};

// Reduces regions [begin, end) into their rows of `out`, plane by plane. Every sum of a
// region runs over its pixels in list order, whatever the chunking, so results do not
// depend on it.
void reduce_chunk(const ChunkInputs& in, Index begin, Index end, RegionSums& out) {
  const Index m = end - begin, nx = in.nx, npix = in.nx * in.ny, n_reco = in.n_reco;
  const std::uint8_t* mask = in.mask;
  std::vector<Rasterised> own(in.pixels != nullptr ? 0 : static_cast<std::size_t>(m));
  std::vector<PixelSpan> spans(static_cast<std::size_t>(m));
  for (Index i = 0; i < m; ++i) {
    const Index r = begin + i;
    for (auto& sums : out.reco_sums) sums.row(r).setZero();
    out.exposure_sums.row(r).setZero();
    out.exposure_means.row(r).setConstant(std::numeric_limits<double>::quiet_NaN());
    out.n_safe.row(r).setZero();
    PixelSpan& px = spans[static_cast<std::size_t>(i)];
    if (in.pixels != nullptr) {
      px = precomputed_span(*in.pixels, r, npix);
    } else {
      own[static_cast<std::size_t>(i)] =
          rasterise(in.shapes[r], nx, in.ny, in.containment);
      px = own[static_cast<std::size_t>(i)].span();
    }
    out.npix_total[r] = px.total;
    double inmap = 0.0, image_total = 0.0;
    for (std::size_t k = 0; k < px.size; ++k) {
      inmap += px.w(k);
      if (in.image != nullptr) image_total += px.w(k) * in.image[px.index[k]];
    }
    out.npix_inmap[r] = inmap;
    if (in.image != nullptr) out.image_sum[r] = image_total;
  }

  // The pixels of a region safe in the same reco bins as its first pixel share one
  // exposure sum per true bin, added to those reco bins; only the others are
  // accumulated bin by bin. A mask that depends on energy but not on position (HAWC's
  // nHit classes, a safe energy range) then costs one sum per true bin, like no mask at
  // all. Where all of a region's pixels share the pattern, the sums are the ones bin by
  // bin would give, to the bit (the same additions in the same order). The flags are
  // set in the same pass over each mask plane that counts the safe pixels.
  const bool with_pattern = in.exposure != nullptr && mask != nullptr;
  std::vector<std::size_t> flag_offset(static_cast<std::size_t>(m) + 1, 0);
  for (Index i = 0; i < m; ++i)
    flag_offset[i + 1] = flag_offset[i] + spans[static_cast<std::size_t>(i)].size;
  // same[k]: pixel k of its region is safe in the same reco bins as the first
  std::vector<std::uint8_t> same(with_pattern ? flag_offset.back() : 0, 1);
  // pattern(i, e): whether the first pixel of region i is safe in reco bin e
  std::vector<std::uint8_t> pattern(static_cast<std::size_t>(m * n_reco), 1);
  std::vector<std::uint8_t> pattern_any(static_cast<std::size_t>(m), 1);
  // all_common[i]: every pixel of region i shares its first pixel's pattern
  std::vector<std::uint8_t> all_common(static_cast<std::size_t>(m), 1);
  if (with_pattern) {
    for (Index i = 0; i < m; ++i) {
      const PixelSpan& px = spans[static_cast<std::size_t>(i)];
      std::uint8_t* pat = pattern.data() + i * n_reco;
      if (px.size == 0) continue;
      bool any = false;
      for (Index e = 0; e < n_reco; ++e) {
        pat[e] = mask[e * npix + px.index[0]] ? 1 : 0;
        any = any || pat[e] != 0;
      }
      pattern_any[static_cast<std::size_t>(i)] = any ? 1 : 0;
    }
  }

  std::vector<std::int64_t>
      scratch;  // safe pixels of a partly masked region (numpy_sum cubes)
  for (Index e = 0; e < n_reco; ++e) {
    const std::uint8_t* mask_plane = mask != nullptr ? mask + e * npix : nullptr;
    for (Index i = 0; i < m; ++i) {
      const PixelSpan& px = spans[static_cast<std::size_t>(i)];
      if (with_pattern && px.size > 0) {
        std::uint8_t differs = 0;
        out.n_safe(begin + i, e) = safe_weight_and_flags(
            px, mask_plane, pattern[static_cast<std::size_t>(i * n_reco + e)],
            same.data() + flag_offset[i], differs);
        if (differs != 0) all_common[static_cast<std::size_t>(i)] = 0;
      } else {
        out.n_safe(begin + i, e) = safe_weight(px, mask_plane);
      }
    }
    for (std::size_t c = 0; c < in.reco_cubes.size(); ++c) {
      const CubeView& view = in.reco_cubes[c];
      with_typed(view.data, view.dtype, [&](const auto* cube) {
        using T = std::remove_const_t<std::remove_pointer_t<decltype(cube)>>;
        constexpr bool is_float = std::is_floating_point_v<T>;
        const bool numpy_order = is_float && view.numpy_sum && !view.clip_negative;
        for (Index i = 0; i < m; ++i) {
          const PixelSpan& px = spans[static_cast<std::size_t>(i)];
          double& sum = out.reco_sums[c](begin + i, e);
          if (numpy_order && px.weight == nullptr) {
            const auto n_safe = static_cast<std::size_t>(out.n_safe(begin + i, e));
            sum = numpy_masked_sum(cube + e * npix, px, mask_plane, n_safe, scratch,
                                   view, begin + i, e, nx);
          } else {
            sum = masked_sum(cube + e * npix, px, mask_plane, view, begin + i, e, nx);
          }
        }
      });
    }
  }

  if (in.exposure == nullptr) return;
  const Index n_true = in.exposure->n_planes;
  with_typed(in.exposure->data, in.exposure->dtype, [&](const auto* cube) {
    for (Index j = 0; j < n_true; ++j) {
      const auto* plane = cube + j * npix;
      for (Index i = 0; i < m; ++i) {
        const Index r = begin + i;
        const PixelSpan& px = spans[static_cast<std::size_t>(i)];
        if (px.size == 0) continue;
        const std::uint8_t* flags = same.data() + flag_offset[i];
        const std::uint8_t* pat = pattern.data() + i * n_reco;
        const bool common_safe = pattern_any[static_cast<std::size_t>(i)] != 0;
        double common = 0.0;
        if (all_common[static_cast<std::size_t>(i)] != 0) {
          // the common case (no mask, or one that depends only on energy): a plain sum,
          // with the same additions as the loop below
          common = common_exposure_sum(plane, px, *in.exposure, common_safe, r, j, nx);
        } else {
          for (std::size_t k = 0; k < px.size; ++k) {
            const std::int64_t p = px.index[k];
            const double raw = static_cast<double>(plane[p]);
            // Exposure of unsafe pixels is never used, so only safe ones must be valid.
            if (!(std::isfinite(raw) && raw >= 0.0) &&
                (flags[k] ? common_safe : mask_has_safe(mask, npix, n_reco, p))) {
              bad_value(*in.exposure, r, j, p, nx, raw);
            }
            const double v = px.w(k) * raw;
            if (flags[k]) {
              common += v;
            } else {
              for (Index e = 0; e < n_reco; ++e) {
                if (mask[e * npix + p]) out.exposure_sums(r, e * n_true + j) += v;
              }
            }
          }
        }
        for (Index e = 0; e < n_reco; ++e) {
          if (pat[e]) out.exposure_sums(r, e * n_true + j) += common;
        }
        // Gammapy's exposure of a region: np.mean over all its pixels. Reproduced to
        // the bit for whole regions of unweighted pixels, since MIGRAD's covariance
        // (Gammapy's norm_err) changes by 1e-3 when the statistic changes in its last
        // bits.
        if (px.weight == nullptr && static_cast<double>(px.size) == px.total) {
          out.exposure_means(r, j) = numpy_mean(plane, px.index, px.size);
        }
      }
    }
  });
}

}  // namespace

RegionSums reduce_regions(const ShapeTable& shapes, Index nx, Index ny, Index n_reco,
                          const std::vector<CubeView>& reco_cubes,
                          const std::uint8_t* mask, const CubeView* exposure,
                          const double* image, Containment containment, int n_threads,
                          const PixelLists* pixels) {
  if (nx <= 0 || ny <= 0) {
    throw InvalidInput("map shape must be positive, got nx=" + std::to_string(nx) +
                       ", ny=" + std::to_string(ny));
  }
  for (const auto& cube : reco_cubes) {
    if (cube.n_planes != n_reco)
      throw InvalidInput("every reco cube must have n_reco planes");
  }
  const Index n = shapes.size();
  const Index n_true = exposure != nullptr ? exposure->n_planes : 0;

  RegionSums out;
  // The per-region rows are zeroed by the thread reducing the region (reduce_chunk):
  // the first touch of these pages then happens in parallel too.
  out.reco_sums.assign(reco_cubes.size(), RowMatrixXd(n, n_reco));
  out.exposure_sums.resize(n, exposure != nullptr ? n_reco * n_true : 0);
  out.exposure_means.resize(n, n_true);
  out.n_safe.resize(n, n_reco);
  out.npix_total.setZero(n);
  out.npix_inmap.setZero(n);
  out.image_sum.setZero(image != nullptr ? n : 0);

  // The work of a region is about proportional to its pixels (when known beforehand)
  // plus a fixed overhead. Chunks of consecutive regions of equal work keep the threads
  // busy alike, and each chunk is reduced plane by plane: neighbouring regions read
  // neighbouring pixels, so one plane of a chunk (at most kChunkPixels cache lines)
  // stays in the core's cache while all its regions read it, instead of every region
  // pulling all planes in again.
  constexpr double kRegionOverhead = 16.0;  // in pixels
  constexpr double kChunkPixels = 8192.0;
  const auto cost = [&](Index r) -> double {
    return pixels != nullptr
               ? static_cast<double>(pixels->offsets[r + 1] - pixels->offsets[r]) +
                     kRegionOverhead
               : 1.0;
  };
  const double total_cost = pixels != nullptr
                                ? static_cast<double>(pixels->offsets[n]) +
                                      kRegionOverhead * static_cast<double>(n)
                                : static_cast<double>(n);
  const int workers = resolve_threads(n_threads);
  const Index n_chunks = std::max<Index>(
      workers * kChunksPerWorker, static_cast<Index>(total_cost / kChunkPixels) + 1);
  const ChunkInputs in{shapes, nx,       ny,    n_reco,      reco_cubes,
                       mask,   exposure, image, containment, pixels};
  parallel_for_ranges(
      balanced_chunks(n, n_chunks, cost), workers,
      [&](Index begin, Index end) { reduce_chunk(in, begin, end, out); });
  return out;
}

RowMatrixXd fold_signal(const Eigen::Ref<const RowMatrixXd>& exposure_sums,
                        const Eigen::Ref<const VectorXd>& npix_total,
                        const std::vector<double>& flux, double scale,
                        const double* kernels, Index n_kernels, Index n_reco,
                        int n_threads, const double* exposure_means,
                        const double* n_safe) {
  const Index n = exposure_sums.rows();
  const auto n_true = static_cast<Index>(flux.size());
  if (exposure_sums.cols() != n_reco * n_true || npix_total.size() != n) {
    throw InvalidInput(
        "fold_signal: exposure_sums must be (n_regions, n_reco * n_true) and "
        "npix_total (n_regions)");
  }
  if (n_kernels != 1 && n_kernels != n)
    throw InvalidInput("fold_signal: need 1 kernel or one per region");
  if ((exposure_means == nullptr) != (n_safe == nullptr)) {
    throw InvalidInput("fold_signal: give both exposure_means and n_safe, or neither");
  }
  RowMatrixXd signal(n, n_reco);
  parallel_for(n, n_threads, [&](Index r) {
    if (npix_total[r] == 0.0) {
      signal.row(r).setConstant(std::numeric_limits<double>::quiet_NaN());
      return;
    }
    const double* kernel = kernels + (n_kernels == 1 ? 0 : r) * n_true * n_reco;
    for (Index i = 0; i < n_reco; ++i) {
      // Where every pixel of the region is safe in bin i, its exposure is the plain
      // mean.
      const bool whole =
          exposure_means != nullptr && n_safe[r * n_reco + i] == npix_total[r];
      double sum = 0.0;
      for (Index j = 0; j < n_true; ++j) {
        const double mean = whole && std::isfinite(exposure_means[r * n_true + j])
                                ? exposure_means[r * n_true + j]
                                : exposure_sums(r, i * n_true + j) / npix_total[r];
        // the operations in Gammapy's order: mean exposure times flux, then the unit
        // scale
        const double weighted = (mean * flux[j]) * scale;
        sum += weighted * kernel[j * n_reco + i];
      }
      signal(r, i) = sum;
    }
  });
  return signal;
}

RegionPixels region_pixels(const ShapeTable& shapes, Index nx, Index ny,
                           int n_threads) {
  const Index n = shapes.size();
  std::vector<ShapePixels> per_shape(static_cast<std::size_t>(n));
  parallel_for(n, n_threads, [&](Index r) {
    per_shape[static_cast<std::size_t>(r)] = shape_pixels(shapes[r], nx, ny);
  });
  RegionPixels out;
  out.offsets.reserve(static_cast<std::size_t>(n) + 1);
  out.offsets.push_back(0);
  for (const auto& s : per_shape) {
    out.flat_index.insert(out.flat_index.end(), s.flat_index.begin(),
                          s.flat_index.end());
    out.offsets.push_back(static_cast<std::int64_t>(out.flat_index.size()));
    out.n_total.push_back(s.n_total);
  }
  return out;
}

namespace {

struct Unit3 {
  double x, y, z;
};

inline double dot(const Unit3& a, const Unit3& b) {
  return a.x * b.x + a.y * b.y + a.z * b.z;
}

// Van Oosterom-Strackee, in the order of the NumPy formula it replaces.
inline double triangle_area(const Unit3& a, const Unit3& b, const Unit3& c) {
  const Unit3 bc{b.y * c.z - b.z * c.y, b.z * c.x - b.x * c.z, b.x * c.y - b.y * c.x};
  const double triple = dot(a, bc);
  const double denom = ((1.0 + dot(a, b)) + dot(b, c)) + dot(c, a);
  return 2.0 * std::atan2(std::abs(triple), denom);
}

}  // namespace

void pixel_solid_angles(const double* xyz, Index nx, Index ny, double* out,
                        int n_threads) {
  if (nx <= 0 || ny <= 0) {
    throw InvalidInput("pixel_solid_angles: image shape must be positive, got nx=" +
                       std::to_string(nx) + ", ny=" + std::to_string(ny));
  }
  const Index w = nx + 1;
  const auto corner = [&](Index j, Index i) {
    const double* v = xyz + 3 * (j * w + i);
    return Unit3{v[0], v[1], v[2]};
  };
  // Rows are independent (each reads its two corner rows).
  parallel_for(ny, n_threads, [&](Index j) {
    for (Index i = 0; i < nx; ++i) {
      const Unit3 a = corner(j, i);
      const Unit3 b = corner(j, i + 1);
      const Unit3 c = corner(j + 1, i + 1);
      const Unit3 d = corner(j + 1, i);
      out[j * nx + i] = triangle_area(a, b, c) + triangle_area(a, c, d);
    }
  });
}

}  // namespace fluxprofile
