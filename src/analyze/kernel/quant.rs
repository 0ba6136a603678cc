//! Quantisation and dequantisation, read from types, rounding and bit operations (never from
//! names a project chooses): a kernel that writes 8-bit (or fp8) values it rounds from scaled
//! floats quantises; one that unpacks integers it reads (shifts and nibble/byte masks, integer
//! to float conversions) and multiplies them by a scale into floating-point output dequantises.

use super::features::Ev;
use super::seen::{Seen, Verdict};
use crate::parse::NodeExt;

/// Element types of quantised data (8-bit integers, fp8).
const NARROW: &[&str] = &[
    "int8_t",
    "uint8_t",
    "int8",
    "uint8",
    "char",
    "__nv_fp8_e4m3",
    "__nv_fp8_e5m2",
    "__nv_fp8x2_e4m3",
    "__nv_fp8x4_e4m3",
    "Float8_e4m3fn",
    "Float8_e5m2",
];
/// Integer element types packed weights are read as.
const PACKED: &[&str] = &[
    "int8_t", "uint8_t", "int8", "uint8", "char", "int32_t", "uint32_t", "int", "unsigned",
    "uint16_t", "int16_t", "uint", "uint4", "int4", "uint2", "void",
];
/// Calls that round a float to an integer (or saturate to an 8-bit format).
const ROUNDING: &[&str] = &[
    "roundf",
    "rintf",
    "nearbyintf",
    "lrintf",
    "lroundf",
    "round",
    "rint",
    "nearbyint",
    "__float2int_rn",
    "__float2uint_rn",
    "__half2int_rn",
    "__float2int_rd",
    "__nv_cvt_float_to_fp8",
    "__nv_cvt_float2_to_fp8x2",
    "__nv_cvt_halfraw_to_fp8",
];
/// The largest magnitude of a quantised format: int8, uint8, fp8 e4m3 and e5m2.
const RANGES: &[&str] = &["127", "255", "448", "57344", "128"];
/// Masks that pick a nibble, a byte or packed pairs of them.
const MASKS: &[&str] = &[
    "0xf",
    "0xff",
    "15",
    "255",
    "0x0f",
    "0x0f0f0f0f",
    "0x000f000f",
    "0x00ff00ff",
    "0xf0",
    "0x3",
    "0x7",
];
/// Integer to floating-point conversions of unpacked values.
const WIDENING: &[&str] = &[
    "__int2half_rn",
    "__int2float_rn",
    "__uint2float_rn",
    "__short2half_rn",
    "__ushort2half_rn",
    "__uint2half_rn",
    "__int2bfloat16_rn",
    "__byte_perm",
    "__int_as_float",
];
/// Multiplications written as calls.
const MULTIPLY: &[&str] = &[
    "__hmul",
    "__hmul2",
    "__hfma",
    "__hfma2",
    "fmaf",
    "fma",
    "__fmul_rn",
];

/// What the quantisation reading found.
#[derive(Debug, Default)]
pub(super) struct Quant {
    /// A written pointer parameter of a narrow type.
    narrow_param: Option<String>,
    /// A conversion to a narrow type inside the body (a cast, a reference, inline assembly).
    narrow_cast: Option<String>,
    rounding: Option<String>,
    range: Option<String>,
    absmax: bool,
    packed_input: Option<String>,
    unpack: Option<String>,
    /// The unpacking masks or shifts were seen only in a helper lent from another file (a bf16
    /// widening `bits << 16` there reads like unpacking too): not enough to state the label.
    unpack_lent: bool,
    multiply: bool,
    float_output: bool,
    /// Exponentials: softmax-like arithmetic, which quantisation never does.
    exponential: bool,
}

/// Does the type text name one of these element types as a whole word?
fn names_type(ty: &str, types: &[&'static str]) -> Option<&'static str> {
    let words: Vec<&str> = ty
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .collect();
    types
        .iter()
        .find(|t| words.iter().any(|w| w == *t))
        .copied()
}

/// The declared type of a parameter, as written.
/// A number literal's value text, lower-case, without float/unsigned suffixes and `.0`.
fn literal(text: &str) -> String {
    let t = text.to_ascii_lowercase();
    let t = if t.starts_with("0x") {
        t.trim_end_matches(['u', 'l']).to_string()
    } else {
        t.trim_end_matches(['f', 'u', 'l']).to_string()
    };
    t.strip_suffix(".0")
        .or_else(|| t.strip_suffix('.'))
        .unwrap_or(&t)
        .to_string()
}

fn quant(k: &Seen) -> Quant {
    let f = k.f;
    let cite = |at: &super::facts::Site, what: String| k.cite(&Ev::new(at, String::new()), &what);
    let mut q = Quant::default();
    for l in f.locals.iter().filter(|l| l.param && l.pointer) {
        let ty = super::facts::declared_type(f, l);
        if l.read_only {
            if q.packed_input.is_none() && names_type(ty, PACKED).is_some() {
                q.packed_input = Some(format!("`{}` reads {ty}", l.name));
            }
        } else if let Some(t) = names_type(ty, NARROW) {
            q.narrow_param
                .get_or_insert_with(|| format!("`{}` holds {t}", l.name));
        } else if names_type(ty, PACKED).is_none() {
            q.float_output = true;
        }
    }
    // Casts and lambda parameters to a narrow type inside the bodies (`static_cast<int8_t>`,
    // `[&](int8_t& dst, …)`), and saturating conversions in inline assembly.
    for body in f.bodies.iter().flatten() {
        let text = f.src.text(*body);
        if q.narrow_cast.is_none() {
            for t in NARROW {
                if text.contains(&format!("<{t}>")) || text.contains(&format!("({t})")) {
                    q.narrow_cast = Some(format!("converts to {t}"));
                    break;
                }
                // A lambda's `int8_t& dst` is written like a narrow parameter.
                if text.contains(&format!("{t}& ")) || text.contains(&format!("{t} &")) {
                    q.narrow_param
                        .get_or_insert_with(|| format!("writes through a {t} reference"));
                    break;
                }
            }
        }
        if q.narrow_cast.is_none()
            && (text.contains("cvt.rni.sat.s8") || text.contains(".satfinite.e4m3"))
        {
            q.narrow_cast = Some("saturating conversion to 8 bits in inline assembly".into());
        }
        if q.range.is_none() {
            let mut numbers = text
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '.'))
                .filter(|w| w.starts_with(|c: char| c.is_ascii_digit()));
            if let Some(r) = numbers.find(|w| RANGES.contains(&literal(w).as_str())) {
                q.range = Some(format!("bounds values by the range {}", literal(r)));
            }
        }
        if q.unpack.is_none() && text.contains("lop3.b32") {
            q.unpack = Some("unpacks bits with lop3 in inline assembly".into());
            q.multiply |= text.contains("fma.rn.f16x2") || text.contains("mul.rn");
        }
    }
    let mut abs = false;
    let mut max = false;
    for c in &f.calls {
        if q.rounding.is_none() && ROUNDING.contains(&c.name) {
            q.rounding = Some(cite(&c.site, format!("rounds with {}", c.name)));
        }
        if q.unpack.is_none() && WIDENING.contains(&c.name) {
            q.unpack = Some(cite(&c.site, format!("widens integers with {}", c.name)));
        }
        abs |= matches!(c.name, "fabsf" | "fabs" | "abs" | "__habs" | "__habs2");
        max |= matches!(c.name, "fmaxf" | "fmax" | "max" | "__hmax" | "__hmax2");
        q.multiply |= MULTIPLY.contains(&c.name);
        q.exponential |= matches!(
            c.name,
            "expf" | "__expf" | "exp" | "exp2f" | "__exp2f" | "exp2"
        );
    }
    q.absmax = abs && max;
    for b in &f.binops {
        let op = b.node.field("operator").map_or("", |o| f.src.text(o));
        let right = b.node.field("right").map(|r| f.src.text(r)).unwrap_or("");
        let left = b.node.field("left").map(|r| f.src.text(r)).unwrap_or("");
        match op {
            "*" | "/" => {
                q.multiply = true;
                if q.range.is_none() {
                    let lit = [literal(left), literal(right)];
                    if let Some(r) = lit.iter().find(|l| RANGES.contains(&l.as_str())) {
                        q.range = Some(format!("scales by the range {r}"));
                    }
                }
            }
            "&" | ">>" if q.unpack.is_none() => {
                let masked = op == "&" && MASKS.contains(&literal(right).as_str());
                // A shift by whole nibbles or bytes (`>> 4`, `>> (i * 4)`, `>> 8 * j`).
                let nibbles = op == ">>"
                    && (["4", "8", "12", "16", "24"].contains(&literal(right).as_str())
                        || right.replace(' ', "").contains("*4")
                        || right.replace(' ', "").contains("4*"));
                // An address tested for alignment (`(uintptr_t)p & 15`) unpacks nothing.
                let address = ["uintptr_t", "size_t", "intptr_t"]
                    .iter()
                    .any(|t| left.contains(t));
                if (masked || nibbles) && !address {
                    let what = format!("unpacks bits with `{}`", f.src.text(b.node));
                    q.unpack = Some(cite(b, what));
                    q.unpack_lent = b.node.start_byte() >= f.lent_at;
                }
            }
            _ => {}
        }
    }
    q
}

impl Seen<'_, '_> {
    /// Quantise (round scaled floats into 8-bit values) or dequantise (unpack integers and
    /// scale them into floats). A multiply-accumulate over them is a quantised GEMM instead.
    pub(super) fn quantization(&self) -> Option<Verdict> {
        if !self.a.macs.is_empty() || self.a.exp_diff.is_some() {
            return None;
        }
        let q = quant(self);
        if q.exponential {
            return None;
        }
        if let (Some(input), Some(_)) = (&q.packed_input, &q.unpack) {
            if q.multiply && q.float_output && q.narrow_param.is_none() {
                let mut ev = vec![input.clone()];
                ev.extend(q.unpack.clone());
                ev.push("multiplies the unpacked values into floating-point output".into());
                // Integers unpacked and widened, then scaled: more than the product a
                // pointwise reading finds.
                let conf = if q.unpack_lent { 0.8 } else { 0.9 };
                return Some(("dequantize", conf, ev));
            }
        }
        // Stored into a narrow parameter after rounding or bounding to its range, or converted
        // to a narrow type after rounding; a narrowing cast alone is a bit manipulation.
        let narrow = match (&q.narrow_param, &q.narrow_cast) {
            (Some(p), _) if q.rounding.is_some() || q.range.is_some() => p,
            (_, Some(c)) if q.rounding.is_some() => c,
            _ => return None,
        };
        let mut ev = vec![narrow.clone()];
        ev.extend(q.rounding.clone());
        ev.extend(q.range.clone());
        if q.absmax {
            ev.push("the scale comes from an absolute maximum (fabs, max)".into());
        }
        // Rounding into a quantised range explains more than the clamp or scale a pointwise
        // reading finds in the same store.
        let conf = if q.rounding.is_some() && q.range.is_some() {
            0.9
        } else if q.absmax {
            0.85
        } else {
            0.8
        };
        Some(("quantize", conf, ev))
    }
}
