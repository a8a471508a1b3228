#pragma once
// Regions on the sphere: which HEALPix pixel centres (given as unit vectors) lie inside
// each region. The core knows nothing of HEALPix indexing or sky frames: Python picks
// the candidate pixels of every region (a cone around it), gives their centre unit
// vectors in the map's frame and a 3x3 rotation per region from the map's frame to the
// region's local frame (x' = the region centre, y' = the region's width direction,
// z' = its height direction), and gets back the pixels inside.
#include <cstdint>
#include <vector>

#include "fluxprofile/reduce.hpp"
#include "fluxprofile/types.hpp"

namespace fluxprofile {

// Shapes on the sphere, all described in the region's local frame (docs/healpix.rst):
//   cap:     angular distance from the centre < p0 (radians);
//   ring:    p0 <= distance < p1 (an annulus);
//   box:     -p0 <= lon' < p0 and -p1 <= lat' < p1 (half-open, edges shifted by
//            1e-12 rad), lon' = atan2(y', x'), lat' = asin(z'): the sphere's rectangle
//            whose width runs along the great circle through the centre in the width
//            direction (boxes along that circle tile it, each pixel in exactly one);
//   polygon: great-circle edges; the vertices' gnomonic coordinates (y'/x', z'/x'),
//            even-odd rule, pixels with x' <= 0 (the far hemisphere) outside.
enum class SphereKind : int { cap = 0, ring = 1, box = 2, polygon = 3 };

struct SphereShapes {
  std::vector<SphereKind> kind;              // n
  std::vector<double> rotation;              // n * 9, row-major: local = R * v
  std::vector<double> p0, p1;                // n
  std::vector<double> vertex_u, vertex_v;    // gnomonic vertices of the polygons
  std::vector<std::int64_t> vertex_offsets;  // n + 1
  Index size() const { return static_cast<Index>(kind.size()); }
  // Throws InvalidInput naming the region for inconsistent or out-of-range parameters
  // (radii outside (0, pi], boxes wider than a hemisphere, polygons with < 3 vertices).
  void validate() const;
};

// Whether the unit vector `v` (map frame) is inside shape `r`.
bool sphere_contains(const SphereShapes& shapes, Index r, const double* v);

// The candidate pixels of every region: region r owns candidates
// [candidate_offsets[r], candidate_offsets[r + 1]) of `vectors` ((m, 3) row-major unit
// vectors, map frame) and `column` (the pixel's column in the stored map, -1 if the map
// does not hold it). Returns, per region, the columns of the stored candidates inside
// (in candidate order) and the count of all candidates inside (stored or not), as the
// reduction's pixel lists (totals as doubles).
RegionPixels sphere_region_pixels(const SphereShapes& shapes, const double* vectors,
                                  const std::int64_t* column,
                                  const std::int64_t* candidate_offsets, int n_threads);

}  // namespace fluxprofile
