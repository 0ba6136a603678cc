//! Turning matches into edits for one target, and applying them with annotations.

pub mod annotate;
pub mod apply;
pub mod guard;
pub mod plan;
pub mod project;

pub use plan::{context_facts, file_facts, plan_file, FilePlan, PlanOptions};
