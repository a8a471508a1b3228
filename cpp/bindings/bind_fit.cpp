#include "pybind.hpp"
void bind_fit(py::module_&) {}
