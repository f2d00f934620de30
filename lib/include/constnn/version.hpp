// The library's version, for generated files and diagnostics.
#pragma once

#include "core/requirements.hpp"

#define CONSTNN_VERSION_MAJOR 0
#define CONSTNN_VERSION_MINOR 1
#define CONSTNN_VERSION_PATCH 0
#define CONSTNN_VERSION_STRING "0.1.0"
