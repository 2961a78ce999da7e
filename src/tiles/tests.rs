//! Tests of the tlog-tiles layout: spec examples, strict parsing, entry bundles, and cross-checks
//! against `tlog_tiles` (the Go sumdb/tlog port, which uses `tile/<H>/<L>/...` paths with the
//! height as an extra element and `data` for entries).

use super::*;
use crate::tree::{
    Blake3, MemoryHashStore, Sha256, TreeHash, consistency_proof, inclusion_proof,
    stored_hash_count, tree_hash,
};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashSet};

fn tlog_tile(t: TileId) -> tlog_tiles::Tile {
    tlog_tiles::Tile::new(8, t.level(), t.index(), u32::from(t.width()), false)
}

fn from_tlog(t: &tlog_tiles::Tile) -> TileId {
    assert_eq!(t.height(), 8);
    TileId::new(t.level(), t.level_index(), t.width() as u16).unwrap()
}

/// The C2SP path of a `tlog_tiles` tile: drop the height element, `data` becomes `entries`.
fn tlog_path_as_c2sp(t: &tlog_tiles::Tile) -> String {
    let p = t.path();
    let rest = p.strip_prefix("tile/8/").expect("height 8");
    match rest.strip_prefix("data/") {
        Some(r) => format!("tile/entries/{r}"),
        None => format!("tile/{rest}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Paths
// ---------------------------------------------------------------------------------------------

#[test]
fn spec_path_examples() {
    // "index 1234067 will be encoded as x001/x234/067"
    assert_eq!(
        tile_path(0, 1_234_067, 256).unwrap(),
        "tile/0/x001/x234/067"
    );
    assert_eq!(
        tile_path(4, 1_234_067, 1).unwrap(),
        "tile/4/x001/x234/067.p/1"
    );
    assert_eq!(tile_path(0, 0, 256).unwrap(), "tile/0/000");
    assert_eq!(tile_path(1, 5, 17).unwrap(), "tile/1/005.p/17");
    assert_eq!(tile_path(63, 999, 255).unwrap(), "tile/63/999.p/255");
    assert_eq!(tile_path(2, 1000, 256).unwrap(), "tile/2/x001/000");
    assert_eq!(
        tile_path(0, u64::MAX, 256).unwrap(),
        "tile/0/x018/x446/x744/x073/x709/x551/615"
    );
    assert_eq!(entries_path(0, 256).unwrap(), "tile/entries/000");
    assert_eq!(
        entries_path(1_234_067, 112).unwrap(),
        "tile/entries/x001/x234/067.p/112"
    );
    assert!(matches!(
        tile_path(0, 0, 0),
        Err(TileError::BadCoordinates { .. })
    ));
    assert!(matches!(
        tile_path(0, 0, 257),
        Err(TileError::BadCoordinates { .. })
    ));
    assert!(matches!(
        tile_path(64, 0, 1),
        Err(TileError::BadCoordinates { .. })
    ));
    assert!(entries_path(3, 0).is_err());
    assert_eq!(TileId::full(3, 7).to_string(), "tile/3/007");
    assert_eq!(EntryBundleId::full(7).to_string(), "tile/entries/007");
}

#[test]
fn paths_match_tlog_tiles_and_round_trip() {
    let indexes = [
        0u64,
        1,
        9,
        10,
        99,
        100,
        999,
        1000,
        1001,
        123_456,
        999_999,
        1_000_000,
        1_234_067,
        u64::from(u32::MAX),
        u64::MAX / 3,
        u64::MAX,
    ];
    for level in [0u8, 1, 2, 7, 8, 63] {
        for &index in &indexes {
            for width in [1u16, 2, 100, 255, 256] {
                let t = TileId::new(level, index, width).unwrap();
                assert_eq!(t.path(), tlog_path_as_c2sp(&tlog_tile(t)));
                assert_eq!(parse_tile_path(&t.path()), Ok(TilePath::Hash(t)));
                let back =
                    tlog_tiles::Tile::from_path(&t.path().replacen("tile/", "tile/8/", 1)).unwrap();
                assert_eq!(from_tlog(&back), t);
                if level == 0 {
                    let b = EntryBundleId::new(index, width).unwrap();
                    let mut data = tlog_tile(t);
                    data.set_is_data();
                    assert_eq!(b.path(), tlog_path_as_c2sp(&data));
                    assert_eq!(parse_tile_path(&b.path()), Ok(TilePath::Entries(b)));
                    assert_eq!(TilePath::Entries(b).path(), b.path());
                    assert_eq!(b.hash_tile(), t);
                }
            }
        }
    }
}

#[test]
fn parse_rejects_non_canonical_paths() {
    let cases: &[(&str, &str)] = &[
        ("", ""),
        ("tiles/0/000", "tiles"),
        ("/tile/0/000", ""),
        ("tile", "tile"),
        ("tile/", ""),
        ("tile/0", "tile/0"),
        ("tile/0/", ""),
        ("tile/00/000", "00"),
        ("tile/01/000", "01"),
        ("tile/+1/000", "+1"),
        ("tile/-1/000", "-1"),
        ("tile/64/000", "64"),
        ("tile/data/000", "data"),
        ("tile/8/0/000", "0"),
        ("tile/0/0", "0"),
        ("tile/0/00", "00"),
        ("tile/0/0000", "0000"),
        ("tile/0/1a3", "1a3"),
        ("tile/0/x001", "x001"),
        ("tile/0/001/002", "001"),
        ("tile/0/X001/002", "X001"),
        ("tile/0/x01/002", "x01"),
        ("tile/0/x000/002", "x000"),
        ("tile/0/x000/x001/002", "x000"),
        ("tile/0/000/", ""),
        ("tile/0//000", ""),
        ("tile/0/000.p", "000.p"),
        ("tile/0/000.p/", ""),
        ("tile/0/000.p/0", "0"),
        ("tile/0/000.p/256", "256"),
        ("tile/0/000.p/300", "300"),
        ("tile/0/000.p/07", "07"),
        ("tile/0/000.p/1x", "1x"),
        ("tile/0/000.p/1/2", "000.p"),
        ("tile/0/000.q/1", "000.q"),
        ("tile/0/x001.p/1/002", "x001.p"),
        ("tile/0/x018/x446/x744/x073/x709/x551/616", "616"),
        ("tile/0/x999/x999/x999/x999/x999/x999/x999/999", ""),
        ("tile/entries/00", "00"),
        ("tile/entries/000.p/256", "256"),
        ("tile/entries", "tile/entries"),
        ("tile/0/000 ", "000 "),
    ];
    for &(path, part) in cases {
        match parse_tile_path(path) {
            Err(TileError::BadPath {
                path: p,
                part: got,
                reason,
            }) => {
                assert_eq!(p, path);
                if !part.is_empty() {
                    assert_eq!(got, part, "{path:?}: {reason}");
                }
                let msg = parse_tile_path(path).unwrap_err().to_string();
                assert!(msg.contains(reason), "{msg}");
            }
            other => panic!("{path:?} accepted or wrong error: {other:?}"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Which tiles
// ---------------------------------------------------------------------------------------------

#[test]
fn spec_tree_size_examples() {
    // "a tree of size 70,000 will be represented by 273 full level 0 tiles, one partial level 0
    // tile of width 112, one full level 1 tile, one partial level 1 tile of width 17, and one
    // partial level 2 tile of width 1."
    let tiles = tiles_for_size(70_000);
    let mut want: Vec<TileId> = (0..273).map(|n| TileId::full(0, n)).collect();
    want.push(TileId::new(0, 273, 112).unwrap());
    want.push(TileId::full(1, 0));
    want.push(TileId::new(1, 1, 17).unwrap());
    want.push(TileId::new(2, 0, 1).unwrap());
    assert_eq!(tiles, want);
    assert_eq!(
        right_edge_tiles(70_000),
        vec![
            TileId::new(0, 273, 112).unwrap(),
            TileId::new(1, 1, 17).unwrap(),
            TileId::new(2, 0, 1).unwrap()
        ]
    );
    // "a tree of size 256 will be represented by a full level 0 tile and a partial level 1 tile
    // of width 1."
    assert_eq!(
        tiles_for_size(256),
        vec![TileId::full(0, 0), TileId::new(1, 0, 1).unwrap()]
    );
    assert_eq!(tiles_for_size(0), vec![]);
    assert_eq!(tiles_for_size(1), vec![TileId::new(0, 0, 1).unwrap()]);
    assert_eq!(new_tile_ids(0, 0).unwrap(), vec![]);
    assert_eq!(new_tile_ids(70_000, 70_000).unwrap(), vec![]);
    assert_eq!(new_tile_ids(0, 70_000).unwrap(), tiles);
    assert!(new_tile_ids(5, 4).is_err());
    assert!(matches!(
        new_tile_ids(0, MAX_TREE_SIZE + 1),
        Err(TreeError::TreeTooLarge { .. })
    ));
    // The partial width at level l is floor(s / 256^l) mod 256.
    for s in [
        1u64,
        255,
        256,
        257,
        65_535,
        65_536,
        16_777_217,
        1 << 40,
        MAX_TREE_SIZE,
    ] {
        for t in right_edge_tiles(s) {
            if !t.is_full() {
                let count = s >> (8 * u32::from(t.level()));
                assert_eq!(u64::from(t.width()), count % 256);
            }
        }
    }
}

#[test]
fn new_tile_ids_match_tlog_tiles() {
    let mut sizes: Vec<u64> = (0..600)
        .chain([1023, 1024, 1025, 4095, 4096, 4097, 5000])
        .collect();
    sizes.extend([
        65_535, 65_536, 65_537, 70_000, 16_777_215, 16_777_216, 49_516_517, 49_516_586,
    ]);
    for &old in &sizes {
        for &new in &sizes {
            if old > new || (new > 5000 && old < 5000 && old % 97 != 0) {
                continue;
            }
            let mine = new_tile_ids(old, new).unwrap();
            let theirs: Vec<TileId> = tlog_tiles::Tile::new_tiles(8, old, new)
                .iter()
                .map(from_tlog)
                .collect();
            assert_eq!(mine, theirs, "{old} -> {new}");
            let bundles = new_entry_bundle_ids(old, new).unwrap();
            let level0: Vec<_> = mine.iter().filter(|t| t.level() == 0).copied().collect();
            assert_eq!(
                bundles.iter().map(|b| b.hash_tile()).collect::<Vec<_>>(),
                level0
            );
        }
    }
}

#[test]
fn full_tiles_are_published_once_over_any_growth_sequence() {
    let mut seen_full = HashSet::new();
    let mut size = 0u64;
    let mut x = 12345u64;
    while size < 200_000 {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let step = match x % 4 {
            0 => 1,
            1 => x >> 60,
            2 => (x >> 40) % 300,
            _ => (x >> 40) % 5000,
        };
        let new = size + step;
        for t in new_tile_ids(size, new).unwrap() {
            if t.is_full() {
                assert!(seen_full.insert(t), "full tile {t} published twice");
            } else {
                assert_eq!(
                    Some(t),
                    right_edge_tiles(new)
                        .into_iter()
                        .find(|e| e.level() == t.level())
                );
            }
        }
        size = new;
    }
    let all_full: HashSet<TileId> = tiles_for_size(size)
        .into_iter()
        .filter(|t| t.is_full())
        .collect();
    assert_eq!(seen_full, all_full);
}

#[test]
fn tile_for_hash_matches_tlog_tiles_from_index() {
    for index in 0..stored_hash_count(5000) {
        let (level, n) = split_stored_hash_index(index);
        let (tile, range) = min_tile_for_hash(level, n);
        let theirs = tlog_tiles::Tile::from_index(8, index);
        assert_eq!(tile, from_tlog(&theirs), "index {index} = ({level},{n})");
        assert_eq!(range.end, usize::from(tile.width()));
        assert_eq!(range.len(), 1 << (level % 8));
        // In a tree of size 5000 the tile is widened to what exists.
        let (t, r) = tile_for_stored_index(index, 5000).unwrap();
        assert_eq!(r, range);
        assert_eq!((t.level(), t.index()), (tile.level(), tile.index()));
        assert!(t.width() >= tile.width());
        assert!(tiles_for_size(5000).contains(&t));
    }
    assert!(tile_for_stored_index(stored_hash_count(5000), 5000).is_err());
    assert!(tile_for_hash(1, 2, 5).is_err());
    assert!(tile_for_hash(1, 1, 4).is_ok());
    let (t, r) = tile_for_hash(8, 0, 256).unwrap();
    assert_eq!((t, r), (TileId::new(1, 0, 1).unwrap(), 0..1));
    let (t, r) = tile_for_hash(3, 33, 70_000).unwrap();
    assert_eq!((t, r), (TileId::full(0, 1), 8..16));
}

#[test]
fn tiles_for_hash_indexes_dedups() {
    let size = 70_000;
    let indexes = crate::tree::inclusion_proof_indexes(size, 12_345).unwrap();
    let tiles = tiles_for_hash_indexes(&indexes, size).unwrap();
    let mut sorted = tiles.clone();
    sorted.dedup();
    assert_eq!(tiles, sorted);
    assert!(tiles.len() <= 6, "{tiles:?}");
    let twice: Vec<u64> = indexes.iter().chain(indexes.iter()).copied().collect();
    assert_eq!(tiles_for_hash_indexes(&twice, size).unwrap(), tiles);
    assert!(tiles_for_hash_indexes(&[stored_hash_count(size)], size).is_err());
}

#[test]
fn entry_bundle_for_leaf_positions() {
    assert_eq!(
        entry_bundle_for_leaf(0, 1).unwrap(),
        (EntryBundleId::new(0, 1).unwrap(), 0)
    );
    assert_eq!(
        entry_bundle_for_leaf(300, 70_000).unwrap(),
        (EntryBundleId::full(1), 44)
    );
    assert_eq!(
        entry_bundle_for_leaf(69_999, 70_000).unwrap(),
        (EntryBundleId::new(273, 112).unwrap(), 111)
    );
    assert_eq!(
        EntryBundleId::new(273, 112).unwrap().leaf_range(),
        69_888..70_000
    );
    assert!(entry_bundle_for_leaf(5, 5).is_err());
}

// ---------------------------------------------------------------------------------------------
// Tile contents and the tile-backed reader
// ---------------------------------------------------------------------------------------------

struct TlogView<'a>(&'a [Hash]);

impl tlog_tiles::HashReader for TlogView<'_> {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<tlog_tiles::Hash>, tlog_tiles::Error> {
        indexes
            .iter()
            .map(|&i| {
                self.0
                    .get(i as usize)
                    .map(|h| tlog_tiles::Hash(*h))
                    .ok_or(tlog_tiles::Error::IndexesNotInTree)
            })
            .collect()
    }
}

/// A tile store keyed by path, as a static web server would hold it.
#[derive(Default)]
struct PathStore {
    files: BTreeMap<String, Vec<u8>>,
    fetches: RefCell<Vec<TileId>>,
}

impl PathStore {
    fn put(&mut self, path: String, data: Vec<u8>) {
        if let Some(old) = self.files.get(&path) {
            assert_eq!(old, &data, "{path} rewritten with different content");
        }
        self.files.insert(path, data);
    }
}

impl TileFetcher for &PathStore {
    fn read_tile(&self, tile: TileId) -> Result<Vec<u8>, TreeError> {
        self.fetches.borrow_mut().push(tile);
        self.files
            .get(&tile.path())
            .cloned()
            .ok_or_else(|| TreeError::Storage(format!("404 {}", tile.path())))
    }
}

impl tlog_tiles::TileReader for &PathStore {
    fn height(&self) -> u8 {
        8
    }
    fn read_tiles(&self, tiles: &[tlog_tiles::Tile]) -> Result<Vec<Vec<u8>>, tlog_tiles::Error> {
        tiles
            .iter()
            .map(|t| {
                self.files
                    .get(&tlog_path_as_c2sp(t))
                    .cloned()
                    .ok_or(tlog_tiles::Error::InvalidTile)
            })
            .collect()
    }
    fn save_tiles(&self, _: &[tlog_tiles::Tile], _: &[Vec<u8>]) {}
}

/// Grows a SHA-256 log to 5000 leaves in irregular batches, publishing tiles and entry bundles
/// at each checkpoint. Returns the store, the published files and the checkpoint sizes.
fn grow_log() -> (MemoryHashStore<Sha256>, PathStore, Vec<u64>, Vec<Vec<u8>>) {
    let mut store = MemoryHashStore::<Sha256>::new();
    let mut files = PathStore::default();
    let mut entries: Vec<Vec<u8>> = Vec::new();
    let mut checkpoints = Vec::new();
    let batches = [
        1u64, 1, 3, 250, 1, 1, 300, 255, 256, 257, 1000, 7, 1, 1664, 2,
    ];
    let mut size = 0;
    for (i, &b) in batches.iter().cycle().enumerate() {
        let new = (size + b).min(5000);
        for leaf in size..new {
            let data = format!("entry {leaf} {}", "x".repeat((leaf % 13) as usize)).into_bytes();
            store.append(&data).unwrap();
            entries.push(data);
        }
        for (tile, data) in new_tiles(size, new, &store).unwrap() {
            let theirs = tlog_tile(tile)
                .read_data(&TlogView(store.stored_hashes()))
                .unwrap();
            assert_eq!(data, theirs, "tile {tile} at size {new}");
            assert_eq!(data, tile_data(tile, &store).unwrap());
            files.put(tile.path(), data);
        }
        for bundle in new_entry_bundle_ids(size, new).unwrap() {
            let r = bundle.leaf_range();
            let data = encode_entry_bundle(&entries[r.start as usize..r.end as usize]).unwrap();
            files.put(bundle.path(), data);
        }
        size = new;
        checkpoints.push(size);
        if size == 5000 || i > 200 {
            break;
        }
    }
    assert_eq!(size, 5000);
    (store, files, checkpoints, entries)
}

#[test]
fn tiles_reproduce_roots_and_proofs_up_to_5000() {
    let (store, files, checkpoints, entries) = grow_log();
    let files_ref = &files;
    for &size in &checkpoints {
        let root = store.root_at(size).unwrap();
        let reader = TileHashReader::new(size, TreeHashAlg::Sha256, &files);
        assert_eq!(
            tree_hash::<Sha256, _>(size, &reader).unwrap(),
            root,
            "size {size}"
        );
        // tlog_tiles authenticates our tiles against the root while reading them.
        let tlog_reader = tlog_tiles::TileHashReader::new(size, tlog_tiles::Hash(root), &files_ref);
        assert_eq!(tlog_tiles::tree_hash(size, &tlog_reader).unwrap().0, root);
        for index in [0, size / 3, size / 2, size - 1] {
            let from_tiles = inclusion_proof::<Sha256, _>(size, index, &reader).unwrap();
            assert_eq!(from_tiles, store.inclusion_proof(size, index).unwrap());
            let theirs = tlog_tiles::prove_record(size, index, &tlog_reader).unwrap();
            assert_eq!(from_tiles, theirs.iter().map(|h| h.0).collect::<Vec<_>>());
            let leaf = Sha256::leaf(&entries[index as usize]);
            crate::tree::verify_inclusion::<Sha256>(index, size, &leaf, &from_tiles, &root)
                .unwrap();
        }
        for &old in checkpoints.iter().filter(|&&c| c <= size) {
            let p = consistency_proof::<Sha256, _>(old, size, &reader).unwrap();
            assert_eq!(p, store.consistency_proof(old, size).unwrap());
            crate::tree::verify_consistency::<Sha256>(
                old,
                size,
                &store.root_at(old).unwrap(),
                &root,
                &p,
            )
            .unwrap();
        }
    }
}

#[test]
fn entry_bundles_hash_to_level0_tiles() {
    let (_, files, checkpoints, entries) = grow_log();
    let size = *checkpoints.last().unwrap();
    for tile in tiles_at_level(0, size) {
        let bundle = EntryBundleId::new(tile.index(), tile.width()).unwrap();
        let decoded = decode_entry_bundle_for(bundle, &files.files[&bundle.path()]).unwrap();
        let r = bundle.leaf_range();
        assert_eq!(decoded, entries[r.start as usize..r.end as usize]);
        let hashes: Vec<u8> = decoded.iter().flat_map(|e| Sha256::leaf(e)).collect();
        assert_eq!(hashes, files.files[&tile.path()]);
    }
}

#[test]
fn tile_reader_fetches_each_tile_once_per_call() {
    let (_, files, _, _) = grow_log();
    let size = 5000;
    let reader = TileHashReader::new(size, TreeHashAlg::Sha256, &files);
    for index in [0u64, 1234, 4999] {
        let indexes = crate::tree::inclusion_proof_indexes(size, index).unwrap();
        files.fetches.borrow_mut().clear();
        reader.read_hashes(&indexes).unwrap();
        let fetched = files.fetches.borrow().clone();
        let want = tiles_for_hash_indexes(&indexes, size).unwrap();
        let mut sorted = fetched.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, want, "each needed tile exactly once");
    }
    assert_eq!(reader.tree_size(), 5000);
    assert_eq!(reader.alg(), TreeHashAlg::Sha256);
}

#[test]
fn tile_reader_rejects_bad_tiles() {
    let short = |t: TileId| -> Result<Vec<u8>, TreeError> { Ok(vec![0; t.data_len() - 1]) };
    let reader = TileHashReader::new(10, TreeHashAlg::Sha256, short);
    let err = tree_hash::<Sha256, _>(10, &reader).unwrap_err();
    match err {
        TreeError::Storage(msg) => {
            assert!(
                msg.contains("tile/0/000.p/10") && msg.contains("319"),
                "{msg}"
            )
        }
        other => panic!("{other:?}"),
    }
    let missing = |t: TileId| -> Result<Vec<u8>, TreeError> {
        Err(TreeError::Storage(format!("404 {}", t.path())))
    };
    let reader = TileHashReader::new(10, TreeHashAlg::Sha256, missing);
    assert_eq!(
        reader.read_hashes(&[0]),
        Err(TreeError::Storage("404 tile/0/000.p/10".into()))
    );
    // An index outside the tree of the reader's size.
    let zeros = |t: TileId| -> Result<Vec<u8>, TreeError> { Ok(vec![0; t.data_len()]) };
    let reader = TileHashReader::new(10, TreeHashAlg::Sha256, zeros);
    assert!(reader.read_hashes(&[stored_hash_count(10)]).is_err());
    assert!(reader.read_hashes(&[0, 1, 2]).is_ok());
}

#[test]
fn blake3_tiles() {
    let mut store = MemoryHashStore::<Blake3>::new();
    let mut files = PathStore::default();
    let mut size = 0;
    for step in [1u64, 700, 1, 300, 2000] {
        for i in size..size + step {
            store.append(&i.to_le_bytes()).unwrap();
        }
        for (t, d) in new_tiles(size, size + step, &store).unwrap() {
            files.put(t.path(), d);
        }
        size += step;
        let reader = TileHashReader::new(size, TreeHashAlg::Blake3, &files);
        assert_eq!(
            tree_hash::<Blake3, _>(size, &reader).unwrap(),
            store.root(),
            "size {size}"
        );
        let wrong = TileHashReader::new(size, TreeHashAlg::Sha256, &files);
        if size > 256 {
            assert_ne!(tree_hash::<Blake3, _>(size, &wrong).unwrap(), store.root());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Entry bundles
// ---------------------------------------------------------------------------------------------

#[test]
fn entry_bundle_round_trip() {
    let big = vec![0xabu8; MAX_ENTRY_SIZE];
    let entries: Vec<&[u8]> = vec![b"", b"a", b"hello world", &big, &[0, 1, 2]];
    let data = encode_entry_bundle(&entries).unwrap();
    assert_eq!(&data[..5], &[0, 0, 0, 1, b'a']);
    assert_eq!(&data[18..20], &[0xff, 0xff]);
    assert_eq!(
        data.len(),
        entries.iter().map(|e| e.len() + 2).sum::<usize>()
    );
    assert_eq!(decode_entry_bundle(&data).unwrap(), entries);

    let full: Vec<Vec<u8>> = (0..256u32).map(|i| i.to_be_bytes().to_vec()).collect();
    let data = encode_entry_bundle(&full).unwrap();
    assert_eq!(decode_entry_bundle(&data).unwrap(), full);
    assert_eq!(
        decode_entry_bundle_for(EntryBundleId::full(0), &data)
            .unwrap()
            .len(),
        256
    );
    assert_eq!(
        decode_entry_bundle_for(EntryBundleId::new(0, 255).unwrap(), &data),
        Err(TileError::WrongEntryCount {
            expected: 255,
            found: 256
        })
    );
}

#[test]
fn entry_bundle_errors_name_offsets() {
    let too_big = vec![0u8; MAX_ENTRY_SIZE + 1];
    assert_eq!(
        encode_entry_bundle(&[&b"ok"[..], &too_big]),
        Err(TileError::EntryTooLarge {
            entry: 1,
            len: 65_536
        })
    );
    let many = vec![b"x".as_slice(); 257];
    assert_eq!(
        encode_entry_bundle(&many),
        Err(TileError::TooManyEntries { count: 257 })
    );
    assert_eq!(
        encode_entry_bundle::<&[u8]>(&[]),
        Err(TileError::EmptyBundle)
    );

    assert_eq!(decode_entry_bundle(&[]), Err(TileError::EmptyBundle));
    assert_eq!(
        decode_entry_bundle(&[0]),
        Err(TileError::TruncatedLength { offset: 0 })
    );
    assert_eq!(
        decode_entry_bundle(&[0, 1, b'a', 0]),
        Err(TileError::TruncatedLength { offset: 3 })
    );
    assert_eq!(
        decode_entry_bundle(&[0, 1, b'a', 0, 5, 1, 2]),
        Err(TileError::TruncatedEntry {
            offset: 3,
            len: 5,
            available: 2
        })
    );
    let mut data = encode_entry_bundle(&vec![b"yz".as_slice(); 256]).unwrap();
    data.extend_from_slice(&[0, 0]);
    let err = decode_entry_bundle(&data).unwrap_err();
    assert_eq!(err, TileError::BundleTooLong { offset: 1024 });
    assert!(err.to_string().contains("1024"), "{err}");
    let msg = TileError::TruncatedEntry {
        offset: 3,
        len: 5,
        available: 2,
    }
    .to_string();
    assert!(
        msg.contains("offset 3") && msg.contains('5') && msg.contains('2'),
        "{msg}"
    );
    // Zero-length entries are valid and consume only their prefix.
    assert_eq!(
        decode_entry_bundle(&[0, 0, 0, 0]).unwrap(),
        vec![&b""[..], &b""[..]]
    );
}

#[test]
fn tile_error_converts_to_tree_error() {
    let e: TreeError = TileError::EmptyBundle.into();
    assert_eq!(e, TreeError::Storage("entry bundle is empty".into()));
}
