//! Output formats. Each consumes the same sorted scan report and writes to a `Write`.

pub mod diff;
pub mod json;
pub mod text;
