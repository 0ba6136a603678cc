#!/usr/bin/env bash
# Installs what the compile oracle needs and prints where it put it.
#
#   scripts/toolchain.sh            # install (idempotent: a second run only checks)
#   eval "$(scripts/toolchain.sh --env)"   # export CUPORT_* variables for this shell
#
# Everything comes from registries this machine reaches:
# - clang-19 and libomp-19-dev from Debian (compiles CUDA host code: -x cuda --cuda-host-only);
# - CUDA 12.9 headers from NVIDIA's nvidia-*-cu12 wheels on PyPI, assembled into a folder that
#   clang accepts as --cuda-path (include/, nvvm/libdevice/, bin/nvcc stub, version.json);
# - AscendCL and HCCL headers vendored in the torch-npu wheel (their third_party/ layout kept);
# - Paddle's C++ headers (and its PyTorch-compat headers) from the paddlepaddle wheel;
# - MindSpore's C++ headers (ms_extension) from the mindspore wheel;
# - PyTorch's C++ headers from the torch wheel (the "before" side of a PyTorch extension).
# Wheels are downloaded once (pip download --no-deps) into $CUPORT_TOOLCHAIN/wheels and only the
# include folders are unpacked. Nothing is installed into any Python environment.
set -euo pipefail

root="${CUPORT_TOOLCHAIN:-$HOME/.cache/cuport/toolchain}"

print_env() {
  cat <<EOF
export CUPORT_TOOLCHAIN='$root'
export CUPORT_CLANG='$(command -v clang-19 || echo clang-19)'
export CUPORT_CUDA_PATH='$root/cuda'
export CUPORT_NPU_INCLUDE='$root/npu/include'
export CUPORT_ACL_INCLUDE='$root/npu/include/third_party/acl/inc'
export CUPORT_HCCL_INCLUDE='$root/npu/include/third_party/hccl/inc'
export CUPORT_PADDLE_INCLUDE='$root/paddle/include'
export CUPORT_MINDSPORE_INCLUDE='$root/mindspore/include'
export CUPORT_TORCH_INCLUDE='$root/torch/include'
EOF
}

if [ "${1:-}" = "--env" ]; then
  print_env
  exit 0
fi

# Pinned wheels: name==version. The CUDA set is one release (12.9) of the toolkit.
wheels=(
  nvidia-cuda-runtime-cu12==12.9.79
  nvidia-cuda-nvcc-cu12==12.9.86
  nvidia-cuda-cccl-cu12==12.9.27
  nvidia-cuda-nvrtc-cu12==12.9.86
  nvidia-curand-cu12==10.3.10.19
  nvidia-cublas-cu12==12.9.3.13
  nvidia-cufft-cu12==11.4.1.4
  nvidia-cusparse-cu12==12.5.10.65
  nvidia-cusolver-cu12==11.7.5.82
  nvidia-cudnn-cu12==9.28.0.42
  nvidia-nccl-cu12==2.32.3
  nvidia-nvtx-cu12==12.9.79
  nvidia-cuda-profiler-api-cu12==12.9.79
  torch-npu==2.14.0
  paddlepaddle==3.3.1
  mindspore==2.10.0
  torch==2.9.1
)

stamp="$root/.complete"
# The stamp covers the wheel list and this script, so a change of layout unpacks again.
want="$( (printf '%s\n' "${wheels[@]}"; cat "$0") | sha256sum | cut -c1-16)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && command -v clang-19 >/dev/null 2>&1 \
  && [ -f /usr/lib/llvm-19/lib/clang/19/include/omp.h ]; then
  echo "cuport toolchain: ready in $root" >&2
  exit 0
fi

# libomp-19-dev: omp.h, which host code of real projects includes (llm.c's dev/cuda).
if ! command -v clang-19 >/dev/null 2>&1 || [ ! -f /usr/lib/llvm-19/lib/clang/19/include/omp.h ]; then
  echo "cuport toolchain: installing clang-19 and libomp-19-dev (Debian)" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang-19 libomp-19-dev >/dev/null
fi

mkdir -p "$root/wheels"
missing=()
for w in "${wheels[@]}"; do
  name="${w%%==*}"; version="${w##*==}"
  file_prefix="$(echo "$name" | tr '-' '_')-$version-"
  ls "$root/wheels/$file_prefix"*.whl >/dev/null 2>&1 || missing+=("$w")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "cuport toolchain: downloading ${#missing[@]} wheel(s) from PyPI" >&2
  python3 -m pip download --no-deps --quiet --dest "$root/wheels" "${missing[@]}"
fi

echo "cuport toolchain: unpacking headers into $root" >&2
python3 - "$root" <<'PY'
import glob, json, os, shutil, sys, zipfile

root = sys.argv[1]
wheels = os.path.join(root, "wheels")

def wheel(prefix):
    found = sorted(glob.glob(os.path.join(wheels, prefix + "-*.whl")))
    if not found:
        sys.exit(f"cuport toolchain: no wheel {prefix} in {wheels}")
    return zipfile.ZipFile(found[-1])

def unpack(z, inside, dest):
    """Copy every file under `inside/` of wheel `z` to `dest/`, keeping the relative layout."""
    inside = inside.rstrip("/") + "/"
    n = 0
    for info in z.infolist():
        if info.is_dir() or not info.filename.startswith(inside):
            continue
        rel = info.filename[len(inside):]
        out = os.path.join(dest, rel)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with z.open(info) as src, open(out, "wb") as dst:
            shutil.copyfileobj(src, dst)
        n += 1
    if n == 0:
        sys.exit(f"cuport toolchain: {inside} is empty in {z.filename}")

for d in ("cuda", "npu", "paddle", "mindspore", "torch"):
    shutil.rmtree(os.path.join(root, d), ignore_errors=True)

cuda = os.path.join(root, "cuda")
for lib in ("cuda_runtime", "cuda_nvcc", "cuda_cccl", "cuda_nvrtc", "curand", "cublas",
            "cufft", "cusparse", "cusolver", "cudnn", "nccl", "nvtx", "cuda_profiler_api"):
    unpack(wheel(f"nvidia_{lib}_cu12"), f"nvidia/{lib}/include", os.path.join(cuda, "include"))
unpack(wheel("nvidia_cuda_nvcc_cu12"), "nvidia/cuda_nvcc/nvvm/libdevice",
       os.path.join(cuda, "nvvm", "libdevice"))
os.makedirs(os.path.join(cuda, "bin"), exist_ok=True)
stub = os.path.join(cuda, "bin", "nvcc")
with open(stub, "w") as f:
    f.write("#!/bin/sh\necho 'nvcc stub: this folder holds CUDA headers for clang only' >&2\nexit 1\n")
os.chmod(stub, 0o755)
with open(os.path.join(cuda, "version.json"), "w") as f:
    json.dump({"cuda": {"name": "CUDA SDK", "version": "12.9.1"}}, f)

# The vendored CANN headers include each other as `third_party/<lib>/inc/…`: keep that layout.
npu = wheel("torch_npu")
for lib in ("acl", "hccl"):
    inc = f"torch_npu/include/third_party/{lib}/inc"
    unpack(npu, inc, os.path.join(root, "npu", "include", "third_party", lib, "inc"))
unpack(wheel("paddlepaddle"), "paddle/include", os.path.join(root, "paddle", "include"))
unpack(wheel("mindspore"), "mindspore/include", os.path.join(root, "mindspore", "include"))
unpack(wheel("torch"), "torch/include", os.path.join(root, "torch", "include"))
PY

echo "$want" > "$stamp"
echo "cuport toolchain: ready in $root" >&2
