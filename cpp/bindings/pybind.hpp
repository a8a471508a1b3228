#pragma once
// The single include point for pybind11 in the bindings, so every translation unit sees
// the same casters (no ODR surprises).
#include <pybind11/eigen.h>
#include <pybind11/native_enum.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

namespace py = pybind11;
using namespace pybind11::literals;
