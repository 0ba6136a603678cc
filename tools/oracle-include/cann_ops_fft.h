// Declarations derived by tools/derive_cann_headers.py from the AST of hicann/ops-fft
// include/cann_ops_fft.h: names, parameter types, enum values and struct layouts only.
// For type-checking cuport's rewrites (tools/compile_oracle.py); not the original header.
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <acl/acl.h>
#define ACLFFT_FORWARD (-1)
#define ACLFFT_BACKWARD 1
#define ACLFFT_HORIZONTAL 0
#define ACLFFT_VERTICAL 1
enum aclfftResult_t { ACLFFT_SUCCESS = 0, ACLFFT_INVALID_PLAN = 1, ACLFFT_ALLOC_FAILED = 2, ACLFFT_INVALID_TYPE = 3, ACLFFT_INVALID_VALUE = 4, ACLFFT_INTERNAL_ERROR = 5, ACLFFT_EXEC_FAILED = 6, ACLFFT_SETUP_FAILED = 7, ACLFFT_INVALID_SIZE = 8, ACLFFT_UNALIGNED_DATA = 9, ACLFFT_INCOMPLETE_PARAMETER_LIST = 10, ACLFFT_INVALID_DEVICE = 11, ACLFFT_PARSE_ERROR = 12, ACLFFT_NO_WORKSPACE = 13, ACLFFT_NOT_IMPLEMENTED = 14, ACLFFT_NOT_SUPPORTED = 16 };
typedef enum aclfftResult_t aclfftResult;
enum aclfftType_t { ACLFFT_R2C = 42, ACLFFT_C2R = 44, ACLFFT_C2C = 41, ACLFFT_D2Z = 106, ACLFFT_Z2D = 108, ACLFFT_Z2Z = 105 };
typedef enum aclfftType_t aclfftType;
enum aclfftLibraryPropertyType_t { ACLFFT_MAJOR_VERSION, ACLFFT_MINOR_VERSION, ACLFFT_PATCH_LEVEL };
typedef enum aclfftLibraryPropertyType_t aclfftLibraryPropertyType;
struct aclfftHandle_t;
typedef struct aclfftHandle_t * aclfftHandle;
typedef struct { float x; float y; } aclfftComplex;
typedef struct { double x; double y; } aclfftDoubleComplex;
typedef float aclfftReal;
typedef double aclfftDoubleReal;
extern "C" {
aclfftResult aclfftPlan1d(aclfftHandle *, int, aclfftType, int, int);
aclfftResult aclfftPlan2d(aclfftHandle *, int, int, int, aclfftType);
aclfftResult aclfftPlan3d(aclfftHandle *, int, int, int, aclfftType);
aclfftResult aclfftCreate(aclfftHandle *);
aclfftResult aclfftMakePlan1d(aclfftHandle, int, aclfftType, int, int, size_t *);
aclfftResult aclfftMakePlan2d(aclfftHandle, int, int, int, aclfftType, size_t *);
aclfftResult aclfftMakePlan3d(aclfftHandle, int, int, int, aclfftType, size_t *);
aclfftResult aclfftGetSize1d(aclfftHandle, int, aclfftType, int, size_t *);
aclfftResult aclfftGetSize2d(aclfftHandle, int, int, aclfftType, size_t *);
aclfftResult aclfftGetSize3d(aclfftHandle, int, int, int, aclfftType, size_t *);
aclfftResult aclfftGetSize(aclfftHandle, size_t *);
aclfftResult aclfftSetAutoAllocation(aclfftHandle, int);
aclfftResult aclfftSetWorkArea(aclfftHandle, void *);
aclfftResult aclfftExecC2C(aclfftHandle, aclfftComplex *, aclfftComplex *, int);
aclfftResult aclfftExecR2C(aclfftHandle, aclfftReal *, aclfftComplex *);
aclfftResult aclfftExecC2R(aclfftHandle, aclfftComplex *, aclfftReal *);
aclfftResult aclfftExecZ2Z(aclfftHandle, aclfftDoubleComplex *, aclfftDoubleComplex *, int);
aclfftResult aclfftExecD2Z(aclfftHandle, aclfftDoubleReal *, aclfftDoubleComplex *);
aclfftResult aclfftExecZ2D(aclfftHandle, aclfftDoubleComplex *, aclfftDoubleReal *);
aclfftResult aclfftSetStream(aclfftHandle, aclrtStream);
aclfftResult aclfftSetStride(aclfftHandle, int32_t);
aclfftResult aclfftDestroy(aclfftHandle);
aclfftResult aclfftGetVersion(int *);
aclfftResult aclfftGetProperty(aclfftLibraryPropertyType, int *);
const char * aclfftGetErrorString(aclfftResult);
}
