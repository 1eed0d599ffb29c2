#!/usr/bin/env bash
# Decode speed of flate2's gzip backends on one file, one stream, one core:
# the numbers behind kaq's choice of zlib-rs (Cargo.toml).
#
#   bench/inflate-backends.sh FILE.gz [RUNS]
#
# Builds a throwaway crate in a temporary directory for each backend, as
# kaq depends on flate2 (default features on: they turn on zlib-rs's CPU
# feature detection; without them it decodes at about half speed), and
# prints each run. libdeflate's time includes faulting in its output buffer. zlib-ng needs cmake and a C compiler (skipped without
# cmake); libdeflate decodes the whole file into one buffer (it cannot
# stream), so it is a reference, not a candidate.
set -euo pipefail
GZ=$(realpath "$1") RUNS=${2:-3}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
cat > Cargo.toml <<'TOML'
[package]
name = "inflate"
version = "0.1.0"
edition = "2021"

[features]
zlib-rs = ["flate2/zlib-rs"]
zlib-ng = ["flate2/zlib-ng"]
miniz_oxide = []

[dependencies]
flate2 = "1"
libdeflater = { version = "1", optional = true }

[profile.release]
lto = "fat"
codegen-units = 1
TOML
mkdir src
cat > src/main.rs <<'RS'
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let data = std::fs::read(&args[1]).expect("read the gzip file");
    let t = Instant::now();
    let total: usize;
    #[cfg(feature = "libdeflater")]
    {
        let size = u32::from_le_bytes(data[data.len() - 4..].try_into().unwrap()) as usize;
        let mut out = vec![0u8; size];
        total = libdeflater::Decompressor::new()
            .gzip_decompress(&data, &mut out)
            .expect("one gzip member under 4 GiB");
    }
    #[cfg(not(feature = "libdeflater"))]
    {
        // As kaq reads a gzip stream: MultiGzDecoder into 1 MiB reads.
        use std::io::Read;
        let mut gz = flate2::bufread::MultiGzDecoder::new(&data[..]);
        let mut buf = vec![0u8; 1 << 20];
        let mut n = 0;
        loop {
            match gz.read(&mut buf).expect("a valid gzip file") {
                0 => break,
                got => n += got,
            }
        }
        total = n;
    }
    let s = t.elapsed().as_secs_f64();
    println!("{:<12} {:.3} s  {:.2} GB/s", args[2], s, total as f64 / s / 1e9);
}
RS
backends="zlib-rs miniz_oxide libdeflater"
command -v cmake >/dev/null && backends="zlib-rs zlib-ng miniz_oxide libdeflater"
for b in $backends; do
  cargo build --release --quiet --features "$b"
  cp target/release/inflate "inflate-$b"
done
for _ in $(seq "$RUNS"); do
  for b in $backends; do "./inflate-$b" "$GZ" "$b"; done
done
