//! Output formats. Each consumes the same sorted scan report and writes to a `Write`.

pub mod diff;
pub mod github;
pub mod gitlab;
pub mod history;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod metrics;
pub mod sarif;
pub mod text;
