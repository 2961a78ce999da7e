//! Tests of the tree maths: published RFC 6962 / CT SHA-256 vectors, cross-checks against the
//! independent `ct-merkle` and `tlog_tiles` implementations, tampered proofs, BLAKE3.

use super::*;
use proptest::prelude::*;
use std::cell::Cell;
use std::sync::OnceLock;

fn h(s: &str) -> Hash {
    let mut out = [0u8; HASH_SIZE];
    assert_eq!(s.len(), 64, "bad hex length: {s}");
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
    }
    out
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Published vectors: transparency-dev/merkle testonly/constants.go and proof/verify_test.go,
// which carry the certificate-transparency merkle_tree_test vectors.
// ---------------------------------------------------------------------------------------------

const CT_LEAVES: [&str; 8] = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
];

/// Roots of the trees of the first 0..=8 leaves.
const CT_ROOTS: [&str; 9] = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

/// Hashes of all complete subtrees of the 8-leaf tree, by level then index.
const CT_NODES: [&[&str]; 4] = [
    &[
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
        "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
    ],
    &[
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    ],
    &[
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    &["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"],
];

/// (leaf index, tree size, audit path). The Go source numbers leaves from 1; these are 0-based.
const CT_INCLUSION: [(u64, u64, &[&str]); 5] = [
    (0, 1, &[]),
    (
        0,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        &[
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        3,
        &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
    ),
    (
        1,
        5,
        &[
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
];

/// (old size, new size, consistency proof).
const CT_CONSISTENCY: [(u64, u64, &[&str]); 5] = [
    (1, 1, &[]),
    (
        1,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        &[
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
];

fn ct_store() -> MemoryHashStore<Sha256> {
    let mut store = MemoryHashStore::new();
    for leaf in CT_LEAVES {
        store.append(&unhex(leaf)).unwrap();
    }
    store
}

fn hashes(list: &[&str]) -> Vec<Hash> {
    list.iter().map(|s| h(s)).collect()
}

#[test]
fn ct_vectors_roots() {
    let store = ct_store();
    let leaf_hashes: Vec<Hash> = CT_LEAVES.iter().map(|l| Sha256::leaf(&unhex(l))).collect();
    for (n, root) in CT_ROOTS.iter().enumerate() {
        let root = h(root);
        assert_eq!(store.root_at(n as u64).unwrap(), root, "tree_hash n={n}");
        assert_eq!(
            root_from_leaves::<Sha256>(&leaf_hashes[..n]),
            root,
            "MTH n={n}"
        );
        assert_eq!(
            TreeHashAlg::Sha256.tree_hash(n as u64, &store).unwrap(),
            root
        );
    }
    assert_eq!(store.root(), h(CT_ROOTS[8]));
    assert_eq!(Sha256::empty(), h(CT_ROOTS[0]));
}

#[test]
fn ct_vectors_stored_nodes() {
    let store = ct_store();
    for (level, nodes) in CT_NODES.iter().enumerate() {
        for (n, node) in nodes.iter().enumerate() {
            let i = stored_hash_index(level as u8, n as u64);
            assert_eq!(store.stored_hashes()[i as usize], h(node), "({level},{n})");
            assert_eq!(split_stored_hash_index(i), (level as u8, n as u64));
        }
    }
    assert_eq!(store.stored_hashes().len(), 15);
}

#[test]
fn ct_vectors_inclusion() {
    let store = ct_store();
    for (index, size, path) in CT_INCLUSION {
        let want = hashes(path);
        let got = store.inclusion_proof(size, index).unwrap();
        assert_eq!(got, want, "PATH({index}, D[{size}])");
        assert!(inclusion_proof_indexes(size, index).unwrap().len() >= want.len());
        let leaf = Sha256::leaf(&unhex(CT_LEAVES[index as usize]));
        let root = h(CT_ROOTS[size as usize]);
        verify_inclusion::<Sha256>(index, size, &leaf, &want, &root).unwrap();
        assert_eq!(
            root_from_inclusion_proof::<Sha256>(index, size, &leaf, &want).unwrap(),
            root
        );
        assert_inclusion_tampering_fails(index, size, &leaf, &want, &root);
    }
}

#[test]
fn ct_vectors_consistency() {
    let store = ct_store();
    for (m, n, proof) in CT_CONSISTENCY {
        let want = hashes(proof);
        assert_eq!(
            store.consistency_proof(m, n).unwrap(),
            want,
            "PROOF({m}, D[{n}])"
        );
        let (r1, r2) = (h(CT_ROOTS[m as usize]), h(CT_ROOTS[n as usize]));
        verify_consistency::<Sha256>(m, n, &r1, &r2, &want).unwrap();
        TreeHashAlg::Sha256
            .verify_consistency(m, n, &r1, &r2, &want)
            .unwrap();
        if m != n {
            assert_consistency_tampering_fails(m, n, &r1, &r2, &want);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Tampering probes (after transparency-dev/merkle's corrupt*Proof lists)
// ---------------------------------------------------------------------------------------------

const SOME_HASH: &str = "abacaba000000000000000000000000000000000000000000060061e00123456";

fn assert_inclusion_tampering_fails(
    index: u64,
    size: u64,
    leaf: &Hash,
    proof: &[Hash],
    root: &Hash,
) {
    let v =
        |i: u64, s: u64, l: &Hash, p: &[Hash], r: &Hash| verify_inclusion::<Sha256>(i, s, l, p, r);
    let ctx = format!("index {index} size {size}");
    let some = h(SOME_HASH);
    let mut probes: Vec<(String, Result<(), TreeError>)> = vec![
        (
            "index-1".into(),
            v(index.wrapping_sub(1), size, leaf, proof, root),
        ),
        ("index+1".into(), v(index + 1, size, leaf, proof, root)),
        ("index^2".into(), v(index ^ 2, size, leaf, proof, root)),
        ("size*2".into(), v(index, size * 2, leaf, proof, root)),
        ("size/2".into(), v(index, size / 2, leaf, proof, root)),
        (
            "wrong leaf".into(),
            v(index, size, &Sha256::leaf(b"WrongLeaf"), proof, root),
        ),
        (
            "empty root".into(),
            v(index, size, leaf, proof, &Sha256::empty()),
        ),
        ("random root".into(), v(index, size, leaf, proof, &some)),
        (
            "trailing root".into(),
            v(index, size, leaf, &[proof, &[*root]].concat(), root),
        ),
        (
            "preceding root".into(),
            v(index, size, leaf, &[&[*root], proof].concat(), root),
        ),
        (
            "leaf as root".into(),
            v(
                index,
                size,
                leaf,
                proof,
                if proof.is_empty() { &some } else { leaf },
            ),
        ),
    ];
    for i in 0..proof.len() {
        let mut p = proof.to_vec();
        p[i][0] ^= 8;
        probes.push((
            format!("flipped proof[{i}]"),
            v(index, size, leaf, &p, root),
        ));
        let mut p = proof.to_vec();
        p[i][31] ^= 0x80;
        probes.push((
            format!("flipped proof[{i}] last byte"),
            v(index, size, leaf, &p, root),
        ));
    }
    if !proof.is_empty() {
        probes.push((
            "truncated".into(),
            v(index, size, leaf, &proof[..proof.len() - 1], root),
        ));
    }
    if proof.len() > 1 {
        let mut p = proof.to_vec();
        p.insert(1, some);
        probes.push(("inserted".into(), v(index, size, leaf, &p, root)));
        let mut p = proof.to_vec();
        p.swap(0, 1);
        if p != proof {
            probes.push(("swapped".into(), v(index, size, leaf, &p, root)));
        }
    }
    for (what, result) in probes {
        assert!(
            result.is_err(),
            "{ctx}: tampered ({what}) inclusion proof verified"
        );
    }
}

fn assert_consistency_tampering_fails(m: u64, n: u64, r1: &Hash, r2: &Hash, proof: &[Hash]) {
    let v = |a: u64, b: u64, x: &Hash, y: &Hash, p: &[Hash]| {
        verify_consistency::<Sha256>(a, b, x, y, p)
    };
    let ctx = format!("{m} -> {n}");
    let some = h(SOME_HASH);
    let mut probes: Vec<(String, Result<(), TreeError>)> = vec![
        ("m-1".into(), v(m - 1, n, r1, r2, proof)),
        ("m+1".into(), v(m + 1, n, r1, r2, proof)),
        ("m^2".into(), v(m ^ 2, n, r1, r2, proof)),
        ("n*2".into(), v(m, n * 2, r1, r2, proof)),
        ("n/2".into(), v(m, n / 2, r1, r2, proof)),
        ("wrong root1".into(), v(m, n, &some, r2, proof)),
        ("wrong root2".into(), v(m, n, r1, &some, proof)),
        ("swapped roots".into(), v(m, n, r2, r1, proof)),
        ("empty proof".into(), v(m, n, r1, r2, &[])),
        (
            "trailing root1".into(),
            v(m, n, r1, r2, &[proof, &[*r1]].concat()),
        ),
        (
            "trailing root2".into(),
            v(m, n, r1, r2, &[proof, &[*r2]].concat()),
        ),
        (
            "preceding root1".into(),
            v(m, n, r1, r2, &[&[*r1], proof].concat()),
        ),
        (
            "preceding proof[0]".into(),
            v(m, n, r1, r2, &[&[proof[0]], proof].concat()),
        ),
        (
            "truncated".into(),
            v(m, n, r1, r2, &proof[..proof.len() - 1]),
        ),
    ];
    for i in 0..proof.len() {
        let mut p = proof.to_vec();
        p[i][0] ^= 16;
        probes.push((format!("flipped proof[{i}]"), v(m, n, r1, r2, &p)));
    }
    for (what, result) in probes {
        assert!(
            result.is_err(),
            "{ctx}: tampered ({what}) consistency proof verified"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Stored hash numbering
// ---------------------------------------------------------------------------------------------

#[test]
fn stored_hash_numbering_small() {
    // Leaves 0,1 then (1,0); leaf 2; leaf 3, (1,1), (2,0); leaf 4; ...
    let order = [
        (0, 0),
        (0, 1),
        (1, 0),
        (0, 2),
        (0, 3),
        (1, 1),
        (2, 0),
        (0, 4),
        (0, 5),
        (1, 2),
        (0, 6),
        (0, 7),
        (1, 3),
        (2, 1),
        (3, 0),
        (0, 8),
    ];
    for (i, &(level, n)) in order.iter().enumerate() {
        assert_eq!(stored_hash_index(level, n), i as u64, "({level},{n})");
        assert_eq!(split_stored_hash_index(i as u64), (level, n));
    }
    let counts = [0, 1, 3, 4, 7, 8, 10, 11, 15, 16];
    for (n, &c) in counts.iter().enumerate() {
        assert_eq!(stored_hash_count(n as u64), c, "n={n}");
    }
}

#[test]
fn stored_hash_numbering_matches_tlog_tiles() {
    for i in (0..200_000u64).chain((1u64 << 40)..(1u64 << 40) + 2000) {
        let (level, n) = split_stored_hash_index(i);
        assert_eq!(
            (level, n),
            tlog_tiles::split_stored_hash_index(i),
            "index {i}"
        );
        assert_eq!(stored_hash_index(level, n), i);
    }
    for level in 0..40u8 {
        for n in [0u64, 1, 2, 3, 1000, 12345, (1 << 20) + 7] {
            if (n + 1) << level <= MAX_TREE_SIZE {
                assert_eq!(
                    stored_hash_index(level, n),
                    tlog_tiles::stored_hash_index(level, n)
                );
            }
        }
    }
    for n in (0..5000u64).chain([1 << 40, (1 << 62) - 1, 1 << 62]) {
        assert_eq!(
            stored_hash_count(n),
            tlog_tiles::stored_hash_count(n),
            "n={n}"
        );
    }
    let big = stored_hash_index(0, MAX_TREE_SIZE - 1);
    assert_eq!(split_stored_hash_index(big), (0, MAX_TREE_SIZE - 1));
    let top = stored_hash_index(62, 0);
    assert_eq!(split_stored_hash_index(top), (62, 0));
}

#[test]
fn is_complete_matches_definition() {
    for size in 0..70u64 {
        for level in 0..8u8 {
            for n in 0..70u64 {
                let want = (n + 1) << level <= size;
                assert_eq!(is_complete(level, n, size), want, "({level},{n}) in {size}");
            }
        }
    }
    assert!(!is_complete(64, 0, u64::MAX));
}

// ---------------------------------------------------------------------------------------------
// Cross-checks against tlog_tiles (the Go sumdb/tlog port)
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

fn tlog_hashes(v: Vec<tlog_tiles::Hash>) -> Vec<Hash> {
    v.into_iter().map(|h| h.0).collect()
}

/// Pseudo-random sample of values in `0..bound` (plus the edges), deterministic.
fn sample(bound: u64, count: usize, seed: u64) -> Vec<u64> {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut out = vec![0, bound - 1, bound / 2];
    for _ in 0..count {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.push(x % bound);
    }
    out.sort_unstable();
    out.dedup();
    out
}

#[test]
fn cross_check_tlog_tiles_sizes_1_to_1000() {
    let mut store = MemoryHashStore::<Sha256>::with_capacity(1000);
    let mut tlog_store: Vec<Hash> = Vec::new();
    for n in 0..1000u64 {
        let data = format!("record {n}").into_bytes();
        store.append(&data).unwrap();
        let theirs = tlog_tiles::stored_hashes(n, &data, &TlogView(&tlog_store)).unwrap();
        tlog_store.extend(tlog_hashes(theirs));
        assert_eq!(
            store.stored_hashes(),
            &tlog_store[..],
            "stored hashes after leaf {n}"
        );
    }
    let view = TlogView(store.stored_hashes());
    for size in 1..=1000u64 {
        let root = store.root_at(size).unwrap();
        assert_eq!(
            root,
            tlog_tiles::tree_hash(size, &view).unwrap().0,
            "root {size}"
        );
        for index in sample(size, 4, size) {
            let mine = store.inclusion_proof(size, index).unwrap();
            let theirs = tlog_hashes(tlog_tiles::prove_record(size, index, &view).unwrap());
            assert_eq!(mine, theirs, "inclusion {index} in {size}");
            let leaf = store.stored_hashes()[stored_hash_index(0, index) as usize];
            verify_inclusion::<Sha256>(index, size, &leaf, &mine, &root).unwrap();
            let as_tlog: Vec<_> = mine.iter().map(|h| tlog_tiles::Hash(*h)).collect();
            tlog_tiles::check_record(
                &as_tlog,
                size,
                tlog_tiles::Hash(root),
                index,
                tlog_tiles::Hash(leaf),
            )
            .unwrap();
        }
        for m in sample(size, 4, size ^ 0xabc).into_iter().map(|m| m + 1) {
            let mine = store.consistency_proof(m, size).unwrap();
            let theirs = tlog_hashes(tlog_tiles::prove_tree(size, m, &view).unwrap());
            assert_eq!(mine, theirs, "consistency {m} -> {size}");
            let old_root = store.root_at(m).unwrap();
            verify_consistency::<Sha256>(m, size, &old_root, &root, &mine).unwrap();
            let as_tlog: Vec<_> = mine.iter().map(|h| tlog_tiles::Hash(*h)).collect();
            tlog_tiles::check_tree(
                &as_tlog,
                size,
                tlog_tiles::Hash(root),
                m,
                tlog_tiles::Hash(old_root),
            )
            .unwrap();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Cross-checks against ct-merkle (independent in-memory implementation, digest 0.11)
// ---------------------------------------------------------------------------------------------

mod ct {
    use ct_merkle::digest;

    /// `sha2` 0.10 SHA-256 behind the `digest` 0.11 traits that `ct-merkle` 0.3 uses.
    #[derive(Clone, Default)]
    pub struct CtSha256(sha2::Sha256);

    impl digest::HashMarker for CtSha256 {}

    impl digest::Update for CtSha256 {
        fn update(&mut self, data: &[u8]) {
            sha2::Digest::update(&mut self.0, data);
        }
    }

    impl digest::OutputSizeUser for CtSha256 {
        type OutputSize = digest::consts::U32;
    }

    impl digest::FixedOutput for CtSha256 {
        fn finalize_into(self, out: &mut digest::Output<Self>) {
            out.copy_from_slice(&sha2::Digest::finalize(self.0));
        }
    }

    pub fn root(digest: &super::Hash, size: u64) -> ct_merkle::RootHash<CtSha256> {
        let mut out = digest::Output::<CtSha256>::default();
        out.copy_from_slice(digest);
        ct_merkle::RootHash::new(out, size)
    }
}

fn concat(hashes: &[Hash]) -> Vec<u8> {
    hashes.concat()
}

#[test]
fn cross_check_ct_merkle_sizes_1_to_1000() {
    use ct_merkle::mem_backed_tree::MemoryBackedTree;
    let mut theirs = MemoryBackedTree::<ct::CtSha256, Vec<u8>>::new();
    let mut store = MemoryHashStore::<Sha256>::new();
    for size in 1..=1000u64 {
        let data = format!("ct-merkle leaf {}", size - 1).into_bytes();
        theirs.push(data.clone());
        store.append(&data).unwrap();
        let root = store.root();
        assert_eq!(&theirs.root().as_bytes()[..], &root[..], "root {size}");
        let their_root = ct::root(&root, size);
        for index in sample(size, 3, size.wrapping_mul(31)) {
            let mine = store.inclusion_proof(size, index).unwrap();
            let proof = theirs.prove_inclusion(index as usize);
            assert_eq!(
                proof.as_bytes(),
                &concat(&mine)[..],
                "inclusion {index} in {size}"
            );
            let leaf_value = theirs.get(index as usize).unwrap();
            their_root
                .verify_inclusion(
                    leaf_value,
                    index,
                    &ct_merkle::InclusionProof::from_bytes(concat(&mine)),
                )
                .unwrap();
        }
        for m in sample(size, 3, size.wrapping_mul(77))
            .into_iter()
            .map(|m| m + 1)
        {
            let mine = store.consistency_proof(m, size).unwrap();
            if m == size {
                assert!(mine.is_empty());
                continue;
            }
            let proof = theirs.prove_consistency((size - m) as usize);
            assert_eq!(
                proof.as_bytes(),
                &concat(&mine)[..],
                "consistency {m} -> {size}"
            );
            let old_root = ct::root(&store.root_at(m).unwrap(), m);
            their_root
                .verify_consistency(
                    &old_root,
                    &ct_merkle::ConsistencyProof::try_from_bytes(concat(&mine)).unwrap(),
                )
                .unwrap();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Exhaustive small trees: every index / every pair, with tampering
// ---------------------------------------------------------------------------------------------

#[test]
fn exhaustive_small_trees_verify_and_reject_tampering() {
    let mut store = MemoryHashStore::<Sha256>::new();
    let mut leaves = Vec::new();
    for i in 0..40u64 {
        leaves.push(Sha256::leaf(&i.to_be_bytes()));
        store.append_leaf_hash(leaves[i as usize]).unwrap();
    }
    for size in 1..=40u64 {
        let root = root_from_leaves::<Sha256>(&leaves[..size as usize]);
        assert_eq!(store.root_at(size).unwrap(), root);
        for index in 0..size {
            let proof = store.inclusion_proof(size, index).unwrap();
            assert_eq!(proof.len(), inclusion_proof_len(index, size));
            assert_eq!(
                proof.len(),
                inclusion_ranges(size, index).len(),
                "length formula"
            );
            let leaf = leaves[index as usize];
            verify_inclusion::<Sha256>(index, size, &leaf, &proof, &root).unwrap();
            assert_inclusion_tampering_fails(index, size, &leaf, &proof, &root);
        }
        for m in 1..size {
            let proof = store.consistency_proof(m, size).unwrap();
            assert_eq!(proof.len(), consistency_proof_len(m, size));
            assert_eq!(proof.len(), consistency_ranges(m, size).len());
            let old = root_from_leaves::<Sha256>(&leaves[..m as usize]);
            verify_consistency::<Sha256>(m, size, &old, &root, &proof).unwrap();
            assert_consistency_tampering_fails(m, size, &old, &root, &proof);
        }
    }
}

#[test]
fn proof_length_formulas_match_recursion() {
    for size in 1..=600u64 {
        for index in 0..size {
            assert_eq!(
                inclusion_proof_len(index, size),
                inclusion_ranges(size, index).len(),
                "inclusion {index} in {size}"
            );
        }
        for m in 1..size {
            assert_eq!(
                consistency_proof_len(m, size),
                consistency_ranges(m, size).len(),
                "consistency {m} -> {size}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Edge cases and errors
// ---------------------------------------------------------------------------------------------

#[test]
fn verification_edge_cases() {
    let store = ct_store();
    let r = |n: usize| h(CT_ROOTS[n]);
    let leaf0 = Sha256::leaf(b"");
    // Index out of range / empty tree.
    assert_eq!(
        verify_inclusion::<Sha256>(0, 0, &leaf0, &[], &r(0)),
        Err(TreeError::IndexOutOfRange { index: 0, size: 0 })
    );
    assert_eq!(
        verify_inclusion::<Sha256>(8, 8, &leaf0, &[], &r(8)),
        Err(TreeError::IndexOutOfRange { index: 8, size: 8 })
    );
    assert!(matches!(
        store.inclusion_proof(8, 8),
        Err(TreeError::IndexOutOfRange { index: 8, size: 8 })
    ));
    assert_eq!(
        store.inclusion_proof(9, 0),
        Err(TreeError::SizeUnavailable {
            requested: 9,
            available: 8
        })
    );
    // Single-leaf tree: leaf hash is the root, proof empty.
    verify_inclusion::<Sha256>(0, 1, &leaf0, &[], &r(1)).unwrap();
    assert!(verify_inclusion::<Sha256>(0, 1, &leaf0, &[], &r(2)).is_err());
    // Wrong length.
    assert_eq!(
        verify_inclusion::<Sha256>(0, 8, &leaf0, &[r(1)], &r(8)),
        Err(TreeError::BadProofLength {
            expected: 3,
            found: 1
        })
    );
    // Consistency: equal sizes, empty old tree, old > new.
    verify_consistency::<Sha256>(0, 0, &r(0), &r(0), &[]).unwrap();
    verify_consistency::<Sha256>(0, 5, &r(0), &r(5), &[]).unwrap();
    verify_consistency::<Sha256>(5, 5, &r(5), &r(5), &[]).unwrap();
    assert!(matches!(
        verify_consistency::<Sha256>(5, 5, &r(5), &r(6), &[]),
        Err(TreeError::RootMismatch { size: 5, .. })
    ));
    assert!(matches!(
        verify_consistency::<Sha256>(0, 5, &r(1), &r(5), &[]),
        Err(TreeError::RootMismatch { size: 0, .. })
    ));
    assert_eq!(
        verify_consistency::<Sha256>(5, 5, &r(5), &r(5), &[r(0)]),
        Err(TreeError::BadProofLength {
            expected: 0,
            found: 1
        })
    );
    assert_eq!(
        verify_consistency::<Sha256>(6, 5, &r(6), &r(5), &[]),
        Err(TreeError::ConsistencyOldLargerThanNew { old: 6, new: 5 })
    );
    assert_eq!(
        store.consistency_proof(6, 5),
        Err(TreeError::ConsistencyOldLargerThanNew { old: 6, new: 5 })
    );
    assert_eq!(store.consistency_proof(0, 5).unwrap(), Vec::<Hash>::new());
    assert_eq!(store.consistency_proof(5, 5).unwrap(), Vec::<Hash>::new());
    assert_eq!(consistency_proof_indexes(0, 5).unwrap(), Vec::<u64>::new());
    // Size limit.
    assert!(matches!(
        tree_hash::<Sha256, _>(MAX_TREE_SIZE + 1, &store),
        Err(TreeError::TreeTooLarge { .. })
    ));
    assert!(matches!(
        verify_inclusion::<Sha256>(0, u64::MAX, &leaf0, &[], &r(0)),
        Err(TreeError::TreeTooLarge { .. })
    ));
    // Reading a hash the store does not hold.
    assert_eq!(
        tree_hash::<Sha256, _>(9, &store),
        Err(TreeError::StoredHashMissing {
            index: 15,
            count: 15
        })
    );
}

#[test]
fn error_messages_name_the_values() {
    let e = TreeError::RootMismatch {
        size: 7,
        expected: h(CT_ROOTS[7]),
        computed: h(CT_ROOTS[8]),
    };
    let s = e.to_string();
    assert!(s.contains("size 7"), "{s}");
    assert!(s.contains(CT_ROOTS[7]) && s.contains(CT_ROOTS[8]), "{s}");
    let s = TreeError::IndexOutOfRange { index: 9, size: 3 }.to_string();
    assert!(s.contains('9') && s.contains('3'), "{s}");
    let s = TreeError::BadProofLength {
        expected: 4,
        found: 2,
    }
    .to_string();
    assert!(s.contains("found") || s.contains('2'), "{s}");
    assert!(s.contains('4'), "{s}");
    assert!(
        TreeError::Storage("disk on fire".into())
            .to_string()
            .contains("disk on fire")
    );
    assert_eq!(format!("{:?}", HexHash(&[0xab; 32])), "ab".repeat(32));
}

struct FailingReader;

impl HashReader for FailingReader {
    fn read_hashes(&self, _: &[u64]) -> Result<Vec<Hash>, TreeError> {
        Err(TreeError::Storage("tile fetch failed: 503".into()))
    }
}

struct ShortReader;

impl HashReader for ShortReader {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, TreeError> {
        Ok(vec![[0; 32]; indexes.len().saturating_sub(1)])
    }
}

#[test]
fn reader_failures_propagate() {
    let want = Err(TreeError::Storage("tile fetch failed: 503".into()));
    assert_eq!(tree_hash::<Sha256, _>(5, &FailingReader), want);
    assert_eq!(
        inclusion_proof::<Sha256, _>(5, 1, &FailingReader).map(|_| ()),
        want.map(|_: Hash| ())
    );
    assert!(consistency_proof::<Sha256, _>(3, 5, &FailingReader).is_err());
    assert!(stored_hashes_for_record_hash::<Sha256, _>(3, [0; 32], &FailingReader).is_err());
    // Leaf 4 (even) completes nothing, so no read happens.
    assert_eq!(
        stored_hashes_for_record_hash::<Sha256, _>(4, [7; 32], &FailingReader)
            .unwrap()
            .as_slice(),
        &[[7; 32]]
    );
    assert_eq!(
        tree_hash::<Sha256, _>(5, &ShortReader),
        Err(TreeError::ReaderCountMismatch {
            requested: 2,
            returned: 1
        })
    );
}

/// Counts calls and requested indexes.
struct CountingReader<'a> {
    inner: &'a MemoryHashStore<Sha256>,
    calls: Cell<usize>,
    indexes: Cell<usize>,
}

impl HashReader for CountingReader<'_> {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, TreeError> {
        self.calls.set(self.calls.get() + 1);
        self.indexes.set(self.indexes.get() + indexes.len());
        self.inner.read_hashes(indexes)
    }
}

#[test]
fn one_batched_read_of_logarithmic_size() {
    let store = big_store();
    for size in [1u64, 2, 3, 255, 256, 257, 65_535, 65_536, 99_999, 100_000] {
        let bound = 2 * (64 - size.leading_zeros() as usize) + 2;
        let r = CountingReader {
            inner: store,
            calls: Cell::new(0),
            indexes: Cell::new(0),
        };
        let check = |what: &str| {
            assert_eq!(r.calls.get(), 1, "{what} at {size}: calls");
            assert!(
                r.indexes.get() <= bound,
                "{what} at {size}: {} indexes",
                r.indexes.get()
            );
            r.calls.set(0);
            r.indexes.set(0);
        };
        tree_hash::<Sha256, _>(size, &r).unwrap();
        check("tree_hash");
        for index in sample(size, 5, size) {
            let proof = inclusion_proof::<Sha256, _>(size, index, &r).unwrap();
            if proof.is_empty() {
                assert_eq!(r.calls.get(), 0);
            } else {
                check("inclusion_proof");
            }
        }
        for m in sample(size, 5, size + 1).into_iter().map(|m| m + 1) {
            if m < size {
                consistency_proof::<Sha256, _>(m, size, &r).unwrap();
                check("consistency_proof");
            }
        }
        if size < 100_000 {
            let leaf = store.stored_hashes()[stored_hash_index(0, size) as usize];
            let new = stored_hashes_for_record_hash::<Sha256, _>(size, leaf, &r).unwrap();
            let start = stored_hash_index(0, size) as usize;
            assert_eq!(
                new.as_slice(),
                &store.stored_hashes()[start..stored_hash_count(size + 1) as usize]
            );
            assert!(r.calls.get() <= 1);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Hash algorithms
// ---------------------------------------------------------------------------------------------

#[test]
fn hash_algorithms_and_names() {
    assert_eq!(Sha256::empty(), {
        let out: Hash = sha2::Sha256::digest(b"").into();
        out
    });
    assert_eq!(Blake3::empty(), *blake3::hash(b"").as_bytes());
    assert_eq!(Sha256::leaf(b""), h(CT_ROOTS[1]));
    let mut pre = vec![0u8];
    pre.extend_from_slice(b"abc");
    assert_eq!(Blake3::leaf(b"abc"), *blake3::hash(&pre).as_bytes());
    let mut pre = vec![1u8];
    pre.extend_from_slice(&[1; 32]);
    pre.extend_from_slice(&[2; 32]);
    assert_eq!(
        Blake3::node(&[1; 32], &[2; 32]),
        *blake3::hash(&pre).as_bytes()
    );
    assert_ne!(Blake3::leaf(b"abc"), Sha256::leaf(b"abc"));

    for alg in TreeHashAlg::ALL {
        assert_eq!(TreeHashAlg::parse(alg.name()), Ok(alg));
        assert_eq!(alg.to_string().parse::<TreeHashAlg>(), Ok(alg));
    }
    assert_eq!(TreeHashAlg::Sha256.name(), Sha256::NAME);
    assert_eq!(TreeHashAlg::Blake3.name(), Blake3::NAME);
    assert_eq!(Sha256::ALG, TreeHashAlg::Sha256);
    assert_eq!(Blake3::ALG, TreeHashAlg::Blake3);
    assert_eq!(TreeHashAlg::default(), TreeHashAlg::Sha256);
    for bad in ["SHA256", "sha-256", "", "blake2b", " sha256"] {
        let err = TreeHashAlg::parse(bad).unwrap_err();
        assert_eq!(
            err,
            TreeError::UnknownHashAlgorithm {
                name: bad.to_owned()
            }
        );
    }
    assert_eq!(TreeHashAlg::Blake3.leaf(b"x"), Blake3::leaf(b"x"));
    assert_eq!(
        TreeHashAlg::Sha256.node(&[3; 32], &[4; 32]),
        Sha256::node(&[3; 32], &[4; 32])
    );
    assert_eq!(TreeHashAlg::Blake3.empty(), Blake3::empty());
}

#[test]
fn blake3_tree_against_reference() {
    let mut store = MemoryHashStore::<Blake3>::new();
    let mut leaves = Vec::new();
    for i in 0..300u64 {
        let data = i.to_le_bytes();
        leaves.push(Blake3::leaf(&data));
        store.append(&data).unwrap();
    }
    assert_eq!(store.root_at(0).unwrap(), Blake3::empty());
    for size in 1..=300u64 {
        let root = root_from_leaves::<Blake3>(&leaves[..size as usize]);
        assert_eq!(store.root_at(size).unwrap(), root, "size {size}");
        assert_eq!(
            TreeHashAlg::Blake3.root_from_leaves(&leaves[..size as usize]),
            root
        );
        if size > 1 {
            assert_ne!(root, root_from_leaves::<Sha256>(&leaves[..size as usize]));
        }
        for index in sample(size, 3, size) {
            let proof = TreeHashAlg::Blake3
                .inclusion_proof(size, index, &store)
                .unwrap();
            let leaf = leaves[index as usize];
            TreeHashAlg::Blake3
                .verify_inclusion(index, size, &leaf, &proof, &root)
                .unwrap();
            assert_eq!(
                TreeHashAlg::Blake3
                    .root_from_inclusion_proof(index, size, &leaf, &proof)
                    .unwrap(),
                root
            );
            if size > 1 {
                assert!(
                    verify_inclusion::<Sha256>(index, size, &leaf, &proof, &root).is_err(),
                    "a BLAKE3 proof must not verify under SHA-256"
                );
            }
        }
        for m in sample(size, 3, size + 9).into_iter().map(|m| m + 1) {
            let proof = TreeHashAlg::Blake3
                .consistency_proof(m, size, &store)
                .unwrap();
            let old = root_from_leaves::<Blake3>(&leaves[..m as usize]);
            verify_consistency::<Blake3>(m, size, &old, &root, &proof).unwrap();
            if m < size {
                assert!(verify_consistency::<Sha256>(m, size, &old, &root, &proof).is_err());
                let mut bad = proof.clone();
                bad[0][5] ^= 1;
                assert!(verify_consistency::<Blake3>(m, size, &old, &root, &bad).is_err());
            }
        }
    }
    // Runtime dispatch of the append path agrees with the generic one.
    let n = 299;
    let via_alg = TreeHashAlg::Blake3
        .stored_hashes_for_record_hash(n, leaves[n as usize], &store)
        .unwrap();
    let start = stored_hash_index(0, n) as usize;
    assert_eq!(via_alg.as_slice(), &store.stored_hashes()[start..]);
}

// ---------------------------------------------------------------------------------------------
// Larger random sizes
// ---------------------------------------------------------------------------------------------

const BIG: u64 = 100_000;

/// A 100,000-leaf SHA-256 store shared by the tests (built once).
fn big_store() -> &'static MemoryHashStore<Sha256> {
    static STORE: OnceLock<MemoryHashStore<Sha256>> = OnceLock::new();
    STORE.get_or_init(|| {
        let mut store = MemoryHashStore::with_capacity(BIG as usize);
        for i in 0..BIG {
            store.append(&i.to_be_bytes()).unwrap();
        }
        store
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn random_large_sizes_match_tlog_tiles(
        size in 1u64..=BIG,
        a in any::<u64>(),
        b in any::<u64>(),
    ) {
        let store = big_store();
        let view = TlogView(store.stored_hashes());
        let root = store.root_at(size).unwrap();
        prop_assert_eq!(root, tlog_tiles::tree_hash(size, &view).unwrap().0);

        let index = a % size;
        let proof = store.inclusion_proof(size, index).unwrap();
        let theirs = tlog_hashes(tlog_tiles::prove_record(size, index, &view).unwrap());
        prop_assert_eq!(&proof, &theirs);
        let leaf = Sha256::leaf(&index.to_be_bytes());
        verify_inclusion::<Sha256>(index, size, &leaf, &proof, &root).unwrap();
        prop_assert!(verify_inclusion::<Sha256>(index, size * 2, &leaf, &proof, &root).is_err());
        if !proof.is_empty() {
            let mut bad = proof.clone();
            let k = (b as usize) % bad.len();
            bad[k][(b as usize >> 8) % 32] ^= 1 << (b % 8);
            prop_assert!(verify_inclusion::<Sha256>(index, size, &leaf, &bad, &root).is_err());
            prop_assert!(verify_inclusion::<Sha256>(index, size, &leaf, &proof[1..], &root).is_err());
        }

        let m = b % size + 1;
        let proof = store.consistency_proof(m, size).unwrap();
        let theirs = tlog_hashes(tlog_tiles::prove_tree(size, m, &view).unwrap());
        prop_assert_eq!(&proof, &theirs);
        let old = store.root_at(m).unwrap();
        verify_consistency::<Sha256>(m, size, &old, &root, &proof).unwrap();
        if m < size {
            let mut bad = proof.clone();
            let k = (a as usize) % bad.len();
            bad[k][0] ^= 0x40;
            prop_assert!(verify_consistency::<Sha256>(m, size, &old, &root, &bad).is_err());
            prop_assert!(verify_consistency::<Sha256>(m - 1, size, &old, &root, &proof).is_err());
        }
    }

    #[test]
    fn random_prefix_roots_match_mth(size in 1usize..=20_000) {
        let store = big_store();
        let leaves: Vec<Hash> = (0..size as u64)
            .map(|i| store.stored_hashes()[stored_hash_index(0, i) as usize])
            .collect();
        prop_assert_eq!(store.root_at(size as u64).unwrap(), root_from_leaves::<Sha256>(&leaves));
    }
}
