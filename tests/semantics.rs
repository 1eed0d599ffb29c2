//! Computed fields, group-bys and numbers mean what a reader of the log would
//! say they mean. The events are in `testdata/semantics/slips.log` (see
//! `testdata/README.md`); each test is named after the slip it pins.

use crate::util::{data, kaq};

fn slips() -> String {
    data("semantics/slips.log")
}

/// The auditIDs of the events matching `filter`, as `-o csv` prints them.
fn matching(filter: &str) -> Vec<String> {
    let r = kaq(&["-o", "csv", "--columns", "auditID", filter, &slips()]);
    assert!(r.code == 0 || r.code == 1, "{filter}: {r:?}");
    r.lines().into_iter().skip(1).map(str::to_string).collect()
}

#[test]
fn impersonator_is_missing_when_impersonated_user_is_null() {
    // slip-01 carries "impersonatedUser": null; slip-02 impersonates bob.
    assert_eq!(matching("exists(impersonator)"), ["slip-02"]);
    assert_eq!(matching(r#"impersonator == "alice""#), ["slip-02"]);
    assert_eq!(matching(r#"actor == "bob""#), ["slip-02"]);
    let r = kaq(&[
        "-o",
        "csv",
        "--columns",
        "auditID,user",
        "auditID == \"slip-01\"",
        &slips(),
    ]);
    assert_eq!(r.lines(), ["auditID,user", "slip-01,alice"]);
}
