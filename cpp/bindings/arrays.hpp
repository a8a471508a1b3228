#pragma once
// Checked, zero-copy views of numpy arguments and zero-copy numpy views of core
// results.
//
// Arguments are never converted: a wrong dtype raises TypeError, a wrong shape, order
// or byte order ValueError (fluxprofile::InvalidInput), each naming the argument.
#include <string>
#include <utility>
#include <vector>

#include "fluxprofile/reduce.hpp"
#include "fluxprofile/types.hpp"
#include "pybind.hpp"

namespace fluxprofile_bindings {

namespace fp = fluxprofile;

inline std::string type_name(const py::handle& obj) {
  return py::str(py::type::handle_of(obj).attr("__name__"));
}

// `obj` as an array of T with `ndim` dimensions (-1: any), C-contiguous and in native
// byte order, without a copy.
template <class T>
py::array_t<T> checked_array(const py::handle& obj, const std::string& name, int ndim) {
  const py::dtype want = py::dtype::of<T>();
  if (!py::isinstance<py::array>(obj)) {
    throw py::type_error(name + " must be a numpy array of " +
                         std::string(py::str(want)) + ", got " + type_name(obj));
  }
  const auto a = py::reinterpret_borrow<py::array>(obj);
  const py::dtype got = a.dtype();
  if (got.kind() == want.kind() && got.itemsize() == want.itemsize() &&
      got.byteorder() == '>') {
    // FITS data are big-endian; reading them as native numbers would be silently wrong.
    throw fp::InvalidInput(name + " must be in native byte order, got " +
                           std::string(py::str(got)) +
                           " (convert with astype('=" + std::string(1, want.kind()) +
                           std::to_string(want.itemsize()) + "'))");
  }
  if (!got.is(want) && !got.equal(want)) {
    throw py::type_error(name + " must be a " + std::string(py::str(want)) +
                         " array, got " + std::string(py::str(got)) +
                         " (no copy is made; convert it with numpy.asarray(..., " +
                         std::string(py::str(want)) + "))");
  }
  if (ndim >= 0 && a.ndim() != ndim) {
    throw fp::InvalidInput(name + " must be " + std::to_string(ndim) + "-D, got " +
                           std::to_string(a.ndim()) + "-D");
  }
  if (!(a.flags() & py::array::c_style)) {
    throw fp::InvalidInput(
        name +
        " must be C-contiguous (numpy.ascontiguousarray), got a Fortran-ordered or "
        "strided array");
  }
  return py::reinterpret_borrow<py::array_t<T>>(a);
}

// None stays None; anything else must pass checked_array.
template <class T>
py::object optional_array(const py::object& obj, const std::string& name, int ndim) {
  if (obj.is_none()) return obj;
  return checked_array<T>(obj, name, ndim);
}

// The element type of a cube the core reads in place.
inline fp::DType cube_dtype(const py::array& a, const std::string& name) {
  const py::dtype dt = a.dtype();
  if (dt.byteorder() == '>') {
    throw fp::InvalidInput(name + " must be in native byte order, got " +
                           std::string(py::str(dt)));
  }
  const char kind = dt.kind();
  const auto size = dt.itemsize();
  if (kind == 'f' && size == 4) return fp::DType::float32;
  if (kind == 'f' && size == 8) return fp::DType::float64;
  if (kind == 'i' && size == 2) return fp::DType::int16;
  if (kind == 'i' && size == 4) return fp::DType::int32;
  if (kind == 'i' && size == 8) return fp::DType::int64;
  if ((kind == 'u' || kind == 'b') && size == 1) return fp::DType::uint8;
  throw py::type_error(
      name + ": unsupported dtype " + std::string(py::str(dt)) +
      " (the core reads float32, float64, int16, int32, int64, uint8 and bool)");
}

// A (n_planes, ny, nx) cube, C-contiguous, of a dtype the core reads.
inline py::array checked_cube(const py::handle& obj, const std::string& name) {
  if (!py::isinstance<py::array>(obj))
    throw py::type_error(name + " must be a numpy array, got " + type_name(obj));
  const auto a = py::reinterpret_borrow<py::array>(obj);
  cube_dtype(a, name);
  if (a.ndim() != 3) {
    throw fp::InvalidInput(name + " must be a 3-D cube (n_planes, ny, nx), got " +
                           std::to_string(a.ndim()) + "-D");
  }
  if (!(a.flags() & py::array::c_style)) {
    throw fp::InvalidInput(
        name +
        " must be C-contiguous (numpy.ascontiguousarray), got a Fortran-ordered or "
        "strided array");
  }
  return a;
}

// Hands a vector to numpy without copying, keeping its dtype also when it is empty.
template <class T>
py::array_t<T> to_numpy(std::vector<T>&& v) {
  auto* owned = new std::vector<T>(std::move(v));
  py::capsule owner(owned, [](void* p) { delete static_cast<std::vector<T>*>(p); });
  return py::array_t<T>(static_cast<py::ssize_t>(owned->size()), owned->data(), owner);
}

// A read-only numpy view of `n` values at `data` (shape `shape`), kept alive by
// `owner`.
template <class T>
py::array_t<T> readonly_view(const T* data, std::vector<py::ssize_t> shape,
                             const py::handle& owner) {
  py::array_t<T> view(std::move(shape), data, owner);
  py::detail::array_proxy(view.ptr())->flags &=
      ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
  return view;
}

}  // namespace fluxprofile_bindings
