// Bindings of the regions on the sphere (healpix.hpp): SphereShapes and
// sphere_region_pixels, whose PixelLists feed reduce_regions on HEALPix maps.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "arrays.hpp"
#include "bound_types.hpp"
#include "fluxprofile/healpix.hpp"
#include "pybind.hpp"

namespace fp = fluxprofile;
using fluxprofile_bindings::checked_array;
using fluxprofile_bindings::PixelListsBinding;
using fluxprofile_bindings::to_numpy;

namespace {

template <class T>
std::vector<T> copy_1d(const py::handle& obj, const std::string& name) {
  const auto a = checked_array<T>(obj, name, 1);
  return std::vector<T>(a.data(), a.data() + a.shape(0));
}

fp::SphereShapes make_shapes(const py::array& kind, const py::array& rotation,
                             const py::array& p0, const py::array& p1,
                             const py::array& vertex_u, const py::array& vertex_v,
                             const py::array& vertex_offsets) {
  fp::SphereShapes s;
  for (const std::int64_t k : copy_1d<std::int64_t>(kind, "kind")) {
    if (k < 0 || k > 3)
      throw fp::InvalidInput(
          "kind must be 0 (cap), 1 (ring), 2 (box) or 3 (polygon), got " +
          std::to_string(k));
    s.kind.push_back(static_cast<fp::SphereKind>(k));
  }
  const auto rot = checked_array<double>(rotation, "rotation", 3);
  if (rot.shape(0) != static_cast<py::ssize_t>(s.kind.size()) || rot.shape(1) != 3 ||
      rot.shape(2) != 3)
    throw fp::InvalidInput("rotation must have shape (n, 3, 3)");
  s.rotation.assign(rot.data(), rot.data() + rot.size());
  s.p0 = copy_1d<double>(p0, "p0");
  s.p1 = copy_1d<double>(p1, "p1");
  s.vertex_u = copy_1d<double>(vertex_u, "vertex_u");
  s.vertex_v = copy_1d<double>(vertex_v, "vertex_v");
  s.vertex_offsets = copy_1d<std::int64_t>(vertex_offsets, "vertex_offsets");
  s.validate();
  return s;
}

}  // namespace

void bind_healpix(py::module_& m) {
  py::class_<fp::SphereShapes>(
      m, "SphereShapes",
      "Regions on the sphere (cpp/include/fluxprofile/healpix.hpp): per region a kind\n"
      "(0 cap, 1 ring, 2 box, 3 polygon), the (3, 3) rotation from the map's frame to\n"
      "its local frame, two parameters in radians (cap: radius; ring: inner, outer;\n"
      "box: half width, half height) and, for polygons, the gnomonic vertices.")
      .def(py::init(&make_shapes), py::arg("kind").noconvert(),
           py::arg("rotation").noconvert(), py::arg("p0").noconvert(),
           py::arg("p1").noconvert(), py::arg("vertex_u").noconvert(),
           py::arg("vertex_v").noconvert(), py::arg("vertex_offsets").noconvert())
      .def("__len__", &fp::SphereShapes::size)
      .def(
          "contains",
          [](const fp::SphereShapes& s, py::ssize_t r, const py::array& vectors) {
            if (r < 0 || r >= s.size())
              throw py::index_error("region index out of range");
            const auto v = checked_array<double>(vectors, "vectors", 2);
            if (v.shape(1) != 3)
              throw fp::InvalidInput("vectors must have shape (m, 3)");
            std::vector<std::uint8_t> out(static_cast<std::size_t>(v.shape(0)));
            for (py::ssize_t k = 0; k < v.shape(0); ++k)
              out[static_cast<std::size_t>(k)] =
                  fp::sphere_contains(s, r, v.data() + 3 * k);
            return to_numpy(std::move(out));
          },
          py::arg("region"), py::arg("vectors").noconvert(),
          "Whether each unit vector (map frame) is inside region `region` (uint8).");

  m.def(
      "sphere_region_pixels",
      [](const fp::SphereShapes& shapes, const py::array& vectors,
         const py::array& column, const py::array& candidate_offsets,
         py::ssize_t n_columns, int n_threads) {
        const auto v = checked_array<double>(vectors, "vectors", 2);
        const auto c = checked_array<std::int64_t>(column, "column", 1);
        const auto o =
            checked_array<std::int64_t>(candidate_offsets, "candidate_offsets", 1);
        if (v.shape(1) != 3) throw fp::InvalidInput("vectors must have shape (m, 3)");
        if (c.shape(0) != v.shape(0))
          throw fp::InvalidInput("column must have one entry per vector");
        if (o.shape(0) != shapes.size() + 1 || o.data()[o.shape(0) - 1] != v.shape(0))
          throw fp::InvalidInput(
              "candidate_offsets must have n + 1 entries ending at the number of "
              "vectors");
        for (py::ssize_t k = 0; k < c.shape(0); ++k) {
          if (c.data()[k] < -1 || c.data()[k] >= n_columns)
            throw fp::InvalidInput("column values must be -1 or in [0, n_columns)");
        }
        fp::RegionPixels px;
        {
          py::gil_scoped_release release;  // safe: the arrays are held by the arguments
          px =
              fp::sphere_region_pixels(shapes, v.data(), c.data(), o.data(), n_threads);
        }
        std::vector<double> total(px.n_total.begin(), px.n_total.end());
        return PixelListsBinding(to_numpy(std::move(px.flat_index)), py::none(),
                                 to_numpy(std::move(px.offsets)),
                                 to_numpy(std::move(total)), n_columns, 1);
      },
      py::arg("shapes"), py::arg("vectors").noconvert(), py::arg("column").noconvert(),
      py::arg("candidate_offsets").noconvert(), py::arg("n_columns"),
      py::arg("n_threads") = 0,
      "The stored pixels whose centre is inside each region on the sphere, as "
      "PixelLists\n"
      "of a (1, n_columns) map; total[r] counts all of the region's pixels on the "
      "sphere.");
}
