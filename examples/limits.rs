//! What the hardware allows, for the benchmark to compare kaq against:
//!
//! ```text
//! limits scan FILE LITERAL [THREADS]   # memmem over a memory-mapped file
//! limits inflate FILE.gz               # decode with kaq's own gzip build
//! ```
//!
//! `scan` splits the file at line ends into one part per thread and counts
//! the lines that hold LITERAL, searching the bytes for it directly (lines
//! without it are never looked at): the floor for a query whose literal
//! prefilter rejects nearly every line. `inflate` decodes a gzip file
//! through the same flate2 backend and buffer kaq uses, writing nothing:
//! the floor for any query over that file.

use std::io::Read;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["scan", file, literal, rest @ ..] => {
            let threads = rest
                .first()
                .map(|t| t.parse().expect("THREADS is a number"))
                .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
            println!("{}", scan(file, literal, threads));
        }
        ["inflate", file] => println!("{}", inflate(file)),
        _ => {
            eprintln!("usage: limits scan FILE LITERAL [THREADS] | limits inflate FILE.gz");
            std::process::exit(2);
        }
    }
}

fn scan(file: &str, literal: &str, threads: usize) -> usize {
    let f = std::fs::File::open(file).expect("open");
    // SAFETY: the benchmark's file is not modified while it is read.
    let map = unsafe { memmap2::Mmap::map(&f) }.expect("mmap");
    // As kaq maps files.
    let _ = map.advise(memmap2::Advice::Sequential);
    let data: &[u8] = &map;
    // Cut at line ends, one part per thread.
    let mut cuts = vec![0];
    for t in 1..threads {
        let at = (data.len() * t / threads).max(*cuts.last().expect("a cut"));
        let end = memchr::memchr(b'\n', &data[at..]).map_or(data.len(), |i| at + i + 1);
        cuts.push(end);
    }
    cuts.push(data.len());
    let finder = memchr::memmem::Finder::new(literal.as_bytes());
    std::thread::scope(|s| {
        let parts: Vec<_> = cuts
            .windows(2)
            .map(|w| {
                let part = &data[w[0]..w[1]];
                let finder = &finder;
                s.spawn(move || {
                    let mut lines = 0;
                    let mut at = 0;
                    while let Some(i) = finder.find(&part[at..]) {
                        lines += 1;
                        // Count the line once: go on past its end.
                        at = memchr::memchr(b'\n', &part[at + i..])
                            .map_or(part.len(), |j| at + i + j + 1);
                    }
                    lines
                })
            })
            .collect();
        parts.into_iter().map(|p| p.join().expect("thread")).sum()
    })
}

fn inflate(file: &str) -> u64 {
    let f = std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(file).expect("open"));
    let mut gz = flate2::bufread::MultiGzDecoder::new(f);
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = gz.read(&mut buf).expect("a valid gzip file");
        if n == 0 {
            return total;
        }
        total += n as u64;
    }
}
