//! Paddle custom op around the CUDA kernel (paddle/extension.h, `PD_BUILD_OP`), plus a
//! `paddle.utils.cpp_extension` setup script. The kernel and its `<<<…>>>` launch sit behind
//! `#ifdef __CUDACC__`; a host compiler sees a stub launcher, so the rest of the file (tensor
//! API, dispatch, registration) compiles and is checked as plain C++.

use super::{header, quoted, GeneratedFile, KernelSpec, Param, TemplateParam};
use crate::model::Target;

/// How a CUDA element type is read from a `paddle::Tensor`.
struct Elem {
    /// The type in `t.data<…>()`.
    data: String,
    /// The `paddle::DataType` to check, when fixed.
    dtype: Option<&'static str>,
    /// Reinterpret the data pointer as the kernel's own element type.
    reinterpret: bool,
}

fn elem(e: &str, spec: &KernelSpec) -> Elem {
    let is_type_param = spec
        .template
        .iter()
        .any(|t| matches!(t, TemplateParam::Type(n) if n == e));
    if is_type_param {
        return Elem {
            data: "data_t".into(),
            dtype: None,
            reinterpret: false,
        };
    }
    let (data, dtype, reinterpret) = match e {
        "float" => ("float", "FLOAT32", false),
        "double" => ("double", "FLOAT64", false),
        "int" | "int32_t" | "signed int" => ("int", "INT32", false),
        "int64_t" | "long" | "long long" | "long int" | "long long int" => {
            ("int64_t", "INT64", false)
        }
        "unsigned" | "unsigned int" | "uint32_t" => ("int", "INT32", true),
        "uint64_t" | "unsigned long long" | "unsigned long" | "size_t" => {
            ("int64_t", "INT64", true)
        }
        "uint8_t" | "unsigned char" => ("uint8_t", "UINT8", false),
        "int8_t" | "char" | "signed char" => ("int8_t", "INT8", false),
        "int16_t" | "short" => ("int16_t", "INT16", false),
        "bool" => ("bool", "BOOL", false),
        "__half" | "half" => ("paddle::float16", "FLOAT16", true),
        "__nv_bfloat16" | "nv_bfloat16" => ("paddle::bfloat16", "BFLOAT16", true),
        "float2" | "float3" | "float4" => ("float", "FLOAT32", true),
        "double2" | "double4" => ("double", "FLOAT64", true),
        "int2" | "int3" | "int4" => ("int", "INT32", true),
        // A struct of the kernel's own: raw bytes, reinterpreted.
        _ => ("uint8_t", "UINT8", true),
    };
    Elem {
        data: data.into(),
        dtype: Some(dtype),
        reinterpret,
    }
}

/// A scalar parameter as an op attribute: (attr type, C++ type), or None (a struct).
fn attr(p: &Param, spec: &KernelSpec) -> Option<(&'static str, &'static str)> {
    let e = p.elem.as_str();
    let type_param = spec
        .template
        .iter()
        .any(|t| matches!(t, TemplateParam::Type(n) if n == e));
    Some(match e {
        _ if type_param => ("float", "float"),
        "int" | "int32_t" | "short" | "int16_t" | "unsigned" | "unsigned int" | "uint32_t"
        | "char" | "int8_t" | "uint8_t" | "unsigned char" => ("int", "int"),
        "int64_t" | "long" | "long long" | "size_t" | "uint64_t" | "unsigned long long"
        | "unsigned long" | "ptrdiff_t" | "long int" => ("int64_t", "int64_t"),
        "float" | "half" | "__half" => ("float", "float"),
        "double" => ("double", "double"),
        "bool" => ("bool", "bool"),
        _ => return None,
    })
}

fn is_template(spec: &KernelSpec) -> bool {
    spec.template
        .iter()
        .any(|t| matches!(t, TemplateParam::Type(_)))
}

/// The tensor that decides the dispatch type and the guessed output shape.
fn lead(spec: &KernelSpec) -> Option<&Param> {
    let inputs = || spec.params.iter().filter(|p| p.is_input());
    inputs()
        .find(|p| elem(&p.elem, spec).data == "data_t")
        .or_else(|| inputs().next())
}

/// The host-side variable holding a tensor parameter.
fn var(p: &Param) -> String {
    if p.is_output() {
        format!("{}_out", p.name)
    } else {
        p.name.clone()
    }
}

pub fn files(spec: &KernelSpec) -> Vec<GeneratedFile> {
    vec![
        GeneratedFile {
            name: format!("{}_op.cu", spec.name),
            contents: op_cu(spec),
        },
        GeneratedFile {
            name: format!("setup_{}.py", spec.name),
            contents: setup_py(spec),
        },
    ]
}

/// `KERNEL<data_t, …>` with the template arguments the scaffold can fill.
fn kernel_ref(spec: &KernelSpec) -> String {
    if spec.template.is_empty() {
        return spec.name.clone();
    }
    let args: Vec<String> = spec
        .template
        .iter()
        .map(|t| match t {
            TemplateParam::Type(_) => "data_t".to_string(),
            TemplateParam::Value(_, n) => format!("16 /* TODO: {n} */"),
        })
        .collect();
    format!("{}<{}>", spec.name, args.join(", "))
}

/// Launcher parameters: every tensor, then every attribute.
fn launcher_params(spec: &KernelSpec, named: bool) -> String {
    let mut ps = Vec::new();
    for p in spec.params.iter().filter(|p| p.pointer) {
        let ty = if p.is_output() {
            "paddle::Tensor&"
        } else {
            "const paddle::Tensor&"
        };
        ps.push(if named {
            format!("{ty} {}", var(p))
        } else {
            ty.to_string()
        });
    }
    for p in spec.params.iter().filter(|p| !p.pointer) {
        if let Some((_, cty)) = attr(p, spec) {
            ps.push(if named {
                format!("{cty} {}", p.name)
            } else {
                cty.to_string()
            });
        }
    }
    ps.join(", ")
}

fn kernel_args(spec: &KernelSpec) -> Vec<String> {
    spec.params
        .iter()
        .map(|p| {
            if p.pointer {
                let e = elem(&p.elem, spec);
                let data = format!("{}.data<{}>()", var(p), e.data);
                // Inputs arrive as const tensors; a kernel parameter without const needs a cast.
                let data = if !p.konst && !p.is_output() {
                    format!("const_cast<{}*>({data})", e.data)
                } else {
                    data
                };
                if e.reinterpret {
                    let c = if p.konst { "const " } else { "" };
                    format!("reinterpret_cast<{c}{}*>({data})", p.elem)
                } else {
                    data
                }
            } else {
                match attr(p, spec) {
                    Some(_) => {
                        let ty = if elem(&p.elem, spec).data == "data_t" {
                            "data_t".to_string()
                        } else {
                            p.elem.clone()
                        };
                        format!("static_cast<{ty}>({})", p.name)
                    }
                    None => format!("{}{{}} /* TODO: build {} */", p.elem, p.name),
                }
            }
        })
        .collect()
}

fn op_cu(spec: &KernelSpec) -> String {
    let name = &spec.name;
    let camel = super::camel(name);
    let templated = is_template(spec);
    let lead = lead(spec);
    let mut s = header(spec, Target::Paddle, "Paddle custom op");
    s.push_str("// Build with setup_");
    s.push_str(name);
    s.push_str(".py: nvcc compiles the kernel, the host code is plain C++.\n\n");
    s.push_str("#include \"paddle/extension.h\"\n\n#include <vector>\n\n");

    // The kernel and its launch: nvcc only.
    s.push_str("#ifdef __CUDACC__\n");
    for inc in &spec.includes {
        s.push_str(inc);
        s.push('\n');
    }
    s.push_str(&format!(
        "\n// ---- From {} (verbatim). Copy any types, macros and constants it uses. ----\n",
        spec.path
    ));
    for h in &spec.helpers {
        s.push_str(h);
        s.push_str("\n\n");
    }
    s.push_str(&spec.source);
    s.push_str("\n// ---- end of the original code ----\n\n");
    let tmpl = if templated {
        "template <typename data_t>\n"
    } else {
        ""
    };
    s.push_str(tmpl);
    s.push_str(&format!(
        "void launch_{name}({}) {{\n",
        launcher_params(spec, true)
    ));
    let numel = lead.map_or("1".to_string(), |p| format!("{}.numel()", var(p)));
    s.push_str(&format!("  const int64_t numel = {numel};\n"));
    s.push_str("  const int threads = 256;\n");
    s.push_str("  const int blocks = static_cast<int>((numel + threads - 1) / threads);\n");
    let mut smem = "0".to_string();
    if let Some((path, line, config)) = spec.launches.first() {
        s.push_str(&format!(
            "  // Original launch ({path}:{line}): <<<{}>>>. Adapt grid, block and shared memory.\n",
            config.join(", ")
        ));
        if let Some(m) = config.get(2).filter(|m| m.as_str() != "0") {
            s.push_str(&format!(
                "  const size_t smem = 0;  // TODO: the original passed `{m}` bytes of dynamic shared memory\n"
            ));
            smem = "smem".into();
        }
    }
    let stream = lead
        .or_else(|| spec.params.iter().find(|p| p.pointer))
        .map_or("0".to_string(), |p| format!("{}.stream()", var(p)));
    s.push_str(&format!(
        "  {}<<<blocks, threads, {smem}, {stream}>>>(\n      {});\n}}\n",
        kernel_ref(spec),
        kernel_args(spec).join(",\n      ")
    ));
    s.push_str("#else\n");
    s.push_str("// A host-only compiler (a syntax check, a CPU build) sees this stub instead.\n");
    s.push_str(tmpl);
    s.push_str(&format!(
        "void launch_{name}({}) {{\n  PD_THROW(\"{name}: built without CUDA; compile {name}_op.cu with nvcc\");\n}}\n",
        launcher_params(spec, false)
    ));
    s.push_str("#endif  // __CUDACC__\n\n");

    // The kernel function.
    let inputs: Vec<&Param> = spec.params.iter().filter(|p| p.is_input()).collect();
    let outputs: Vec<&Param> = spec.params.iter().filter(|p| p.is_output()).collect();
    let attrs: Vec<(&Param, (&str, &str))> = spec
        .params
        .iter()
        .filter(|p| !p.pointer)
        .filter_map(|p| attr(p, spec).map(|a| (p, a)))
        .collect();
    let mut sig: Vec<String> = inputs
        .iter()
        .map(|p| format!("const paddle::Tensor& {}", p.name))
        .collect();
    sig.extend(
        attrs
            .iter()
            .map(|(p, (_, cty))| format!("{cty} {}", p.name)),
    );
    s.push_str(&format!(
        "std::vector<paddle::Tensor> {camel}Forward({}) {{\n",
        sig.join(", ")
    ));
    for p in &inputs {
        s.push_str(&format!(
            "  PD_CHECK({0}.is_gpu(), \"{name}: {0} must be a GPU tensor\");\n",
            p.name
        ));
        if let (false, Some(dt)) = (templated, elem(&p.elem, spec).dtype) {
            s.push_str(&format!(
                "  PD_CHECK({0}.dtype() == paddle::DataType::{dt}, \"{name}: {0} must be {dt}\");\n",
                p.name
            ));
        }
    }
    for p in &outputs {
        if p.read {
            s.push_str(&format!(
                "  // {0} is read and written in place by the kernel: work on a copy (or register\n  // .SetInplaceMap({{{{\"{0}\", \"{0}_out\"}}}}) and write into {0}).\n  auto {0}_out = {0}.copy_to({0}.place(), false);\n",
                p.name
            ));
        } else {
            let (shape, place) = match lead {
                Some(l) => (format!("{}.shape()", l.name), format!("{}.place()", l.name)),
                None => ("{1}".to_string(), "paddle::GPUPlace()".to_string()),
            };
            s.push_str(&format!(
                "  // TODO: {}'s shape: guessed as {shape}; fix here and in {camel}InferShape.\n",
                p.name
            ));
            s.push_str(&format!(
                "  auto {}_out = paddle::empty({shape}, {}, {place});\n",
                p.name,
                out_dtype(p, spec, lead)
            ));
        }
    }
    let mut call: Vec<String> = spec.params.iter().filter(|p| p.pointer).map(var).collect();
    call.extend(attrs.iter().map(|(p, _)| p.name.clone()));
    let call = format!(
        "launch_{name}{}({})",
        if templated { "<data_t>" } else { "" },
        call.join(", ")
    );
    match (templated, lead) {
        (true, Some(l)) => s.push_str(&format!(
            "  PD_DISPATCH_FLOATING_AND_HALF_TYPES({}.type(), \"{name}\", ([&] {{ {call}; }}));\n",
            l.name
        )),
        (true, None) => s.push_str(&format!(
            "  PD_DISPATCH_FLOATING_AND_HALF_TYPES(paddle::DataType::FLOAT32, \"{name}\", ([&] {{ {call}; }}));\n"
        )),
        (false, _) => s.push_str(&format!("  {call};\n")),
    }
    let outs: Vec<String> = outputs.iter().map(|p| var(p)).collect();
    s.push_str(&format!("  return {{{}}};\n}}\n\n", outs.join(", ")));

    // Shape and dtype inference.
    let shape_args: Vec<String> = inputs
        .iter()
        .map(|p| format!("const std::vector<int64_t>& {}_shape", p.name))
        .collect();
    s.push_str(&format!(
        "std::vector<std::vector<int64_t>> {camel}InferShape({}) {{\n",
        shape_args.join(", ")
    ));
    let shapes: Vec<String> = outputs
        .iter()
        .map(|p| match (p.read, lead) {
            (true, _) => format!("{}_shape", p.name),
            (false, Some(l)) => format!("{}_shape", l.name),
            (false, None) => "std::vector<int64_t>{1}".into(),
        })
        .collect();
    s.push_str(&format!("  return {{{}}};\n}}\n\n", shapes.join(", ")));
    let dtype_args: Vec<String> = inputs
        .iter()
        .map(|p| format!("const paddle::DataType& {}_dtype", p.name))
        .collect();
    s.push_str(&format!(
        "std::vector<paddle::DataType> {camel}InferDtype({}) {{\n",
        dtype_args.join(", ")
    ));
    let dtypes: Vec<String> = outputs
        .iter()
        .map(|p| {
            if p.read {
                return format!("{}_dtype", p.name);
            }
            match (elem(&p.elem, spec).dtype, lead) {
                (Some(dt), _) => format!("paddle::DataType::{dt}"),
                (None, Some(l)) => format!("{}_dtype", l.name),
                (None, None) => "paddle::DataType::FLOAT32".into(),
            }
        })
        .collect();
    s.push_str(&format!("  return {{{}}};\n}}\n\n", dtypes.join(", ")));

    // Registration.
    let q = |v: Vec<String>| v.join(", ");
    s.push_str(&format!("PD_BUILD_OP({name})\n"));
    s.push_str(&format!(
        "    .Inputs({{{}}})\n",
        q(inputs
            .iter()
            .map(|p| format!("\"{}\"", quoted(&p.name)))
            .collect())
    ));
    s.push_str(&format!(
        "    .Outputs({{{}}})\n",
        q(outputs
            .iter()
            .map(|p| format!("\"{}_out\"", quoted(&p.name)))
            .collect())
    ));
    if !attrs.is_empty() {
        s.push_str(&format!(
            "    .Attrs({{{}}})\n",
            q(attrs
                .iter()
                .map(|(p, (t, _))| format!("\"{}: {t}\"", quoted(&p.name)))
                .collect())
        ));
    }
    s.push_str(&format!("    .SetKernelFn(PD_KERNEL({camel}Forward))\n"));
    s.push_str(&format!(
        "    .SetInferShapeFn(PD_INFER_SHAPE({camel}InferShape))\n"
    ));
    s.push_str(&format!(
        "    .SetInferDtypeFn(PD_INFER_DTYPE({camel}InferDtype));\n"
    ));
    let skipped: Vec<&Param> = spec
        .params
        .iter()
        .filter(|p| !p.pointer && attr(p, spec).is_none())
        .collect();
    if !skipped.is_empty() {
        s.push_str(&format!(
            "// TODO: {} cannot be op attributes (not bool/int/float/double/int64_t); build them in launch_{name}.\n",
            skipped.iter().map(|p| format!("{} ({})", p.name, p.elem)).collect::<Vec<_>>().join(", ")
        ));
    }
    s
}

fn out_dtype(p: &Param, spec: &KernelSpec, lead: Option<&Param>) -> String {
    match (elem(&p.elem, spec).dtype, lead) {
        (Some(dt), _) => format!("paddle::DataType::{dt}"),
        (None, Some(l)) => format!("{}.dtype()", l.name),
        (None, None) => "paddle::DataType::FLOAT32".into(),
    }
}

fn setup_py(spec: &KernelSpec) -> String {
    let name = &spec.name;
    let mut s = String::new();
    s.push_str(&format!(
        "# cuport scaffold: build the Paddle custom op `{name}` (from {}:{}).\n",
        spec.path, spec.line
    ));
    s.push_str("# Needs a CUDA build of paddlepaddle and nvcc:  python setup_");
    s.push_str(name);
    s.push_str(".py install\n");
    s.push_str(&format!(
        "# Then:  from {name}_ext import {name};  outs = {name}(<inputs…>, <attrs…>)\n"
    ));
    s.push_str("import paddle.utils.cpp_extension\n\n");
    s.push_str("paddle.utils.cpp_extension.setup(\n");
    s.push_str(&format!("    name=\"{}_ext\",\n", quoted(name)));
    s.push_str(&format!(
        "    ext_modules=paddle.utils.cpp_extension.CUDAExtension(sources=[\"{}_op.cu\"]),\n",
        quoted(name)
    ));
    s.push_str(")\n");
    s
}
