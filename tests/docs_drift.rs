//! The generated rule reference in docs/rules matches the catalog (run `cargo run -- generate-docs` to refresh).

mod common;
use common::*;

#[test]
fn generated_rule_reference_is_up_to_date() {
    let catalog = cuport::catalog::Catalog::builtin().unwrap();
    let pages = cuport::docs::render(&catalog);
    let dir = repo().join("docs/rules");
    let mut stale = Vec::new();
    for (name, text) in &pages {
        let on_disk = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
        if &on_disk != text {
            stale.push(name.clone());
        }
    }
    let extra: Vec<String> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !pages.contains_key(n))
                .collect()
        })
        .unwrap_or_default();
    assert!(
        stale.is_empty() && extra.is_empty(),
        "docs/rules is stale (changed: {stale:?}, not generated: {extra:?}); run `cargo run -- generate-docs`"
    );
}
