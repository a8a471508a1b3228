#pragma once
// Conversion of numpy arrays to core views. The Python layer already produces arrays of
// the right dtype and order; these checks are the second line of defence.
#include <string>
#include <utility>
#include <vector>

#include "pybind.hpp"

#include "fluxprofile/reduce.hpp"
#include "fluxprofile/shapes.hpp"

namespace fluxprofile_bindings {

inline void require_c_contiguous(const py::array& a, const char* name) {
  if (!(a.flags() & py::array::c_style)) {
    throw fluxprofile::InvalidInput(std::string(name) + " must be a C-contiguous array");
  }
}

inline fluxprofile::DType dtype_of(const py::array& a, const char* name) {
  const py::dtype dt = a.dtype();
  if (dt.byteorder() == '>') {
    // FITS data are big-endian; reading them as native numbers would be silently wrong.
    throw fluxprofile::InvalidInput(std::string(name) + " must be in native byte order");
  }
  const char kind = dt.kind();
  const auto size = dt.itemsize();
  if (kind == 'f' && size == 4) return fluxprofile::DType::float32;
  if (kind == 'f' && size == 8) return fluxprofile::DType::float64;
  if (kind == 'i' && size == 2) return fluxprofile::DType::int16;
  if (kind == 'i' && size == 4) return fluxprofile::DType::int32;
  if (kind == 'i' && size == 8) return fluxprofile::DType::int64;
  if ((kind == 'u' || kind == 'b') && size == 1) return fluxprofile::DType::uint8;
  throw fluxprofile::InvalidInput(std::string(name) + ": unsupported dtype " +
                                  std::string(py::str(dt)));
}

// A (n_planes, ny, nx) cube view of `a`, checked against the expected shape.
inline fluxprofile::CubeView cube_view(const py::array& a, const char* name, py::ssize_t ny,
                                       py::ssize_t nx) {
  if (a.ndim() != 3 || a.shape(1) != ny || a.shape(2) != nx) {
    throw fluxprofile::InvalidInput(std::string(name) + " must have shape (n, " + std::to_string(ny) +
                                    ", " + std::to_string(nx) + ")");
  }
  require_c_contiguous(a, name);
  fluxprofile::CubeView view;
  view.data = a.data();
  view.dtype = dtype_of(a, name);
  view.n_planes = static_cast<fluxprofile::Index>(a.shape(0));
  view.name = name;
  return view;
}

using F64Array = py::array_t<double, py::array::c_style>;
using I64Array = py::array_t<std::int64_t, py::array::c_style>;

// A validated view of a shape table passed from Python (see shapes.hpp for the layout).
inline fluxprofile::ShapeTable shape_table(const F64Array& shapes, const F64Array& vertices_x,
                                           const F64Array& vertices_y, const I64Array& vertex_offsets) {
  if (shapes.ndim() != 2 || shapes.shape(1) != fluxprofile::kShapeColumns) {
    throw fluxprofile::InvalidInput("shapes must have shape (n, " + std::to_string(fluxprofile::kShapeColumns) + ")");
  }
  if (vertices_x.ndim() != 1 || vertices_y.ndim() != 1 || vertices_x.shape(0) != vertices_y.shape(0)) {
    throw fluxprofile::InvalidInput("vertices_x and vertices_y must be 1-D arrays of equal length");
  }
  if (vertex_offsets.ndim() != 1 || vertex_offsets.shape(0) != shapes.shape(0) + 1) {
    throw fluxprofile::InvalidInput("vertex_offsets must have n_shapes + 1 entries");
  }
  return fluxprofile::ShapeTable(shapes.data(), shapes.shape(0), vertices_x.data(), vertices_y.data(),
                                 vertices_x.shape(0), vertex_offsets.data());
}

// Hands a vector to numpy without copying, keeping its dtype also when it is empty (going
// through a Python list would turn an empty int64 vector into a float64 array).
template <class T>
py::array_t<T> to_numpy(std::vector<T>&& v) {
  auto* owned = new std::vector<T>(std::move(v));
  py::capsule owner(owned, [](void* p) { delete static_cast<std::vector<T>*>(p); });
  return py::array_t<T>(static_cast<py::ssize_t>(owned->size()), owned->data(), owner);
}

}  // namespace fluxprofile_bindings
