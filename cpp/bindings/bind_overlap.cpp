// Bindings of the exact pixel-overlap weights.
#include <utility>

#include "arrays.hpp"
#include "bound_types.hpp"
#include "fluxprofile/overlap.hpp"
#include "fluxprofile/shapes.hpp"
#include "interruptible.hpp"
#include "pybind.hpp"

namespace fp = fluxprofile;
using fluxprofile_bindings::PixelListsBinding;
using fluxprofile_bindings::to_numpy;

void bind_overlap(py::module_& m) {
  m.def(
      "region_overlap",
      [](const fp::OwnedShapeTable& shapes, py::ssize_t nx, py::ssize_t ny,
         int n_threads) {
        // the GIL is released inside: safe, the table is kept alive by the argument
        fp::RegionWeights w = fluxprofile_bindings::run_interruptible(
            [&] { return fp::pixel_overlap_table(shapes.view(), nx, ny, n_threads); });
        return PixelListsBinding(
            to_numpy(std::move(w.flat_index)), to_numpy(std::move(w.weight)),
            to_numpy(std::move(w.offsets)), to_numpy(std::move(w.area)), nx, ny);
      },
      py::arg("shapes"), py::arg("nx"), py::arg("ny"), py::arg("n_threads") = 0,
      "Exact pixel-overlap weights of every shape (PixelLists).\n\n"
      "flat_index (y * nx + x, increasing per shape) and weight (fraction of each "
      "pixel's area\n"
      "inside the shape, in (0, 1]) are concatenated over the shapes; total[i] is the "
      "full area\n"
      "of shape i in pixels, including the parts off the map (polygons by the even-odd "
      "rule).");
}
