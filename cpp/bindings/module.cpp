// The _core extension: registers the exception type and calls one bind_* per area
// (enums first: later signatures use them as defaults).
#include "fluxprofile/types.hpp"
#include "pybind.hpp"

void bind_shapes(py::module_& m);
void bind_regions(py::module_& m);
void bind_overlap(py::module_& m);
void bind_fit(py::module_& m);
void bind_healpix(py::module_& m);

PYBIND11_MODULE(_core, m, py::mod_gil_not_used()) {
  m.doc() = "fluxprofile compiled core: region rasterisation, reduction and norm fits";
  py::register_exception<fluxprofile::InvalidInput>(m, "InvalidInput",
                                                    PyExc_ValueError);
  bind_shapes(m);
  bind_regions(m);
  bind_overlap(m);
  bind_fit(m);
  bind_healpix(m);
}
