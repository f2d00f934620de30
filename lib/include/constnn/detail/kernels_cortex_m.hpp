// Kernels for Cortex-M cores with a single-precision FPU; not API. (Placeholder: none yet.)
#pragma once

#define CONSTNN_CORTEX_M_KERNELS 0
