// Bindings of the exact pixel-overlap weights (to be filled in).
#include "pybind.hpp"

void bind_overlap(py::module_&) {}
