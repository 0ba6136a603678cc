//! The arithmetic features of one kernel, in one record: what `accum.rs` finds in assignments
//! (accumulations across loop iterations) and what `stats.rs` finds in calls, operators and
//! locals (math calls, centring, moving averages, padding checks, index decomposition,
//! atomics). A type-only module, so the two that fill it do not import each other.

use super::features::Ev;

/// An atomic read-modify-write.
#[derive(Clone, Debug)]
pub struct Atomic {
    pub ev: Ev,
    /// The address depends on loaded data (a histogram bin, a scatter index).
    pub data_index: bool,
    /// Adds a constant (counting).
    pub constant: bool,
    /// Adds loaded data.
    pub loaded_value: bool,
    /// The target is a single location (`atomicAdd(total, v)`).
    pub scalar: bool,
    /// Accumulates (add/sub/inc), as opposed to CAS, exchange, min/max or bit operations.
    pub adds: bool,
}

/// Arithmetic features of a kernel.
#[derive(Default, Debug)]
pub struct Arith {
    pub accum_sum: Option<Ev>,
    pub accum_max: Option<Ev>,
    pub macs: Vec<Ev>,
    pub sumsq: Option<Ev>,
    pub welford: Option<Ev>,
    pub online: Option<Ev>,
    pub serial_scan: Option<Ev>,
    /// A sum over a loop that ends in memory: a per-thread accumulator stored after its loop,
    /// or `out[j] += x[i][j]` over a loop whose variable the output index does not name.
    pub stored_sum: Option<Ev>,
    /// `loss += (x - m - lse) * label[i]`: a computed term times a loaded weight, summed.
    pub weighted_sum: Option<Ev>,
    pub exp_diff: Option<Ev>,
    pub log: Option<Ev>,
    /// `log(p[target])`: the log-likelihood of a class picked by a loaded id.
    pub log_gather: Option<Ev>,
    pub inv_sqrt: Option<Ev>,
    pub sqrt: Option<Ev>,
    pub trig: Option<Ev>,
    pub pow: Option<Ev>,
    pub centering_computed: Option<Ev>,
    pub centering_loaded: Option<Ev>,
    pub emas: Vec<Ev>,
    pub ema_sq: Option<Ev>,
    pub padding: Option<Ev>,
    /// A padding check on a coordinate built from an output position and a window offset.
    pub window_coord: Option<Ev>,
    pub clipped: Option<Ev>,
    pub div_count: Option<Ev>,
    pub gather: Option<Ev>,
    pub atomics: Vec<Atomic>,
    pub insertion: Option<Ev>,
    pub decomposition: Option<Ev>,
    pub swapped_tile: Option<Ev>,
    pub random: Option<Ev>,
    pub random_cmp: Option<Ev>,
    pub min_calls: usize,
    pub max_calls: usize,
}
