//! Ascend C custom operator for MindSpore (ascend-mindspore.md §4–§5): the SIMD kernel skeleton
//! (`TPipe`, `TQue` VECIN/VECOUT queues, `GlobalTensor` views, CopyIn → Compute → CopyOut),
//! its CANN host side (tiling data, `TilingFunc`, `OpDef`), the MindSpore `CustomOpBuilder`
//! binding that calls the generated aclnn entry, and a build script.

use super::{camel, commented, header, quoted, GeneratedFile, KernelSpec, Param, TemplateParam};
use crate::model::Target;

pub fn files(spec: &KernelSpec) -> Vec<GeneratedFile> {
    let n = &spec.name;
    vec![
        GeneratedFile {
            name: format!("{n}_ascendc.cpp"),
            contents: kernel_cpp(spec),
        },
        GeneratedFile {
            name: format!("{n}_tiling.h"),
            contents: tiling_h(spec),
        },
        GeneratedFile {
            name: format!("{n}_host.cpp"),
            contents: host_cpp(spec),
        },
        GeneratedFile {
            name: format!("{n}_ms.cpp"),
            contents: ms_cpp(spec),
        },
        GeneratedFile {
            name: format!("build_{n}.py"),
            contents: build_py(spec),
        },
    ]
}

fn type_param<'a>(spec: &'a KernelSpec, e: &str) -> Option<&'a str> {
    spec.template.iter().find_map(|t| match t {
        TemplateParam::Type(n) if n == e => Some(n.as_str()),
        _ => None,
    })
}

/// The Ascend C element type for a CUDA element type, and its `ge::DataType`.
fn ascend_elem(e: &str, spec: &KernelSpec) -> (String, &'static str) {
    if let Some(t) = type_param(spec, e) {
        return (t.to_string(), "T");
    }
    let (t, ge) = match e {
        "float" | "float2" | "float3" | "float4" => ("float", "DT_FLOAT"),
        "double" | "double2" => ("float", "DT_FLOAT"),
        "__half" | "half" | "half2" | "__half2" => ("half", "DT_FLOAT16"),
        "__nv_bfloat16" | "nv_bfloat16" => ("bfloat16_t", "DT_BF16"),
        "int" | "int32_t" | "int2" | "int4" => ("int32_t", "DT_INT32"),
        "unsigned" | "unsigned int" | "uint32_t" => ("uint32_t", "DT_UINT32"),
        "int64_t" | "long" | "long long" => ("int64_t", "DT_INT64"),
        "uint64_t" | "unsigned long long" | "size_t" => ("uint64_t", "DT_UINT64"),
        "int16_t" | "short" => ("int16_t", "DT_INT16"),
        "int8_t" | "char" | "signed char" => ("int8_t", "DT_INT8"),
        "uint8_t" | "unsigned char" | "bool" => ("uint8_t", "DT_UINT8"),
        _ => ("uint8_t", "DT_UINT8"),
    };
    (t.to_string(), ge)
}

/// A scalar parameter as a tiling field: its type, or None (a struct: not carried).
fn tiling_ty(p: &Param, spec: &KernelSpec) -> Option<&'static str> {
    let e = p.elem.as_str();
    if type_param(spec, e).is_some() {
        return Some("float");
    }
    Some(match e {
        "int" | "int32_t" | "short" | "int16_t" | "char" | "int8_t" => "int32_t",
        "unsigned" | "unsigned int" | "uint32_t" | "bool" | "uint8_t" | "unsigned char" => {
            "uint32_t"
        }
        "int64_t" | "long" | "long long" | "ptrdiff_t" => "int64_t",
        "size_t" | "uint64_t" | "unsigned long long" | "unsigned long" => "uint64_t",
        "float" | "double" | "half" | "__half" => "float",
        _ => return None,
    })
}

fn scalars(spec: &KernelSpec) -> Vec<(&Param, &'static str)> {
    spec.params
        .iter()
        .filter(|p| !p.pointer)
        .filter_map(|p| tiling_ty(p, spec).map(|t| (p, t)))
        .collect()
}

fn pointers(spec: &KernelSpec) -> impl Iterator<Item = &Param> {
    spec.params.iter().filter(|p| p.pointer)
}

/// An op output: a pointer the kernel only writes. One it reads and writes stays an op input
/// that the kernel updates in place, as the CUDA kernel does.
fn op_output(p: &Param) -> bool {
    p.pointer && p.written && !p.read
}

fn op_input(p: &Param) -> bool {
    p.pointer && !op_output(p)
}

/// Porting hints for Compute(), from the pattern and the evidence.
fn hints(spec: &KernelSpec) -> Vec<String> {
    let mut h = Vec::new();
    let blocks = match spec.pattern.as_str() {
        "elementwise:relu" => "Relu",
        "elementwise:gelu" => "Gelu (adv)",
        "elementwise:silu" => "Silu (adv)",
        "elementwise:sigmoid" => "Sigmoid",
        "elementwise:add" | "elementwise:bias_add" => "Add",
        "elementwise:axpy" => "Axpy",
        "elementwise:clamp" | "elementwise:leaky_relu" => "Maxs, Mins, Muls, Select",
        "elementwise:where" => "Select, Compare",
        "cast" => "Cast",
        "softmax" | "log_softmax" => "SoftMax (adv), Exp, Ln",
        "layer_norm" => "LayerNorm (adv)",
        "rms_norm" => "RmsNorm (adv)",
        "reduce_sum" | "reduce_mean" => "ReduceSum, WholeReduceSum",
        "reduce_max" | "argmax" => "ReduceMax",
        "cumsum" => "CumSum (adv)",
        "transpose" => "Transpose, ConfusionTranspose",
        "matmul" | "batched_matmul" | "attention" => "high-level Matmul<…> (REGIST_MATMUL_OBJ)",
        "topk" => "TopK (adv), Sort",
        "embedding" => "Gather",
        "scatter_add" | "histogram" => "SetAtomicAdd<T>() + DataCopy to GM",
        _ => "",
    };
    if !blocks.is_empty() {
        h.push(format!(
            "Ascend C building blocks for {}: {blocks}.",
            spec.pattern
        ));
    }
    let ev = spec.evidence.join(" ");
    if ev.contains("__shfl") || ev.contains("cooperative_groups") {
        h.push(
            "Warp shuffles have no SIMD counterpart on A2/A3: reduce the tile with ReduceSum/ReduceMax (or use the SIMT model, Ascend 950 only)."
                .into(),
        );
    }
    if ev.contains("shared-memory") || spec.source.contains("__shared__") {
        h.push("__shared__ tiles become UB buffers: TBuf<TPosition::VECCALC> and Get<T>().".into());
    }
    if ev.contains("atomic") {
        h.push("atomicAdd to global memory: SetAtomicAdd<T>() before DataCopy to GM, then DisableDmaAtomic().".into());
    }
    if spec.source.contains("__syncthreads") {
        h.push("__syncthreads(): EnQue/DeQue order the pipeline; PipeBarrier<PIPE_V>() inside one stage.".into());
    }
    h
}

fn kernel_cpp(spec: &KernelSpec) -> String {
    let name = &spec.name;
    let class = format!("Kernel{}", camel(name));
    let mut s = header(spec, Target::MindSpore, "Ascend C kernel (SIMD, A2/A3)");
    s.push_str("// Build it as the op_kernel of a CANN custom operator package (msopgen layout), next to\n");
    s.push_str(&format!(
        "// {name}_host.cpp and {name}_tiling.h in op_host/; MindSpore calls it through {name}_ms.cpp.\n//\n"
    ));
    s.push_str("// The CUDA code to port (from ");
    s.push_str(&spec.path);
    s.push_str("), for reference:\n//\n");
    for h in &spec.helpers {
        s.push_str(&commented(h));
        s.push_str("//\n");
    }
    s.push_str(&commented(&spec.source));
    s.push_str("\n#include \"kernel_operator.h\"\n\n");
    for t in &spec.template {
        if let TemplateParam::Type(n) = t {
            s.push_str(&format!(
                "using {n} = float;  // the CUDA kernel is a template on {n}: instantiate per dtype\n"
            ));
        }
    }
    s.push_str(
        "constexpr int32_t BUFFER_NUM = 2;  // two buffers per queue: copy-in overlaps compute\n\n",
    );

    let ptrs: Vec<&Param> = pointers(spec).collect();
    let sc = scalars(spec);
    let lower = |p: &Param| {
        let c = camel(&p.name);
        let mut ch = c.chars();
        ch.next()
            .map(|f| f.to_ascii_lowercase().to_string() + ch.as_str())
            .unwrap_or_default()
    };
    let gm = |p: &Param| format!("{}Gm_", lower(p));
    let q_in = |p: &Param| format!("inQueue{}_", camel(&p.name));
    let q_out = |p: &Param| format!("outQueue{}_", camel(&p.name));
    let ty = |p: &Param| ascend_elem(&p.elem, spec).0;

    s.push_str(&format!(
        "class {class} {{\npublic:\n    __aicore__ inline {class}() {{}}\n"
    ));
    let mut init_args: Vec<String> = ptrs.iter().map(|p| format!("GM_ADDR {}", p.name)).collect();
    init_args.extend(sc.iter().map(|(p, t)| format!("{t} {}", p.name)));
    init_args.push("uint32_t totalLength".into());
    init_args.push("uint32_t tileLength".into());
    s.push_str(&format!(
        "    __aicore__ inline void Init({})\n    {{\n",
        init_args.join(", ")
    ));
    s.push_str("        // Each AI Core (CUDA: block) takes an equal share; GetBlockIdx() is blockIdx.x.\n");
    s.push_str("        blockLength_ = totalLength / AscendC::GetBlockNum();\n");
    s.push_str("        tileLength_ = tileLength;\n");
    for (p, _) in &sc {
        s.push_str(&format!("        {0}_ = {0};\n", p.name));
    }
    for p in &ptrs {
        s.push_str(&format!(
            "        {}.SetGlobalBuffer((__gm__ {} *){} + blockLength_ * AscendC::GetBlockIdx(), blockLength_);\n",
            gm(p),
            ty(p),
            p.name
        ));
    }
    for p in &ptrs {
        if p.is_input() {
            s.push_str(&format!(
                "        pipe_.InitBuffer({}, BUFFER_NUM, tileLength_ * sizeof({}));\n",
                q_in(p),
                ty(p)
            ));
        }
        if p.is_output() {
            s.push_str(&format!(
                "        pipe_.InitBuffer({}, BUFFER_NUM, tileLength_ * sizeof({}));\n",
                q_out(p),
                ty(p)
            ));
        }
    }
    s.push_str("    }\n\n");
    s.push_str("    __aicore__ inline void Process()\n    {\n");
    s.push_str("        // TODO: a tail when blockLength_ is not a multiple of tileLength_ (DataCopyPad).\n");
    s.push_str("        uint32_t loopCount = blockLength_ / tileLength_;\n");
    s.push_str("        for (uint32_t i = 0; i < loopCount; i++) {\n");
    s.push_str("            CopyIn(i);\n            Compute(i);\n            CopyOut(i);\n        }\n    }\n\nprivate:\n");

    // CopyIn: global → local for every input.
    s.push_str("    __aicore__ inline void CopyIn(uint32_t progress)\n    {\n");
    for p in ptrs.iter().filter(|p| p.is_input()) {
        let t = ty(p);
        s.push_str(&format!(
            "        AscendC::LocalTensor<{t}> {n}Local = {q}.AllocTensor<{t}>();\n        AscendC::DataCopy({n}Local, {g}[progress * tileLength_], tileLength_);\n        {q}.EnQue({n}Local);\n",
            n = lower(p),
            q = q_in(p),
            g = gm(p)
        ));
    }
    s.push_str("    }\n\n");

    // Compute: the kernel's math goes here.
    s.push_str("    __aicore__ inline void Compute(uint32_t progress)\n    {\n");
    for p in ptrs.iter().filter(|p| p.is_input()) {
        let t = ty(p);
        s.push_str(&format!(
            "        AscendC::LocalTensor<{t}> {n}In = {q}.DeQue<{t}>();\n",
            n = lower(p),
            q = q_in(p)
        ));
    }
    for p in ptrs.iter().filter(|p| p.is_output()) {
        let t = ty(p);
        s.push_str(&format!(
            "        AscendC::LocalTensor<{t}> {n}Out = {q}.AllocTensor<{t}>();\n",
            n = lower(p),
            q = q_out(p)
        ));
    }
    s.push_str("        // TODO: port the CUDA kernel's math (commented above) with vector APIs on whole tiles.\n");
    for h in hints(spec) {
        s.push_str(&format!("        // {h}\n"));
    }
    for p in ptrs.iter().filter(|p| p.is_output()) {
        let t = ty(p);
        let src = ptrs.iter().find(|i| i.is_input() && ty(i) == t);
        match src {
            Some(i) => s.push_str(&format!(
                "        AscendC::Muls({}Out, {}In, static_cast<{t}>(1), tileLength_);  // placeholder: copy\n",
                lower(p), lower(i)
            )),
            None => s.push_str(&format!(
                "        AscendC::Duplicate({}Out, static_cast<{t}>(0), tileLength_);  // placeholder: zeros\n",
                lower(p)
            )),
        }
        s.push_str(&format!(
            "        {}.EnQue<{t}>({}Out);\n",
            q_out(p),
            lower(p)
        ));
    }
    for p in ptrs.iter().filter(|p| p.is_input()) {
        s.push_str(&format!(
            "        {}.FreeTensor({}In);\n",
            q_in(p),
            lower(p)
        ));
    }
    s.push_str("    }\n\n");

    // CopyOut: local → global for every output.
    s.push_str("    __aicore__ inline void CopyOut(uint32_t progress)\n    {\n");
    for p in ptrs.iter().filter(|p| p.is_output()) {
        let t = ty(p);
        s.push_str(&format!(
            "        AscendC::LocalTensor<{t}> {n}Local = {q}.DeQue<{t}>();\n        AscendC::DataCopy({g}[progress * tileLength_], {n}Local, tileLength_);\n        {q}.FreeTensor({n}Local);\n",
            n = lower(p),
            q = q_out(p),
            g = gm(p)
        ));
    }
    s.push_str("    }\n\n");

    s.push_str("    AscendC::TPipe pipe_;\n");
    for p in &ptrs {
        if p.is_input() {
            s.push_str(&format!(
                "    AscendC::TQue<AscendC::TPosition::VECIN, BUFFER_NUM> {};\n",
                q_in(p)
            ));
        }
        if p.is_output() {
            s.push_str(&format!(
                "    AscendC::TQue<AscendC::TPosition::VECOUT, BUFFER_NUM> {};\n",
                q_out(p)
            ));
        }
    }
    for p in &ptrs {
        s.push_str(&format!(
            "    AscendC::GlobalTensor<{}> {};\n",
            ty(p),
            gm(p)
        ));
    }
    for (p, t) in &sc {
        s.push_str(&format!("    {t} {}_ = 0;\n", p.name));
    }
    s.push_str("    uint32_t blockLength_ = 0;\n    uint32_t tileLength_ = 0;\n};\n\n");

    let mut entry: Vec<String> = ptrs.iter().map(|p| format!("GM_ADDR {}", p.name)).collect();
    entry.push("GM_ADDR workspace".into());
    entry.push("GM_ADDR tiling".into());
    s.push_str("// GM_ADDR parameters mirror the CUDA pointer parameters, in order. A framework-launched op\n");
    s.push_str("// receives its OpDef inputs, then outputs, then workspace and tiling: keep the orders equal.\n");
    s.push_str(&format!(
        "extern \"C\" __global__ __aicore__ void {name}({})\n{{\n",
        entry.join(", ")
    ));
    s.push_str("    GET_TILING_DATA(tilingData, tiling);\n");
    s.push_str(&format!("    {class} op;\n"));
    let mut call: Vec<String> = ptrs.iter().map(|p| p.name.clone()).collect();
    call.extend(sc.iter().map(|(p, _)| format!("tilingData.{}", p.name)));
    call.push("tilingData.totalLength".into());
    call.push("tilingData.tileLength".into());
    s.push_str(&format!(
        "    op.Init({});\n    op.Process();\n}}\n",
        call.join(", ")
    ));
    let skipped: Vec<&Param> = spec
        .params
        .iter()
        .filter(|p| !p.pointer && tiling_ty(p, spec).is_none())
        .collect();
    if !skipped.is_empty() {
        s.push_str(&format!(
            "// TODO: {} are not plain scalars; carry their fields in the tiling data.\n",
            skipped
                .iter()
                .map(|p| format!("{} ({})", p.name, p.elem))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    s
}

fn tiling_h(spec: &KernelSpec) -> String {
    let c = camel(&spec.name);
    let guard = format!("{}_TILING_H", spec.name.to_ascii_uppercase());
    let mut s = header(spec, Target::MindSpore, "CANN tiling data (host side)");
    s.push_str("// The kernel reads this struct with GET_TILING_DATA; TilingFunc in ");
    s.push_str(&spec.name);
    s.push_str("_host.cpp fills it.\n");
    s.push_str("// The macros expand to a class body, so only the CANN toolchain (not cuport) parses this file.\n");
    s.push_str(&format!("#ifndef {guard}\n#define {guard}\n\n"));
    s.push_str("#include \"register/tilingdata_base.h\"\n\nnamespace optiling {\n");
    s.push_str(&format!("BEGIN_TILING_DATA_DEF({c}TilingData)\n"));
    s.push_str("TILING_DATA_FIELD_DEF(uint32_t, totalLength);\n");
    s.push_str("TILING_DATA_FIELD_DEF(uint32_t, tileLength);\n");
    for (p, t) in scalars(spec) {
        s.push_str(&format!("TILING_DATA_FIELD_DEF({t}, {});\n", p.name));
    }
    s.push_str("END_TILING_DATA_DEF;\n\n");
    s.push_str(&format!("REGISTER_TILING_DATA_CLASS({c}, {c}TilingData)\n"));
    s.push_str("}  // namespace optiling\n\n#endif\n");
    s
}

fn host_cpp(spec: &KernelSpec) -> String {
    let name = &spec.name;
    let c = camel(name);
    let mut s = header(
        spec,
        Target::MindSpore,
        "CANN op_host (tiling function and OpDef)",
    );
    s.push_str(
        "// Shape of the CANN add_custom sample; check the API against your CANN version.\n",
    );
    s.push_str(&format!(
        "#include \"{name}_tiling.h\"\n#include \"register/op_def_registry.h\"\n\n"
    ));
    s.push_str("namespace optiling {\n");
    s.push_str("constexpr uint32_t BLOCK_DIM = 8;       // AI Cores to use (CUDA: grid size)\n");
    s.push_str("constexpr uint32_t TILE_LENGTH = 2048;  // elements per tile; must fit the UB with all queues\n\n");
    s.push_str("static ge::graphStatus TilingFunc(gert::TilingContext* context)\n{\n");
    s.push_str(&format!("    {c}TilingData tiling;\n"));
    s.push_str(
        "    uint32_t totalLength = context->GetInputShape(0)->GetOriginShape().GetShapeSize();\n",
    );
    s.push_str("    context->SetBlockDim(BLOCK_DIM);\n");
    s.push_str("    tiling.set_totalLength(totalLength);\n");
    s.push_str("    tiling.set_tileLength(TILE_LENGTH);\n");
    for (p, _) in scalars(spec) {
        s.push_str(&format!(
            "    // TODO: tiling.set_{0}(…) from the op attribute `{0}` (context->GetAttrs()).\n",
            p.name
        ));
    }
    s.push_str("    tiling.SaveToBuffer(context->GetRawTilingData()->GetData(), context->GetRawTilingData()->GetCapacity());\n");
    s.push_str("    context->GetRawTilingData()->SetDataSize(tiling.GetDataSize());\n");
    s.push_str("    return ge::GRAPH_SUCCESS;\n}\n}  // namespace optiling\n\n");
    let templated = spec
        .template
        .iter()
        .any(|t| matches!(t, TemplateParam::Type(_)));
    let types = |p: &Param| {
        let (_, ge) = ascend_elem(&p.elem, spec);
        match (ge, templated) {
            ("T", _) => "{ge::DT_FLOAT16, ge::DT_FLOAT}".to_string(),
            (g, true) => format!("{{ge::{g}, ge::{g}}}"),
            (g, false) => format!("{{ge::{g}}}"),
        }
    };
    let formats = if templated {
        "{ge::FORMAT_ND, ge::FORMAT_ND}"
    } else {
        "{ge::FORMAT_ND}"
    };
    s.push_str("namespace ops {\n");
    s.push_str(&format!("class {c} : public OpDef {{\npublic:\n"));
    s.push_str(&format!(
        "    explicit {c}(const char* name) : OpDef(name)\n    {{\n"
    ));
    for p in pointers(spec) {
        let kind = if op_output(p) { "Output" } else { "Input" };
        let also = if p.written && p.read {
            "  // also written: the kernel updates it in place"
        } else {
            ""
        };
        s.push_str(&format!(
            "        this->{kind}(\"{}\").ParamType(REQUIRED).DataType({}).Format({formats});{also}\n",
            quoted(&p.name),
            types(p)
        ));
    }
    for (p, t) in scalars(spec) {
        s.push_str(&format!(
            "        // TODO: attribute `{}` ({t}), read in TilingFunc.\n",
            p.name
        ));
    }
    s.push_str(
        "        this->AICore().SetTiling(optiling::TilingFunc).AddConfig(\"ascend910b\");\n",
    );
    s.push_str("    }\n};\n\n");
    s.push_str(&format!("OP_ADD({c});\n}}  // namespace ops\n"));
    s
}

fn ms_cpp(spec: &KernelSpec) -> String {
    let name = &spec.name;
    let c = camel(name);
    let mut s = header(
        spec,
        Target::MindSpore,
        "MindSpore binding (CustomOpBuilder)",
    );
    s.push_str(&format!(
        "// Calls the Ascend C op {c} (install its package; ASCEND_CUSTOM_OPP_PATH must point at it)\n"
    ));
    s.push_str(&format!(
        "// through its generated aclnn entry. The name aclnn{c} follows the aclnnXxx rule (UNVERIFIED).\n"
    ));
    s.push_str("#include \"ms_extension/all.h\"\n\n#include <memory>\n#include <vector>\n\n");
    let outputs: Vec<&Param> = pointers(spec).filter(|p| op_output(p)).collect();
    let inplace: Vec<&Param> = pointers(spec).filter(|p| p.written && p.read).collect();
    let mut sig: Vec<String> = pointers(spec)
        .filter(|p| op_input(p))
        .map(|p| format!("const ms::Tensor& {}", p.name))
        .collect();
    let sc = scalars(spec);
    sig.extend(sc.iter().map(|(p, t)| {
        let ms_ty = match *t {
            "float" => "double",
            "int32_t" | "uint32_t" | "int64_t" | "uint64_t" => "int64_t",
            other => other,
        };
        format!("{ms_ty} {}", p.name)
    }));
    // What Python gets back: the outputs, then the tensors updated in place.
    let mut returned: Vec<String> = outputs.iter().map(|p| format!("{}_out", p.name)).collect();
    returned.extend(inplace.iter().map(|p| p.name.clone()));
    if returned.is_empty() {
        returned.extend(pointers(spec).take(1).map(|p| p.name.clone()));
    }
    let ret = if returned.len() == 1 {
        "ms::Tensor"
    } else {
        "std::vector<ms::Tensor>"
    };
    s.push_str(&format!("{ret} {name}({}) {{\n", sig.join(", ")));
    let lead = pointers(spec).find(|p| op_input(p));
    for p in &outputs {
        match lead {
            Some(l) => s.push_str(&format!(
                "  ms::Tensor {}_out({1}.data_type(), {1}.shape());  // TODO: output dtype and shape\n",
                p.name, l.name
            )),
            None => s.push_str(&format!(
                "  ms::Tensor {}_out(ms::TypeId::kNumberTypeFloat32, {{1}});  // TODO: output dtype and shape\n",
                p.name
            )),
        }
    }
    for p in &inplace {
        s.push_str(&format!(
            "  // {} is an input the kernel updates in place, as in CUDA (UNVERIFIED that the runner\n  // allows it; otherwise make it an output and copy).\n",
            p.name
        ));
    }
    let ins: Vec<String> = pointers(spec)
        .filter(|p| op_input(p))
        .map(|p| p.name.clone())
        .collect();
    let outs: Vec<String> = outputs.iter().map(|p| format!("{}_out", p.name)).collect();
    let mut args = ins.clone();
    args.extend(sc.iter().map(|(p, _)| p.name.clone()));
    args.extend(outs.iter().cloned());
    s.push_str(&format!(
        "  auto runner = std::make_shared<ms::pynative::AclnnOpRunner>(\"{c}\");\n"
    ));
    s.push_str(&format!(
        "  runner->SetLaunchFunc(LAUNCH_ACLNN_FUNC(aclnn{c}, {}));\n",
        args.join(", ")
    ));
    s.push_str(&format!(
        "  runner->Run({{{}}}, {{{}}});\n",
        ins.join(", "),
        outs.join(", ")
    ));
    if returned.len() == 1 {
        s.push_str(&format!("  return {};\n}}\n\n", returned[0]));
    } else {
        s.push_str(&format!("  return {{{}}};\n}}\n\n", returned.join(", ")));
    }
    s.push_str("PYBIND11_MODULE(MS_EXTENSION_NAME, m) {\n");
    s.push_str(&format!(
        "  m.def(\"{}\", PYBOOST_CALLER({}, {name}));\n}}\n",
        quoted(name),
        returned.len()
    ));
    s
}

fn build_py(spec: &KernelSpec) -> String {
    let name = &spec.name;
    let c = camel(name);
    let mut s = String::new();
    s.push_str(&format!(
        "# cuport scaffold: build and call `{name}` (from {}:{}) from MindSpore on Ascend.\n",
        spec.path, spec.line
    ));
    s.push_str(&format!(
        "# 1. Build and install the CANN custom op package for {c} ({name}_host.cpp and {name}_tiling.h in\n#    op_host/, {name}_ascendc.cpp in op_kernel/), then export ASCEND_CUSTOM_OPP_PATH.\n"
    ));
    s.push_str("# 2. Run this script (needs MindSpore >= 2.6 with the Ascend backend).\n");
    s.push_str("import mindspore\n\n");
    s.push_str("mindspore.set_device(\"Ascend\")\n");
    s.push_str(&format!(
        "{name}_ext = mindspore.ops.CustomOpBuilder(\"{}_ext\", [\"{}_ms.cpp\"], backend=\"Ascend\").load()\n",
        quoted(name),
        quoted(name)
    ));
    let ins: Vec<String> = pointers(spec)
        .filter(|p| op_input(p))
        .map(|p| p.name.clone())
        .chain(scalars(spec).iter().map(|(p, _)| p.name.clone()))
        .collect();
    s.push_str(&format!(
        "# outputs = {name}_ext.{name}({})\n",
        ins.join(", ")
    ));
    s
}
