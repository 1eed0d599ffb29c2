//! Generated files: the committed completions and man page match
//! `--generate`.

use crate::util::kaq;

#[test]
fn committed_completions_and_man_page_are_current() {
    use clap::ValueEnum;
    for (kind, file) in kaq::cli::generate::Generate::ALL {
        let name = kind.to_possible_value().unwrap().get_name().to_string();
        let r = kaq(&["--generate", &name]);
        assert_eq!(r.code, 0, "{name}: {}", r.stderr);
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            r.stdout == committed,
            "{file} is stale: regenerate it with `cargo run -- --generate {name} > {file}` (README: Completions and man page)"
        );
    }
}
