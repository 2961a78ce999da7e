//! Criterion benchmarks of evidence bundles: `logseal bundle verify` of a 100-record bundle
//! (the synthetic bundle of `logseal::bundle::vectors::synthetic`, every record signed and
//! proven, a disclosure each), in process (decode + verify) and as the whole command with
//! process start, the target of issue 16 being under 50 ms wall for the latter.
//!
//! Run: `cargo bench --bench bundle` (build with `--release` semantics, as cargo bench does).

use std::hint::black_box;
use std::path::PathBuf;
use std::process::Command;

use criterion::Criterion;

use logseal::bundle::{self, Bundle, vectors};
use logseal::verify::Trust;

const RECORDS: u64 = 100;

fn files() -> (PathBuf, PathBuf) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bundle-bench");
    std::fs::create_dir_all(&dir).unwrap();
    let b = vectors::synthetic(RECORDS).unwrap();
    std::fs::write(dir.join("b100.lsb"), b.encode()).unwrap();
    std::fs::write(dir.join("trust.json"), vectors::trust_json()).unwrap();
    (dir.join("b100.lsb"), dir.join("trust.json"))
}

fn main() {
    let (file, trust_file) = files();
    let bytes = std::fs::read(&file).unwrap();
    let trust = Trust::from_json(&std::fs::read(&trust_file).unwrap()).unwrap();
    let v = bundle::verify(&Bundle::decode(&bytes).unwrap(), &trust, None);
    assert!(v.integrity_holds() && v.records.len() == RECORDS as usize);
    let mut c = Criterion::default().configure_from_args();
    c.bench_function("bundle verify 100 records, in process", |b| {
        b.iter(|| {
            let bundle = Bundle::decode(black_box(&bytes)).unwrap();
            black_box(bundle::verify(&bundle, &trust, None))
        })
    });
    c.bench_function(
        "logseal bundle verify 100 records, process start included",
        |b| {
            b.iter(|| {
                let o = Command::new(env!("CARGO_BIN_EXE_logseal"))
                    .args(["bundle", "verify"])
                    .arg(&file)
                    .arg("--trust")
                    .arg(&trust_file)
                    .output()
                    .unwrap();
                assert_eq!(o.status.code(), Some(0));
            })
        },
    );
    c.final_summary();
}
