// Declarations derived by tools/derive_cann_headers.py from the AST of hicann/ops-blas
// include/cann_ops_blasLt.h: names, parameter types, enum values and struct layouts only.
// For type-checking cuport's rewrites (tools/compile_oracle.py); not the original header.
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <acl/acl.h>
#include "cann_ops_blas_common.h"
extern "C" {
struct _aclblaslt_handle;
typedef struct _aclblaslt_handle * aclblasLtHandle_t;
typedef struct { uint64_t data[8]; } aclblasLtMatrixLayoutOpaque_t;
typedef aclblasLtMatrixLayoutOpaque_t * aclblasLtMatrixLayout_t;
typedef struct { uint64_t data[24]; } aclblasLtMatmulDescOpaque_t;
typedef aclblasLtMatmulDescOpaque_t * aclblasLtMatmulDesc_t;
typedef struct { uint64_t data[8]; } aclblasLtMatrixTransformDescOpaque_t;
typedef aclblasLtMatrixTransformDescOpaque_t * aclblasLtMatrixTransformDesc_t;
typedef struct { uint64_t data[8]; } aclblasLtMatmulPreferenceOpaque_t;
typedef aclblasLtMatmulPreferenceOpaque_t * aclblasLtMatmulPreference_t;
struct _aclblasLtMatmulAlgo_t { uint8_t data[16]; size_t max_workspace_bytes; };
typedef struct _aclblasLtMatmulAlgo_t aclblasLtMatmulAlgo_t;
struct _aclblasLtMatmulHeuristicResult_t { aclblasLtMatmulAlgo_t algo; size_t workspaceSize; aclblasStatus_t state; float wavesCount; int reserved[4]; };
typedef struct _aclblasLtMatmulHeuristicResult_t aclblasLtMatmulHeuristicResult_t;
enum aclblasLtOrder { ACLBLASLT_ORDER_COL = 0, ACLBLASLT_ORDER_ROW = 1, ACLBLASLT_ORDER_COL32 = 2, ACLBLASLT_ORDER_COL4_4R2_8C = 3, ACLBLASLT_ORDER_COL32_2R_4R4 = 4 };
typedef enum aclblasLtOrder aclblasLtOrder_t;
enum aclblasLtPropertyType { ACLBLASLT_PROPERTY_MAJOR_VERSION = 0, ACLBLASLT_PROPERTY_MINOR_VERSION = 1, ACLBLASLT_PROPERTY_PATCH_LEVEL = 2 };
typedef enum aclblasLtPropertyType aclblasLtPropertyType_t;
enum aclblasLtEpilogue { ACLBLASLT_EPILOGUE_DEFAULT = 1, ACLBLASLT_EPILOGUE_RELU = 2, ACLBLASLT_EPILOGUE_BIAS = 4, ACLBLASLT_EPILOGUE_RELU_BIAS = 6, ACLBLASLT_EPILOGUE_GELU = 32, ACLBLASLT_EPILOGUE_GELU_BIAS = 36, ACLBLASLT_EPILOGUE_RELU_AUX = 130, ACLBLASLT_EPILOGUE_RELU_AUX_BIAS = 134, ACLBLASLT_EPILOGUE_DRELU = 136, ACLBLASLT_EPILOGUE_DRELU_BGRAD = 152, ACLBLASLT_EPILOGUE_GELU_AUX = 160, ACLBLASLT_EPILOGUE_GELU_AUX_BIAS = 164, ACLBLASLT_EPILOGUE_DGELU = 192, ACLBLASLT_EPILOGUE_DGELU_BGRAD = 208, ACLBLASLT_EPILOGUE_BGRADA = 256, ACLBLASLT_EPILOGUE_BGRADB = 512, ACLBLASLT_EPILOGUE_SIGMOID = 1024, ACLBLASLT_EPILOGUE_SWISH_EXT = 65536, ACLBLASLT_EPILOGUE_SWISH_BIAS_EXT = 65540, ACLBLASLT_EPILOGUE_CLAMP_EXT = 131072, ACLBLASLT_EPILOGUE_CLAMP_BIAS_EXT = 131076, ACLBLASLT_EPILOGUE_CLAMP_AUX_EXT = 131200, ACLBLASLT_EPILOGUE_CLAMP_AUX_BIAS_EXT = 131204 };
typedef enum aclblasLtEpilogue aclblasLtEpilogue_t;
enum aclblasLtMatrixLayoutAttribute { ACLBLASLT_MATRIX_LAYOUT_BATCH_COUNT = 0, ACLBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET = 1, ACLBLASLT_MATRIX_LAYOUT_TYPE = 2, ACLBLASLT_MATRIX_LAYOUT_ORDER = 3, ACLBLASLT_MATRIX_LAYOUT_ROWS = 4, ACLBLASLT_MATRIX_LAYOUT_COLS = 5, ACLBLASLT_MATRIX_LAYOUT_LD = 6 };
typedef enum aclblasLtMatrixLayoutAttribute aclblasLtMatrixLayoutAttribute_t;
enum aclblasLtMatmulDescAttribute { ACLBLASLT_MATMUL_DESC_TRANSA = 0, ACLBLASLT_MATMUL_DESC_TRANSB = 1, ACLBLASLT_MATMUL_DESC_EPILOGUE = 2, ACLBLASLT_MATMUL_DESC_BIAS_POINTER = 3, ACLBLASLT_MATMUL_DESC_BIAS_DATA_TYPE = 4, ACLBLASLT_MATMUL_DESC_A_SCALE_POINTER = 5, ACLBLASLT_MATMUL_DESC_B_SCALE_POINTER = 6, ACLBLASLT_MATMUL_DESC_C_SCALE_POINTER = 7, ACLBLASLT_MATMUL_DESC_D_SCALE_POINTER = 8, ACLBLASLT_MATMUL_DESC_EPILOGUE_AUX_SCALE_POINTER = 9, ACLBLASLT_MATMUL_DESC_EPILOGUE_AUX_POINTER = 10, ACLBLASLT_MATMUL_DESC_EPILOGUE_AUX_LD = 11, ACLBLASLT_MATMUL_DESC_EPILOGUE_AUX_BATCH_STRIDE = 12, ACLBLASLT_MATMUL_DESC_POINTER_MODE = 13, ACLBLASLT_MATMUL_DESC_AMAX_D_POINTER = 14, ACLBLASLT_MATMUL_DESC_EPILOGUE_AUX_DATA_TYPE = 22, ACLBLASLT_MATMUL_DESC_A_SCALE_MODE = 31, ACLBLASLT_MATMUL_DESC_B_SCALE_MODE = 32, ACLBLASLT_MATMUL_DESC_COMPUTE_INPUT_TYPE_A_EXT = 100, ACLBLASLT_MATMUL_DESC_COMPUTE_INPUT_TYPE_B_EXT = 101, ACLBLASLT_MATMUL_DESC_EPILOGUE_ACT_ARG0_EXT = 102, ACLBLASLT_MATMUL_DESC_EPILOGUE_ACT_ARG1_EXT = 103, ACLBLASLT_MATMUL_DESC_MAX };
typedef enum aclblasLtMatmulDescAttribute aclblasLtMatmulDescAttribute_t;
enum aclblasLtMatrixTransformDescAttribute { ACLBLASLT_MATRIX_TRANSFORM_DESC_SCALE_TYPE = 0, ACLBLASLT_MATRIX_TRANSFORM_DESC_POINTER_MODE = 1, ACLBLASLT_MATRIX_TRANSFORM_DESC_TRANSA = 2, ACLBLASLT_MATRIX_TRANSFORM_DESC_TRANSB = 3 };
typedef enum aclblasLtMatrixTransformDescAttribute aclblasLtMatrixTransformDescAttribute_t;
enum aclblasLtMatmulPreferenceAttribute { ACLBLASLT_MATMUL_PREF_SEARCH_MODE = 0, ACLBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES = 1, ACLBLASLT_MATMUL_PREF_MAX = 2 };
typedef enum aclblasLtMatmulPreferenceAttribute aclblasLtMatmulPreferenceAttribute_t;
enum aclblasLtMatmulTile { ACLBLASLT_MATMUL_TILE_UNDEFINED = 0, ACLBLASLT_MATMUL_TILE_128x128 = 1, ACLBLASLT_MATMUL_TILE_128x256 = 2, ACLBLASLT_MATMUL_TILE_256x128 = 3, ACLBLASLT_MATMUL_TILE_256x256 = 4 };
typedef enum aclblasLtMatmulTile aclblasLtMatmulTile_t;
enum aclblasLtMatmulStages { ACLBLASLT_MATMUL_STAGES_UNDEFINED = 0, ACLBLASLT_MATMUL_STAGES_1 = 1, ACLBLASLT_MATMUL_STAGES_2 = 2, ACLBLASLT_MATMUL_STAGES_3 = 3, ACLBLASLT_MATMUL_STAGES_4 = 4 };
typedef enum aclblasLtMatmulStages aclblasLtMatmulStages_t;
enum aclblasLtReductionScheme { ACLBLASLT_REDUCTION_SCHEME_NONE = 0, ACLBLASLT_REDUCTION_SCHEME_INPLACE = 1, ACLBLASLT_REDUCTION_SCHEME_WORKSPACE = 2 };
typedef enum aclblasLtReductionScheme aclblasLtReductionScheme_t;
enum aclblasLtMatmulAlgoConfigAttributes { ACLBLASLT_ALGO_CONFIG_ID = 0, ACLBLASLT_ALGO_CONFIG_TILE_ID = 1, ACLBLASLT_ALGO_CONFIG_STAGES_ID = 2, ACLBLASLT_ALGO_CONFIG_SPLITK_NUM = 3, ACLBLASLT_ALGO_CONFIG_REDUCTION_SCHEME = 4, ACLBLASLT_ALGO_CONFIG_CUSTOM_OPTION = 5, ACLBLASLT_ALGO_CONFIG_INNER_SHAPE_ID = 6, ACLBLASLT_ALGO_CONFIG_MAX };
typedef enum aclblasLtMatmulAlgoConfigAttributes aclblasLtMatmulAlgoConfigAttributes_t;
typedef void (*aclblasLtLoggerCallback_t)(int, const char *, const char *);
enum aclblasLtLogLevel { ACLBLASLT_LOG_LEVEL_OFF = 0, ACLBLASLT_LOG_LEVEL_ERROR = 1, ACLBLASLT_LOG_LEVEL_TRACE = 2, ACLBLASLT_LOG_LEVEL_HINTS = 3, ACLBLASLT_LOG_LEVEL_INFO = 4, ACLBLASLT_LOG_LEVEL_API_TRACE = 5 };
typedef enum aclblasLtLogLevel aclblasLtLogLevel_t;
enum aclblasLtLogMask { ACLBLASLT_LOG_MASK_OFF = 0, ACLBLASLT_LOG_MASK_ERROR = 1, ACLBLASLT_LOG_MASK_TRACE = 2, ACLBLASLT_LOG_MASK_HINTS = 4, ACLBLASLT_LOG_MASK_INFO = 8, ACLBLASLT_LOG_MASK_API_TRACE = 16 };
typedef enum aclblasLtLogMask aclblasLtLogMask_t;
aclblasStatus_t aclblasLtGetVersion(size_t *);
aclblasStatus_t aclblasLtGetProperty(aclblasLtPropertyType_t, int *);
aclblasStatus_t aclblasLtCreate(aclblasLtHandle_t *);
aclblasStatus_t aclblasLtDestroy(const aclblasLtHandle_t);
aclblasStatus_t aclblasLtMatrixLayoutCreate(aclblasLtMatrixLayout_t *, aclDataType, uint64_t, uint64_t, int64_t);
aclblasStatus_t aclblasLtMatrixLayoutDestroy(const aclblasLtMatrixLayout_t);
aclblasStatus_t aclblasLtMatrixLayoutSetAttribute(aclblasLtMatrixLayout_t, aclblasLtMatrixLayoutAttribute_t, const void *, size_t);
aclblasStatus_t aclblasLtMatrixLayoutGetAttribute(const aclblasLtMatrixLayout_t, aclblasLtMatrixLayoutAttribute_t, void *, size_t, size_t *);
aclblasStatus_t aclblasLtMatmulDescCreate(aclblasLtMatmulDesc_t *, aclblasComputeType_t, aclDataType);
aclblasStatus_t aclblasLtMatmulDescDestroy(const aclblasLtMatmulDesc_t);
aclblasStatus_t aclblasLtMatmulDescInit(aclblasLtMatmulDesc_t, aclblasComputeType_t, aclDataType);
aclblasStatus_t aclblasLtMatmulDescSetAttribute(aclblasLtMatmulDesc_t, aclblasLtMatmulDescAttribute_t, const void *, size_t);
aclblasStatus_t aclblasLtMatmulDescGetAttribute(aclblasLtMatmulDesc_t, aclblasLtMatmulDescAttribute_t, void *, size_t, size_t *);
aclblasStatus_t aclblasLtMatmulPreferenceCreate(aclblasLtMatmulPreference_t *);
aclblasStatus_t aclblasLtMatmulPreferenceDestroy(const aclblasLtMatmulPreference_t);
aclblasStatus_t aclblasLtMatmulPreferenceSetAttribute(aclblasLtMatmulPreference_t, aclblasLtMatmulPreferenceAttribute_t, const void *, size_t);
aclblasStatus_t aclblasLtMatmulPreferenceGetAttribute(aclblasLtMatmulPreference_t, aclblasLtMatmulPreferenceAttribute_t, void *, size_t, size_t *);
aclblasStatus_t aclblasLtMatmulAlgoInit(aclblasLtHandle_t, aclblasComputeType_t, aclDataType, aclDataType, aclDataType, aclDataType, aclDataType, int, aclblasLtMatmulAlgo_t *);
aclblasStatus_t aclblasLtMatmulAlgoConfigSetAttribute(aclblasLtMatmulAlgo_t *, aclblasLtMatmulAlgoConfigAttributes_t, const void *, size_t);
aclblasStatus_t aclblasLtMatmulAlgoConfigGetAttribute(const aclblasLtMatmulAlgo_t *, aclblasLtMatmulAlgoConfigAttributes_t, void *, size_t, size_t *);
aclblasStatus_t aclblasLtMatmulAlgoGetIds(aclblasLtHandle_t, aclblasComputeType_t, aclDataType, aclDataType, aclDataType, aclDataType, aclDataType, int *, int, int *);
aclblasStatus_t aclblasLtMatmulAlgoGetHeuristic(aclblasLtHandle_t, aclblasLtMatmulDesc_t, aclblasLtMatrixLayout_t, aclblasLtMatrixLayout_t, aclblasLtMatrixLayout_t, aclblasLtMatrixLayout_t, aclblasLtMatmulPreference_t, int, aclblasLtMatmulHeuristicResult_t *, int *);
aclblasStatus_t aclblasLtMatmul(aclblasLtHandle_t, aclblasLtMatmulDesc_t, const void *, const void *, aclblasLtMatrixLayout_t, const void *, aclblasLtMatrixLayout_t, const void *, const void *, aclblasLtMatrixLayout_t, void *, aclblasLtMatrixLayout_t, const aclblasLtMatmulAlgo_t *, void *, size_t, aclrtStream);
aclblasStatus_t aclblasLtMatrixTransformDescCreate(aclblasLtMatrixTransformDesc_t *, aclDataType);
aclblasStatus_t aclblasLtMatrixTransformDescDestroy(const aclblasLtMatrixTransformDesc_t);
aclblasStatus_t aclblasLtMatrixTransformDescSetAttribute(aclblasLtMatrixTransformDesc_t, aclblasLtMatrixTransformDescAttribute_t, const void *, size_t);
aclblasStatus_t aclblasLtMatrixTransformDescGetAttribute(aclblasLtMatrixTransformDesc_t, aclblasLtMatrixTransformDescAttribute_t, void *, size_t, size_t *);
aclblasStatus_t aclblasLtMatrixTransform(aclblasLtHandle_t, aclblasLtMatrixTransformDesc_t, const void *, const void *, aclblasLtMatrixLayout_t, const void *, const void *, aclblasLtMatrixLayout_t, void *, aclblasLtMatrixLayout_t, aclrtStream);
aclblasStatus_t aclblasLtLoggerSetFile(FILE *);
aclblasStatus_t aclblasLtLoggerSetLevel(int);
aclblasStatus_t aclblasLtLoggerSetMask(int);
aclblasStatus_t aclblasLtLoggerForceDisable();
aclblasStatus_t aclblasLtLoggerSetCallback(aclblasLtLoggerCallback_t);
aclblasStatus_t aclblasLtLoggerOpenFile(const char *);
}
