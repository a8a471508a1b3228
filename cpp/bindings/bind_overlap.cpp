// Bindings of the exact pixel-overlap weights.
#include "pybind.hpp"

#include <string>
#include <utility>
#include <vector>

#include "arrays.hpp"
#include "fluxprofile/overlap.hpp"
#include "fluxprofile/shapes.hpp"

namespace fp = fluxprofile;

using fluxprofile_bindings::F64Array;
using fluxprofile_bindings::I64Array;
using fluxprofile_bindings::shape_table;
using fluxprofile_bindings::to_numpy;

void bind_overlap(py::module_& m) {
  m.def(
      "region_overlap",
      [](const F64Array& shapes, const F64Array& vertices_x, const F64Array& vertices_y,
         const I64Array& vertex_offsets, py::ssize_t nx, py::ssize_t ny, int n_threads) {
        const fp::ShapeTable table = shape_table(shapes, vertices_x, vertices_y, vertex_offsets);
        fp::RegionWeights w;
        {
          py::gil_scoped_release release;  // safe: the arrays are kept alive by the arguments
          w = fp::pixel_overlap_table(table, nx, ny, n_threads);
        }
        return py::make_tuple(to_numpy(std::move(w.flat_index)), to_numpy(std::move(w.weight)),
                              to_numpy(std::move(w.offsets)), to_numpy(std::move(w.area)));
      },
      py::arg("shapes").noconvert(), py::arg("vertices_x").noconvert(), py::arg("vertices_y").noconvert(),
      py::arg("vertex_offsets").noconvert(), py::arg("nx"), py::arg("ny"), py::arg("n_threads") = 0,
      "Exact pixel-overlap weights of every shape: (flat_index, weights, offsets, area).\n\n"
      "flat_index (y * nx + x, increasing per shape) and weights (fraction of each pixel's area\n"
      "inside the shape, in (0, 1]) are concatenated over the shapes, shape i owning\n"
      "[offsets[i], offsets[i + 1]); area[i] is the full area of shape i in pixels, including\n"
      "the parts off the map (polygons by the even-odd rule).");
}
