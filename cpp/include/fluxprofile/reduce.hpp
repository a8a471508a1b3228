#pragma once
// Per-region reduction of data cubes: one pass over the pixels inside each region.
#include <cstdint>
#include <vector>

#include "fluxprofile/shapes.hpp"
#include "fluxprofile/types.hpp"

namespace fluxprofile {

enum class DType : int {
  float32 = 0,
  float64 = 1,
  int16 = 2,
  int32 = 3,
  int64 = 4,
  uint8 = 5
};

// A read-only C-contiguous cube of shape (n_planes, ny, nx), used in place.
struct CubeView {
  const void* data = nullptr;
  DType dtype = DType::float64;
  Index n_planes = 0;
  // Values read from the cube must be finite (and >= 0 if non_negative); otherwise
  // reduce_regions throws InvalidInput naming the cube, the region and the pixel. Cubes
  // that are not must_be_finite may hold NaN and infinities, which then reach the sums.
  const char* name = "cube";
  bool non_negative = false;
  bool must_be_finite = true;
  // Negative values count as 0 (a predicted background is clipped at zero, as Gammapy's
  // npred is), without copying the cube.
  bool clip_negative = false;
  // Sum a float32 / float64 cube in its own type, in NumPy's pairwise order over the
  // region's pixels safe in the plane (in list order, i.e. row-major: a cutout's C
  // order), as np.sum of Gammapy's masked cutout does; the result is exact in double.
  // For unweighted pixels and cubes that are not clipped; otherwise (and for integer
  // cubes, whose double sums are exact) the plain double sum.
  bool numpy_sum = false;
};

// How pixels belong to a region: by their centre (Gammapy's rule) or weighted by the
// exact fraction of their area inside it.
enum class Containment { center, exact };

struct RegionSums {
  // One (n_regions, n_planes) matrix per reco cube: sums over the region's in-map
  // pixels where the mask of that plane is true (see CubeView::numpy_sum for the
  // arithmetic).
  std::vector<RowMatrixXd> reco_sums;
  // (n_regions, n_reco * n_true): exposure summed over the region's in-map pixels that
  // are safe in reco bin i, flattened as i * n_true + j. Empty if no exposure was
  // given.
  RowMatrixXd exposure_sums;
  // (n_regions, n_true): np.mean of the exposure over all the region's pixels, to the
  // bit (NumPy's pairwise summation in the cube's float type), as Gammapy reduces
  // exposure. NaN where it does not apply: no exposure, an integer cube, weighted
  // pixels, pixels off the map.
  RowMatrixXd exposure_means;
  // All pixel counts are sums of weights (1 per pixel for the centre rule).
  RowMatrixXd n_safe;   // (n_regions, n_reco): in-map pixels safe in each reco bin
  VectorXd npix_total;  // pixels of the region on the unbounded grid
  VectorXd npix_inmap;  // of which inside the map
  VectorXd image_sum;  // weighted sum of the optional (ny, nx) image over in-map pixels
};

// Pixel lists computed beforehand (by region_pixels or pixel_overlap_table), so that
// repeated reductions over the same regions skip the rasterisation: region r owns
// [offsets[r], offsets[r+1]) of flat_index (and weight, nullptr meaning 1 each);
// total[r] is its whole pixel count or area.
struct PixelLists {
  const std::int64_t* flat_index = nullptr;
  const double* weight = nullptr;
  const std::int64_t* offsets = nullptr;
  const double* total = nullptr;
};

// Reduces every region of `shapes` over the (ny, nx) pixel grid.
//   reco_cubes: cubes with n_reco planes (counts, background, ...), summed where mask
//   is true; mask: (n_reco, ny, nx) bytes (non-zero = safe) or nullptr for "all safe";
//   exposure: optional cube with n_true planes, see RegionSums::exposure_sums;
//   image: optional (ny, nx) float64 image (e.g. pixel solid angles) summed unmasked.
RegionSums reduce_regions(const ShapeTable& shapes, Index nx, Index ny, Index n_reco,
                          const std::vector<CubeView>& reco_cubes,
                          const std::uint8_t* mask, const CubeView* exposure,
                          const double* image, Containment containment, int n_threads,
                          const PixelLists* pixels = nullptr);

// The reference model's predicted counts of every region in every reco bin:
//   signal(r, i) = sum_j ((exposure_sums(r, i * n_true + j) / npix_total[r]) * flux[j])
//   * scale
//                  * kernel_r(j, i)
// i.e. the region's mean exposure (safe pixels of bin i, over the whole region's
// pixels) times the model's integral flux in true bin j, folded with the
// energy-dispersion kernel of the region. `kernels` holds n_kernels (1: shared, or one
// per region) row-major (n_true, n_reco) matrices. Regions without pixels get NaN. With
// `exposure_means` (row-major (n_regions, n_true), see RegionSums) and `n_safe`
// ((n_regions, n_reco)), the mean replaces exposure_sums / npix_total in the bins where
// all of a region's pixels are safe (n_safe == npix_total) and the mean is finite.
RowMatrixXd fold_signal(const Eigen::Ref<const RowMatrixXd>& exposure_sums,
                        const Eigen::Ref<const VectorXd>& npix_total,
                        const std::vector<double>& flux, double scale,
                        const double* kernels, Index n_kernels, Index n_reco,
                        int n_threads, const double* exposure_means = nullptr,
                        const double* n_safe = nullptr);

// Pixels of every region: concatenated flat in-map indices, offsets (n + 1), totals.
struct RegionPixels {
  std::vector<std::int64_t> flat_index;
  std::vector<std::int64_t> offsets;
  std::vector<std::int64_t> n_total;
};

RegionPixels region_pixels(const ShapeTable& shapes, Index nx, Index ny, int n_threads);

// Solid angle (sr) of every pixel of an (ny, nx) image from the unit vectors of its
// (ny + 1, nx + 1) corners (xyz: row-major (ny + 1, nx + 1, 3); corner (j, i) is pixel
// corner (x = i - 0.5, y = j - 0.5)): each pixel is the spherical quadrilateral of its
// four corners with great-circle sides, split into the triangles (a, b, c) and
// (a, c, d) (a = (j, i), b = (j, i + 1), c = (j + 1, i + 1), d = (j + 1, i)), each
// by the Van Oosterom-Strackee formula 2 atan2(|a . (b x c)|, 1 + a.b + b.c + c.a), in
// the operation order of the NumPy formula of WcsGeom.solid_angle. NaN corners give NaN
// pixels. Rows are independent: the result does not depend on n_threads.
void pixel_solid_angles(const double* xyz, Index nx, Index ny, double* out,
                        int n_threads);

}  // namespace fluxprofile
