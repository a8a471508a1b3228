#pragma once
// Conversion of numpy arrays to core views. The Python layer already produces arrays of
// the right dtype and order; these checks are the second line of defence.
#include <string>

#include "pybind.hpp"

#include "fluxprofile/reduce.hpp"

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
  return fluxprofile::CubeView{a.data(), dtype_of(a, name), static_cast<fluxprofile::Index>(a.shape(0))};
}

}  // namespace fluxprofile_bindings
