//! The real engines the differential tests run beside kaq are there: under
//! `CI` a missing one fails here first, with the command that installs it.

use crate::util::engine_python;

#[test]
fn every_engine_of_the_differential_tests_imports() {
    for module in ["duckdb", "chdb", "pyspark", "sigma"] {
        if let Some(python) = engine_python(module) {
            assert!(python.exists(), "{}", python.display());
        }
    }
}
