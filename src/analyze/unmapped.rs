//! Recognising CUDA-library names that have no rule yet, by their prefix.

/// (prefix, library). Longer, more specific prefixes first.
const PREFIXES: &[(&str, &str)] = &[
    ("cublasLt", "cublaslt"),
    ("CUBLASLT_", "cublaslt"),
    ("cublas", "cublas"),
    ("CUBLAS_", "cublas"),
    ("cudnn", "cudnn"),
    ("CUDNN_", "cudnn"),
    ("curand", "curand"),
    ("CURAND_", "curand"),
    ("cufft", "cufft"),
    ("CUFFT_", "cufft"),
    ("cusparse", "cusparse"),
    ("CUSPARSE_", "cusparse"),
    ("cusolver", "cusolver"),
    ("CUSOLVER_", "cusolver"),
    ("nccl", "nccl"),
    ("nvtx", "nvtx"),
    ("cudaGraph", "cuda-runtime"),
    ("cuda", "cuda-runtime"),
    ("CUDA_ERROR_", "cuda-driver"),
    ("CU_", "cuda-driver"),
    ("cu", "cuda-driver"),
    ("CU", "cuda-driver"),
    ("thrust::", "thrust"),
    ("cub::", "cub"),
    ("cooperative_groups::", "cooperative-groups"),
    ("nvcuda::wmma::", "device"),
    ("c10::cuda::", "torch-ext"),
    ("at::cuda::", "torch-ext"),
    ("AT_DISPATCH_", "torch-ext"),
    ("__shfl", "device"),
    ("__ballot", "device"),
    ("__syncthreads", "device"),
    ("__syncwarp", "device"),
    ("__threadfence", "device"),
    ("atomic", "device"),
];

/// The library a CUDA-looking name belongs to, or `None` when it does not look like CUDA.
pub fn infer_library(name: &str) -> Option<&'static str> {
    for &(prefix, lib) in PREFIXES {
        let Some(rest) = name.strip_prefix(prefix) else {
            continue;
        };
        let next = rest.chars().next();
        let ok = match prefix {
            // `cuda` + Capital: cudaMalloc, cudaStream_t; not `cudaify` or `cuda_impl`.
            "cuda" | "cudaGraph" | "nccl" | "nvtx" => next.is_some_and(|c| c.is_ascii_uppercase()),
            // Driver API: cuMemAlloc, cuInit; not `cuda...`, `cur`, `cu_seqlens`.
            "cu" => {
                next.is_some_and(|c| c.is_ascii_uppercase()) && !name.contains('_')
                    || rest.starts_with("Ctx")
            }
            // CUresult, CUdevice; not CUDA_CHECK or CUSTOM.
            "CU" => next.is_some_and(|c| c.is_ascii_lowercase()),
            "atomic" => {
                matches!(
                    rest,
                    "Add"
                        | "Sub"
                        | "Exch"
                        | "Min"
                        | "Max"
                        | "Inc"
                        | "Dec"
                        | "CAS"
                        | "And"
                        | "Or"
                        | "Xor"
                ) || rest.starts_with("Add_")
                    || rest.starts_with("CAS_")
            }
            "cublas" | "cudnn" | "cusparse" | "cusolver" | "cufft" | "cublasLt" => {
                next.is_some_and(|c| c.is_ascii_uppercase())
            }
            "curand" => next.is_some_and(|c| c.is_ascii_uppercase() || c == '_'),
            _ => rest.chars().next().is_some(),
        };
        if ok {
            return Some(lib);
        }
        // A failed specific prefix must not fall through to a looser one for the same family.
        if matches!(prefix, "cuda" | "cudaGraph") {
            return None;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::infer_library;

    #[test]
    fn libraries_by_prefix() {
        assert_eq!(infer_library("cudaFooBar"), Some("cuda-runtime"));
        assert_eq!(infer_library("cuMemAlloc"), Some("cuda-driver"));
        assert_eq!(infer_library("CUresult"), Some("cuda-driver"));
        assert_eq!(infer_library("CU_DEVICE_ATTRIBUTE_X"), Some("cuda-driver"));
        assert_eq!(infer_library("cublasLtMatmul"), Some("cublaslt"));
        assert_eq!(infer_library("cublasSgemm"), Some("cublas"));
        assert_eq!(infer_library("curand_uniform"), Some("curand"));
        assert_eq!(infer_library("ncclAllReduce"), Some("nccl"));
        assert_eq!(infer_library("thrust::sort"), Some("thrust"));
        assert_eq!(infer_library("atomicAdd"), Some("device"));
    }

    #[test]
    fn ordinary_names_are_not_cuda() {
        for n in [
            "current",
            "cuda",
            "cuda_impl",
            "cudaify",
            "cu_seqlens",
            "CUDA_CHECK",
            "CUSTOM",
            "cursor",
            "atomically",
            "cub",
            "nccl_comm",
            "curve",
        ] {
            assert_eq!(infer_library(n), None, "{n}");
        }
    }
}
