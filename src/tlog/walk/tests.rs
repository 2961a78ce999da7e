use std::collections::HashMap;

use super::*;
use crate::tiles::{encode_entry_bundle, tile_data, tiles_for_size};
use crate::tree::{MemoryHashStore, Sha256};

/// A log of `size` small entries laid out as served, in memory.
struct Mem {
    files: HashMap<String, Vec<u8>>,
    root: Hash,
}

impl Source for Mem {
    fn checkpoint(&self) -> Result<Option<Vec<u8>>, SourceError> {
        Ok(self.files.get("checkpoint").cloned())
    }
    fn tile(&self, tile: TileId) -> Result<Option<Vec<u8>>, SourceError> {
        Ok(self.files.get(&tile.path()).cloned())
    }
    fn entries(&self, bundle: EntryBundleId) -> Result<Option<Vec<u8>>, SourceError> {
        Ok(self.files.get(&bundle.path()).cloned())
    }
}

fn entry(i: u64) -> Vec<u8> {
    format!("e{i}").into_bytes()
}

fn log(size: u64) -> Mem {
    let mut store = MemoryHashStore::<Sha256>::new();
    let mut files = HashMap::new();
    for k in 0..size.div_ceil(WIDTH) {
        let end = ((k + 1) * WIDTH).min(size);
        let entries: Vec<Vec<u8>> = (k * WIDTH..end).map(entry).collect();
        for e in &entries {
            store.append(e).unwrap();
        }
        let id = EntryBundleId::new(k, (end - k * WIDTH) as u16).unwrap();
        files.insert(id.path(), encode_entry_bundle(&entries).unwrap());
    }
    for t in tiles_for_size(size) {
        files.insert(t.path(), tile_data(t, &store).unwrap());
    }
    Mem {
        files,
        root: store.root(),
    }
}

fn codes(w: &Walked) -> Vec<&'static str> {
    w.findings.iter().map(|f| f.code).collect()
}

#[test]
fn honest_logs_hold_and_every_tile_is_read() {
    for size in [0, 1, 255, 256, 257, 512, 65_536, 70_000] {
        let m = log(size);
        let w = walk(&m, size, m.root, None).unwrap();
        assert!(w.findings.is_empty(), "size {size}: {:?}", w.findings);
        assert!(w.complete);
        assert_eq!(w.entries_checked, size);
        assert_eq!(
            w.tiles_checked,
            tiles_for_size(size).len() as u64,
            "size {size}"
        );
    }
}

#[test]
fn a_smaller_checkpoint_is_read_from_full_tiles_and_bundles() {
    // The log grew from 300 to 512 and deleted its level-0 partial tile and bundle of size
    // 300; it kept the level-1 one (no full level-1 tile exists yet).
    let mut m = log(512);
    let small = log(300);
    m.files.insert(
        "tile/1/000.p/1".into(),
        small.files["tile/1/000.p/1"].clone(),
    );
    assert!(!m.files.contains_key("tile/0/001.p/44"));
    let w = walk(&m, 300, small.root, None).unwrap();
    assert!(w.findings.is_empty(), "{:?}", w.findings);
    assert_eq!(w.entries_checked, 300);
}

#[test]
fn each_tampering_has_its_code() {
    let size = 70_000;
    let base = log(size);
    type Tamper = Box<dyn Fn(&mut Mem)>;
    let cases: Vec<(&str, Tamper, Vec<&str>)> = vec![
        (
            "level-0 tile",
            Box::new(|m| m.files.get_mut("tile/0/100").unwrap()[40] ^= 1),
            vec!["tlog-tile-mismatch"],
        ),
        (
            "level-1 partial tile",
            Box::new(|m| m.files.get_mut("tile/1/001.p/17").unwrap()[0] ^= 1),
            vec!["tlog-tile-mismatch"],
        ),
        (
            "level-2 partial tile",
            Box::new(|m| m.files.get_mut("tile/2/000.p/1").unwrap()[31] ^= 1),
            vec!["tlog-tile-mismatch"],
        ),
        (
            "entry",
            Box::new(|m| {
                *m.files
                    .get_mut("tile/entries/005")
                    .unwrap()
                    .last_mut()
                    .unwrap() ^= 1
            }),
            // The recomputed hashes differ at every level above it, up to the root.
            vec![
                "tlog-tile-mismatch",
                "tlog-tile-mismatch",
                "tlog-tile-mismatch",
                "tlog-root-mismatch",
            ],
        ),
        (
            "bundle length",
            Box::new(|m| m.files.get_mut("tile/entries/005").unwrap()[1] ^= 1),
            vec!["tlog-bundle-malformed"],
        ),
        (
            "missing tile",
            Box::new(|m| drop(m.files.remove("tile/0/273.p/112"))),
            vec!["tlog-tile-missing"],
        ),
        (
            "missing bundle and tile",
            Box::new(|m| {
                m.files.remove("tile/0/007");
                m.files.remove("tile/entries/007");
            }),
            vec![
                "tlog-bundle-missing",
                "tlog-tile-missing",
                "tlog-walk-stopped",
            ],
        ),
    ];
    for (what, tamper, want) in cases {
        let mut m = Mem {
            files: base.files.clone(),
            root: base.root,
        };
        tamper(&mut m);
        let w = walk(&m, size, m.root, None).unwrap();
        assert_eq!(codes(&w), want, "{what}");
    }
    let mut wrong = base.root;
    wrong[0] ^= 1;
    assert_eq!(
        codes(&walk(&base, size, wrong, None).unwrap()),
        ["tlog-root-mismatch"]
    );
}

#[test]
fn the_state_is_checked_at_its_size() {
    let m = log(1000);
    let mut at = MemoryHashStore::<Sha256>::new();
    for i in 0..700 {
        at.append(&entry(i)).unwrap();
    }
    let good = Earlier {
        size: 700,
        root: at.root(),
    };
    assert!(
        walk(&m, 1000, m.root, Some(good))
            .unwrap()
            .findings
            .is_empty()
    );
    let mut bad = good;
    bad.root[3] ^= 1;
    assert_eq!(
        codes(&walk(&m, 1000, m.root, Some(bad)).unwrap()),
        ["tlog-state-inconsistent"]
    );
    let ahead = Earlier {
        size: 1001,
        root: at.root(),
    };
    assert_eq!(
        codes(&walk(&m, 1000, m.root, Some(ahead)).unwrap()),
        ["tlog-state-rollback"]
    );
    let zero = Earlier {
        size: 0,
        root: ALG.empty(),
    };
    assert!(
        walk(&m, 1000, m.root, Some(zero))
            .unwrap()
            .findings
            .is_empty()
    );
}
