//! Fuzz floor: inputs that once crashed a fuzz target, and a bounded
//! property pass over mutated inputs and filters.

use crate::util::data;

/// Inputs that once crashed a fuzz target, named `<target>-<what broke>`.
#[test]
fn fuzz_regressions_stay_fixed() {
    let mut n = 0;
    for entry in std::fs::read_dir(data("fuzz-regressions")).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.starts_with("filter-") {
            kaq::fuzzing::filter_against_event(&bytes);
        } else {
            kaq::fuzzing::scan_bytes(&bytes);
        }
        n += 1;
    }
    assert!(n > 0);
}

/// Every testdata file, plus bounded random mutations of them, goes through
/// the same invariant checks as the fuzz targets in fuzz/ (see README).
#[test]
fn property_pass_over_mutated_inputs_and_filters() {
    let mut seeds: Vec<Vec<u8>> = Vec::new();
    for dir in [
        "handmade",
        "handmade/rotated",
        "real/falcosecurity__falco",
        "real/liggitt__audit2rbac",
        "real/sysdiglabs__aks-audit-log",
    ] {
        for entry in std::fs::read_dir(data(dir)).unwrap() {
            let p = entry.unwrap().path();
            if p.is_file() {
                seeds.push(std::fs::read(p).unwrap());
            }
        }
    }
    let filters = [
        r#"verb == "delete" and resource == "secrets""#,
        r#"any(requestObject.rules[*], "pods/exec" in resources and "create" in verbs)"#,
        r#"user ~ "system:*" or code >= 400 and not exists(impersonatedUser)"#,
        r#"latency > 5s or exec.command contains "sh" or time < "2024-01-01T00:00:00Z""#,
    ];
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move |m: usize| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % m.max(1) as u64) as usize
    };
    for seed in &seeds {
        kaq::fuzzing::scan_bytes(seed);
        for _ in 0..20 {
            let mut m = seed.clone();
            for _ in 0..1 + next(8) {
                if m.is_empty() {
                    break;
                }
                let i = next(m.len());
                match next(4) {
                    0 => m[i] = next(256) as u8,
                    1 => {
                        m.remove(i);
                    }
                    2 => {
                        let specials = b"{}[],:\"\\\n\x00\xff";
                        m.insert(i, specials[next(specials.len())]);
                    }
                    _ => m.truncate(i),
                }
            }
            kaq::fuzzing::scan_bytes(&m);
            let f = filters[next(filters.len())].as_bytes();
            let mut fm = f.to_vec();
            let i = next(fm.len());
            let specials = b"()[]\"=!~.*, 0a";
            fm[i] = specials[next(specials.len())];
            for filter in [f, &fm[..]] {
                let mut input = filter.to_vec();
                input.push(0xFF);
                input.extend_from_slice(&m[..m.len().min(4096)]);
                kaq::fuzzing::filter_against_event(&input);
            }
        }
    }
}
