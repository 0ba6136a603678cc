// Declarations derived by tools/derive_cann_headers.py from the AST of hicann/ops-blas
// include/cann_ops_blas_common.h: names, parameter types, enum values and struct layouts only.
// For type-checking cuport's rewrites (tools/compile_oracle.py); not the original header.
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <acl/acl.h>
extern "C" {
enum aclblasStatus { ACLBLAS_STATUS_SUCCESS = 0, ACLBLAS_STATUS_NOT_INITIALIZED = 1, ACLBLAS_STATUS_ALLOC_FAILED = 2, ACLBLAS_STATUS_INVALID_VALUE = 3, ACLBLAS_STATUS_MAPPING_ERROR = 4, ACLBLAS_STATUS_EXECUTION_FAILED = 5, ACLBLAS_STATUS_INTERNAL_ERROR = 6, ACLBLAS_STATUS_NOT_SUPPORTED = 7, ACLBLAS_STATUS_ARCH_MISMATCH = 8, ACLBLAS_STATUS_HANDLE_IS_NULLPTR = 9, ACLBLAS_STATUS_INVALID_ENUM = 10, ACLBLAS_STATUS_UNKNOWN = 11 };
typedef enum aclblasStatus aclblasStatus_t;
typedef aclblasStatus_t aclblasLtStatus;
enum aclblasFillMode { ACLBLAS_UPPER = 121, ACLBLAS_LOWER = 122 };
typedef enum aclblasFillMode aclblasFillMode_t;
enum aclblasDiagType { ACLBLAS_NON_UNIT = 131, ACLBLAS_UNIT = 132 };
typedef enum aclblasDiagType aclblasDiagType_t;
enum aclblasSideMode { ACLBLAS_SIDE_LEFT = 141, ACLBLAS_SIDE_RIGHT = 142 };
typedef enum aclblasSideMode aclblasSideMode_t;
enum aclblasOperation { ACLBLAS_OP_N = 111, ACLBLAS_OP_T = 112, ACLBLAS_OP_C = 113 };
typedef enum aclblasOperation aclblasOperation_t;
struct aclblasComplex { float real; float imag; };
typedef struct aclblasComplex aclblasComplex;
struct aclblasDoubleComplex { double real; double imag; };
typedef struct aclblasDoubleComplex aclblasDoubleComplex;
enum aclblasComputeType { ACLBLAS_COMPUTE_16F = 0, ACLBLAS_COMPUTE_16F_PEDANTIC = 1, ACLBLAS_COMPUTE_32F = 2, ACLBLAS_COMPUTE_32F_PEDANTIC = 3, ACLBLAS_COMPUTE_32F_FAST_16F = 4, ACLBLAS_COMPUTE_32F_FAST_16BF = 5, ACLBLAS_COMPUTE_32F_FAST_TF32 = 6, ACLBLAS_COMPUTE_64F = 7, ACLBLAS_COMPUTE_64F_PEDANTIC = 8, ACLBLAS_COMPUTE_32I = 9, ACLBLAS_COMPUTE_32I_PEDANTIC = 10 };
typedef enum aclblasComputeType aclblasComputeType_t;
enum aclblasGemmAlgo { ACLBLAS_GEMM_DEFAULT = 0, ACLBLAS_GEMM_ALGO0 = 1, ACLBLAS_GEMM_ALGO1 = 2, ACLBLAS_GEMM_ALGO2 = 3, ACLBLAS_GEMM_ALGO3 = 4, ACLBLAS_GEMM_ALGO4 = 5, ACLBLAS_GEMM_ALGO5 = 6, ACLBLAS_GEMM_ALGO6 = 7, ACLBLAS_GEMM_ALGO7 = 8 };
typedef enum aclblasGemmAlgo aclblasGemmAlgo_t;
enum aclblasLapackInfo { ACLBLAS_LAPACK_INFO_OK = 0, ACLBLAS_LAPACK_INFO_ARG_1 = -1, ACLBLAS_LAPACK_INFO_ARG_2 = -2, ACLBLAS_LAPACK_INFO_ARG_3 = -3, ACLBLAS_LAPACK_INFO_ARG_4 = -4, ACLBLAS_LAPACK_INFO_ARG_5 = -5, ACLBLAS_LAPACK_INFO_ARG_6 = -6, ACLBLAS_LAPACK_INFO_ARG_7 = -7, ACLBLAS_LAPACK_INFO_ARG_8 = -8 };
typedef enum aclblasLapackInfo aclblasLapackInfo_t;
}
