// Declarations derived by tools/derive_cann_headers.py from the AST of hicann/ops-blas
// include/cann_ops_blas.h: names, parameter types, enum values and struct layouts only.
// For type-checking cuport's rewrites (tools/compile_oracle.py); not the original header.
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <acl/acl.h>
#include "cann_ops_blas_common.h"
struct _aclblas_handle;
using aclblasHandle = struct _aclblas_handle *;
using aclblasLogCallback = void (*)(const char *);
typedef struct _aclblas_handle * aclblasHandle_t;
extern "C" {
aclblasStatus_t aclblasCreate(aclblasHandle_t *);
aclblasStatus_t aclblasDestroy(aclblasHandle_t);
aclblasStatus_t aclblasSetStream(aclblasHandle_t, aclrtStream);
aclblasStatus_t aclblasGetStream(aclblasHandle_t, aclrtStream *);
aclblasStatus_t aclblasSetWorkspace(aclblasHandle_t, void *, size_t);
aclblasStatus_t aclblasGetVersion(aclblasHandle_t, int *);
aclblasStatus_t aclblasLoggerConfigure(int, int, int, const char *);
aclblasStatus_t aclblasSetLoggerCallback(aclblasLogCallback);
aclblasStatus_t aclblasGetLoggerCallback(aclblasLogCallback *);
aclblasStatus_t aclblasScopy_legacy(aclblasHandle_t, uint8_t *, uint8_t *, const int64_t, const int64_t, const int64_t);
aclblasStatus_t aclblasScopy(aclblasHandle_t, int, const float *, int, float *, int);
aclblasStatus_t aclblasSpmv(aclblasHandle_t, const float *, const float *, const float *, float *, const float, const float, const int64_t, const int64_t, const int64_t);
aclblasStatus_t aclblasSspmv(aclblasHandle_t, aclblasFillMode_t, int, const float *, const float *, const float *, int, const float *, float *, int);
aclblasStatus_t aclblasSger(aclblasHandle_t, int, int, const float *, const float *, int, const float *, int, float *, int);
aclblasStatus_t aclblasStrsv(aclblasHandle_t, aclblasFillMode_t, aclblasOperation_t, aclblasDiagType_t, int, const float *, int, float *, int);
aclblasStatus_t aclblasSsymv(aclblasHandle_t, aclblasFillMode_t, int, const float *, const float *, int, const float *, int, const float *, float *, int);
aclblasStatus_t aclblasSsbmv(aclblasHandle_t, aclblasFillMode_t, int, int, const float *, const float *, int, const float *, int, const float *, float *, int);
aclblasStatus_t aclblasStpsv(aclblasHandle_t, aclblasFillMode_t, aclblasOperation_t, aclblasDiagType_t, int, const float *, float *, int);
aclblasStatus_t aclblasStpmv(aclblasHandle_t, aclblasFillMode_t, aclblasOperation_t, aclblasDiagType_t, int, const float *, float *, int);
aclblasStatus_t aclblasStpmv_legacy(aclblasHandle_t, aclblasFillMode, aclblasOperation, aclblasDiagType, int64_t, const float *, const float *, float *, int64_t);
aclblasStatus_t aclblasStbmv_legacy(aclblasHandle_t, aclblasFillMode, aclblasOperation, aclblasDiagType, const float *, const int64_t, const float *, float *, const int64_t, const int64_t, const int64_t);
aclblasStatus_t aclblasStbmv(aclblasHandle_t, aclblasFillMode_t, aclblasOperation_t, aclblasDiagType_t, int, int, const float *, int, float *, int);
aclblasStatus_t aclblasCdotu(aclblasHandle_t, const int64_t, uint8_t *, const int64_t, uint8_t *, const int64_t, uint8_t *);
aclblasStatus_t aclblasCdotc(aclblasHandle_t, const int64_t, uint8_t *, const int64_t, uint8_t *, const int64_t, uint8_t *);
aclblasStatus_t aclblasSasum(aclblasHandle_t, int, const float *, int, float *);
aclblasStatus_t aclblasIamax(aclblasHandle_t, const int64_t, uint8_t *, const int64_t, uint8_t *);
aclblasStatus_t aclblasIsamax(aclblasHandle_t, int, const float *, int, int *);
aclblasStatus_t aclblasIsamin(aclblasHandle_t, int, const float *, int, int *);
aclblasStatus_t aclblasIsamax(aclblasHandle_t, int, const float *, int, int *);
aclblasStatus_t aclblasIsamin(aclblasHandle_t, int, const float *, int, int *);
aclblasStatus_t aclblasCsrot(aclblasHandle_t, const int64_t, aclblasComplex *, const int64_t, aclblasComplex *, const int64_t, const float, const float);
aclblasStatus_t aclblasColwiseMul(aclblasHandle_t, const int64_t, const int64_t, uint8_t *, uint8_t *, uint8_t *);
aclblasStatus_t aclblasComplexMatDot(aclblasHandle_t, const int64_t, const int64_t, aclblasComplex *, aclblasComplex *, aclblasComplex *);
aclblasStatus_t aclblasCgemvBatched(aclblasHandle_t, aclblasOperation_t, const int64_t, const int64_t, const aclblasComplex, aclblasComplex *, const int64_t, aclblasComplex *, const int64_t, const aclblasComplex, aclblasComplex *, const int64_t, const int64_t);
aclblasStatus_t aclblasCgerc(aclblasHandle_t, const int64_t, const int64_t, const aclblasComplex, aclblasComplex *, const int64_t, aclblasComplex *, const int64_t, aclblasComplex *, const int64_t);
aclblasStatus_t aclblasSgemvBatched(aclblasHandle_t, aclblasOperation_t, int, int, const float *, const float *const *, int, const float *const *, int, const float *, float *const *, int, int);
aclblasStatus_t aclblasHSHgemvBatched(aclblasHandle_t, aclblasOperation_t, int, int, const float *, const uint16_t *const *, int, const uint16_t *const *, int, const float *, uint16_t *const *, int, int);
aclblasStatus_t aclblasHSSgemvBatched(aclblasHandle_t, aclblasOperation_t, int, int, const float *, const uint16_t *const *, int, const uint16_t *const *, int, const float *, float *const *, int, int);
aclblasStatus_t aclblasTSTgemvBatched(aclblasHandle_t, aclblasOperation_t, int, int, const float *, const uint16_t *const *, int, const uint16_t *const *, int, const float *, uint16_t *const *, int, int);
aclblasStatus_t aclblasTSSgemvBatched(aclblasHandle_t, aclblasOperation_t, int, int, const float *, const uint16_t *const *, int, const uint16_t *const *, int, const float *, float *const *, int, int);
aclblasStatus_t aclblasSgemvStridedBatched(aclblasHandle_t, aclblasOperation_t, int, int, const float *, const float *, int, int64_t, const float *, int, int64_t, const float *, float *, int, int64_t, int);
aclblasStatus_t aclblasHSHgemvStridedBatched(aclblasHandle_t, aclblasOperation_t, int, int, const float *, const uint16_t *, int, int64_t, const uint16_t *, int, int64_t, const float *, uint16_t *, int, int64_t, int);
aclblasStatus_t aclblasHSSgemvStridedBatched(aclblasHandle_t, aclblasOperation_t, int, int, const float *, const uint16_t *, int, int64_t, const uint16_t *, int, int64_t, const float *, float *, int, int64_t, int);
aclblasStatus_t aclblasTSTgemvStridedBatched(aclblasHandle_t, aclblasOperation_t, int, int, const float *, const uint16_t *, int, int64_t, const uint16_t *, int, int64_t, const float *, uint16_t *, int, int64_t, int);
aclblasStatus_t aclblasTSSgemvStridedBatched(aclblasHandle_t, aclblasOperation_t, int, int, const float *, const uint16_t *, int, int64_t, const uint16_t *, int, int64_t, const float *, float *, int, int64_t, int);
aclblasStatus_t aclblasCcopy(aclblasHandle_t, aclblasComplex *, aclblasComplex *, const int64_t, const int64_t, const int64_t);
aclblasStatus_t aclblasSdot(aclblasHandle_t, int64_t, const float *, int64_t, const float *, int64_t, float *);
aclblasStatus_t aclblasDotEx(aclblasHandle_t, int, const void *, aclDataType, int, const void *, aclDataType, int, void *, aclDataType, aclDataType);
aclblasStatus_t aclblasSnrm2(aclblasHandle_t, int, const float *, int, float *);
aclblasStatus_t aclblasScnrm2(aclblasHandle_t, const int64_t, aclblasComplex *, const int64_t, float *);
aclblasStatus_t aclblasSnrm2Ex(aclblasHandle_t, aclDataType, const void *, const int64_t, const int64_t, void *);
aclblasStatus_t aclblasSscal(aclblasHandle_t, int, const float *, float *, int);
aclblasStatus_t aclblasScalex(aclblasHandle_t, int, const void *, aclDataType, void *, aclDataType, int, aclDataType);
aclblasStatus_t aclblasRotEx(aclblasHandle_t, int, void *, aclDataType, int, void *, aclDataType, int, const void *, const void *, aclDataType, aclDataType);
aclblasStatus_t aclblasCsscal(aclblasHandle_t, const int64_t, const float, aclblasComplex *, const int64_t);
aclblasStatus_t aclblasCscal(aclblasHandle_t, const int64_t, const aclblasComplex, aclblasComplex *, const int64_t);
aclblasStatus_t aclblasSswap(aclblasHandle_t, int, float *, int, float *, int);
aclblasStatus_t aclblasCswap(aclblasHandle_t, const int64_t, aclblasComplex *, const int64_t, aclblasComplex *, const int64_t);
aclblasStatus_t aclblasCaxpy(aclblasHandle_t, const int64_t, const aclblasComplex, aclblasComplex *, int64_t, aclblasComplex *, int64_t);
aclblasStatus_t aclblasCgemv(aclblasHandle_t, aclblasOperation_t, const int64_t, const int64_t, const aclblasComplex, aclblasComplex *, const int64_t, aclblasComplex *, const int64_t, const aclblasComplex, aclblasComplex *, const int64_t);
aclblasStatus_t aclblasStrmv(aclblasHandle_t, aclblasFillMode_t, aclblasOperation_t, aclblasDiagType_t, int, const float *, int, float *, int);
aclblasStatus_t aclblasStrmm(aclblasHandle_t, aclblasSideMode_t, aclblasFillMode_t, aclblasOperation_t, aclblasDiagType_t, int, int, const float *, const float *, int, const float *, int, float *, int);
aclblasStatus_t aclblasStrsm(aclblasHandle_t, aclblasSideMode_t, aclblasFillMode_t, aclblasOperation_t, aclblasDiagType_t, int, int, const float *, const float *, int, float *, int);
aclblasStatus_t aclblasSsymm(aclblasHandle, aclblasSideMode_t, aclblasFillMode_t, int64_t, int64_t, const float *, const float *, int64_t, const float *, int64_t, const float *, float *, int64_t);
aclblasStatus_t aclblasSsyr(aclblasHandle_t, aclblasFillMode_t, const int, const float *, const float *, const int, float *, const int);
aclblasStatus_t aclblasSsyr2(aclblasHandle_t, aclblasFillMode_t, const int, const float *, const float *, const int, const float *, const int, float *, const int);
aclblasStatus_t aclblasSspr(aclblasHandle_t, aclblasFillMode_t, int, const float *, const float *, int, float *);
aclblasStatus_t aclblasSspr2(aclblasHandle_t, aclblasFillMode_t, int, const float *, const float *, int, const float *, int, float *);
aclblasStatus_t aclblasCtrmv(aclblasHandle_t, aclblasFillMode_t, aclblasOperation_t, aclblasDiagType_t, int64_t, aclblasComplex *, int64_t, aclblasComplex *, int64_t);
aclblasStatus_t aclblasSgbmv(aclblasHandle_t, aclblasOperation_t, int, int, int, int, const float *, const float *, int, const float *, int, const float *, float *, int);
aclblasStatus_t aclblasStpttr(aclblasHandle_t, aclblasFillMode_t, int, const float *, float *, int);
aclblasStatus_t aclblasStrttp(aclblasHandle_t, aclblasFillMode_t, int, const float *, int, float *);
aclblasStatus_t aclblasSrotm(aclblasHandle_t, int, float *, int, float *, int, const float *);
aclblasStatus_t aclblasSrot(aclblasHandle_t, int, float *, int, float *, int, const float *, const float *);
aclblasStatus_t aclblasSrotg(aclblasHandle_t, float *, float *, float *, float *);
aclblasStatus_t aclblasSrotm(aclblasHandle_t, int, float *, int, float *, int, const float *);
aclblasStatus_t aclblasSrotmg(aclblasHandle_t, float *, float *, float *, const float *, float *);
aclblasStatus_t aclblasSgemv(aclblasHandle_t, aclblasOperation_t, int, int, const float *, const float *, int, const float *, int, const float *, float *, int);
aclblasStatus_t aclblasSaxpy(aclblasHandle_t, int, const float *, float *, int, float *, int);
aclblasStatus_t aclblasAxpyEx(aclblasHandle_t, int, const void *, aclDataType, const void *, aclDataType, int, void *, aclDataType, int, aclDataType);
aclblasStatus_t aclblasSgeqrfBatched(aclblasHandle_t, int, int, float *const *, int, float *const *, int *, int);
aclblasStatus_t aclblasSgetrfBatched(aclblasHandle_t, int, float *const *, int, int *, int *, int);
aclblasStatus_t aclblasSgelsBatched(aclblasHandle_t, aclblasOperation_t, int, int, int, float *const *, int, float *const *, int, int *, int);
aclblasStatus_t aclblasGemmBatchedEx(aclblasHandle_t, aclblasOperation_t, aclblasOperation_t, int, int, int, const void *, const void *const *, aclDataType, int, const void *const *, aclDataType, int, const void *, void *const *, aclDataType, int, int, aclblasComputeType_t, aclblasGemmAlgo_t);
aclblasStatus_t aclblasSgemmBatched(aclblasHandle_t, aclblasOperation_t, aclblasOperation_t, int, int, int, const float *, const float *const *, int, const float *const *, int, const float *, float *const *, int, int);
aclblasStatus_t aclblasCgemmBatched(aclblasHandle_t, aclblasOperation_t, aclblasOperation_t, int, int, int, const aclblasComplex *, const aclblasComplex *const *, int, const aclblasComplex *const *, int, const aclblasComplex *, aclblasComplex *const *, int, int);
aclblasStatus_t aclblasSgetriBatched(aclblasHandle_t, int, const float *const *, int, const int *, float *const *, int, int *, int);
aclblasStatus_t aclblasSmatinvBatched(aclblasHandle_t, int, const float *const *, int, float *const *, int, int *, int);
aclblasStatus_t aclblasGemmEx(aclblasHandle_t, aclblasOperation_t, aclblasOperation_t, int, int, int, const void *, const void *, aclDataType, int, const void *, aclDataType, int, const void *, void *, aclDataType, int, aclblasComputeType_t, aclblasGemmAlgo_t);
aclblasStatus_t aclblasSgemmEx(aclblasHandle_t, aclblasOperation_t, aclblasOperation_t, int, int, int, const float *, const float *, int, const float *, int, const float *, float *, int, aclblasGemmAlgo_t);
aclblasStatus_t aclblasSgemmGroupedBatched(aclblasHandle_t, int, const aclblasOperation_t *, const aclblasOperation_t *, const int *, const int *, const int *, const float *, const float *const *, const int *, const float *const *, const int *, const float *, float *const *, const int *, const int *);
aclblasStatus_t aclblasSgetrsBatched(aclblasHandle_t, aclblasOperation_t, int, int, const float *const *, int, const int *, float *const *, int, int *, int);
aclblasStatus_t aclblasGemmGroupedBatchedEx(aclblasHandle_t, const aclblasOperation_t *, const aclblasOperation_t *, const int *, const int *, const int *, const void *, const void *const *, aclDataType, const int *, const void *const *, aclDataType, const int *, const void *, void *const *, aclDataType, const int *, int, const int *, aclblasComputeType_t);
aclblasStatus_t aclblasStbsv(aclblasHandle_t, aclblasFillMode_t, aclblasOperation_t, aclblasDiagType_t, int, int, const float *, int, float *, int);
aclblasStatus_t aclblasSdgmm(aclblasHandle_t, aclblasSideMode_t, int, int, const float *, int, const float *, int, float *, int);
}
