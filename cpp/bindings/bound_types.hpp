#pragma once
// The Python-facing types shared by several bind_*.cpp files: pixel lists (made by the
// rasterisers of bind_regions.cpp and bind_overlap.cpp, read by reduce_regions).
#include "fluxprofile/reduce.hpp"
#include "fluxprofile/shapes.hpp"
#include "pybind.hpp"

namespace fluxprofile_bindings {

namespace fp = fluxprofile;

// The pixels of every region of a table on a (ny, nx) map: region r owns
// [offsets[r], offsets[r + 1]) of flat_index (y * nx + x) and of weight (None: the
// centre rule, 1 each), and total[r] is its whole pixel count or area, on the map or
// not.
struct PixelListsBinding {
  py::array_t<std::int64_t> flat_index;
  py::object weight;  // None or a float64 array
  py::array_t<std::int64_t> offsets;
  py::array_t<double> total;
  py::ssize_t nx = 0, ny = 0;

  PixelListsBinding(py::array_t<std::int64_t> flat_index_, py::object weight_,
                    py::array_t<std::int64_t> offsets_, py::array_t<double> total_,
                    py::ssize_t nx_, py::ssize_t ny_);
  py::ssize_t n_regions() const { return total.shape(0); }
  fp::Containment containment() const {
    return weight.is_none() ? fp::Containment::center : fp::Containment::exact;
  }
  fp::PixelLists view() const;
};

}  // namespace fluxprofile_bindings
