// Sizes that are either compile-time constants or run-time values: the rank-1 case of shapes.
#pragma once

#include "requirements.hpp"

#include "shape.hpp"
