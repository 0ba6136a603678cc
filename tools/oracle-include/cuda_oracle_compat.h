// Force-included by tools/compile_oracle.py into every CUDA-mode translation unit, before and
// after `cuport fix` alike: what nvcc provides and clang-19's CUDA wrappers do not, so that real
// code type-checks on the host side and stays in the oracle's count.
// - nvcc declares the cache-hint loads and stores (__ldcs, __stcs, …) for every element type;
//   clang declares only __ldg.
// - nvcc's math headers give host code min/max overloads and ::isfinite(float); clang's are
//   __device__ only.
// Declarations only, for type-checking; nothing is ever linked.
#pragma once
#if defined(__CUDA__) && !defined(__CUDA_ARCH__)
template <class T> __device__ T __ldcs(const T *p);
template <class T> __device__ T __ldcg(const T *p);
template <class T> __device__ T __ldca(const T *p);
template <class T> __device__ T __ldlu(const T *p);
template <class T> __device__ T __ldcv(const T *p);
template <class T> __device__ void __stcs(T *p, T v);
template <class T> __device__ void __stcg(T *p, T v);
template <class T> __device__ void __stwb(T *p, T v);
template <class T> __device__ void __stwt(T *p, T v);
#ifdef __cplusplus
#include <cmath>
using std::isfinite;
using std::isinf;
using std::isnan;
#define CUPORT_ORACLE_MINMAX(T)                                                            \
  static inline __host__ T min(T a, T b) { return a < b ? a : b; }                        \
  static inline __host__ T max(T a, T b) { return a < b ? b : a; }
CUPORT_ORACLE_MINMAX(int)
CUPORT_ORACLE_MINMAX(unsigned int)
CUPORT_ORACLE_MINMAX(long)
CUPORT_ORACLE_MINMAX(unsigned long)
CUPORT_ORACLE_MINMAX(long long)
CUPORT_ORACLE_MINMAX(unsigned long long)
CUPORT_ORACLE_MINMAX(float)
CUPORT_ORACLE_MINMAX(double)
#undef CUPORT_ORACLE_MINMAX
#endif
#endif
