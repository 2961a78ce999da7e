//! RFC 3161 timestamp tokens over checkpoints, end to end against a local TSA (`openssl ts`
//! behind a loopback HTTP server, tests/common/tsa.rs): `checkpoint --tsa` keeps the verified
//! token as public/checkpoints/<N>.tsr, `verify` with the TSA in the trust file bounds a log
//! clock set forward by the token's genTime, and refuses a tampered token.

use std::path::Path;

use common::{fails, lines, logseal, ok, registration, setup_log, trust_new};
use logseal::log::history::timestamp_key;
use serde_json::Value;

mod common;

fn findings(report: &str) -> Vec<Value> {
    let v: Value = serde_json::from_str(report).unwrap();
    v["findings"].as_array().unwrap().clone()
}

fn codes(report: &str) -> Vec<String> {
    findings(report)
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn rfc3339(secs: u64) -> String {
    logseal::record::types::Timestamp(secs * 1000).to_rfc3339()
}

fn verify(dir: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["verify", "log", "--trust", "trust.json", "--json"];
    args.extend_from_slice(extra);
    logseal(&args, dir, None)
}

#[test]
fn checkpoints_are_time_stamped_and_the_token_bounds_the_log_clock() {
    let Some(tsa) = common::tsa::Tsa::start_or_notice(
        "checkpoints_are_time_stamped_and_the_token_bounds_the_log_clock",
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    setup_log(d);
    std::fs::copy(&tsa.ca_pem, d.join("tsa-ca.pem")).unwrap();
    let token_path = d.join("log/public").join(timestamp_key(1));

    // A certificate the TSA's token does not chain to: nothing is kept, the checkpoint is
    // published all the same.
    let other = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testvectors/timestamp/other-ca.pem"
    );
    let out = logseal(
        &["checkpoint", "log", "--tsa", &tsa.url, "--tsa-cert", other],
        d,
        None,
    );
    let err = common::text(&out.stderr);
    ok(&out);
    assert!(
        err.contains("NOT TIMESTAMPED") && err.contains("neither"),
        "{err}"
    );
    assert!(!token_path.exists());

    let out = logseal(
        &[
            "checkpoint",
            "log",
            "--tsa",
            &tsa.url,
            "--tsa-cert",
            "tsa-ca.pem",
        ],
        d,
        None,
    );
    ok(&out);
    let err = common::text(&out.stderr);
    assert!(err.contains("timestamped: size 1 at"), "{err}");
    let token = std::fs::read(&token_path).unwrap();
    // The token is over the checkpoint's note text, and verifies with the CA alone.
    let note = std::fs::read(d.join("log/public/checkpoint")).unwrap();
    let text = logseal::note::parse_note(&note).unwrap().text;
    let ca = logseal::timestamp::Authority::from_pem(
        "tsa",
        &std::fs::read_to_string(&tsa.ca_pem).unwrap(),
    )
    .unwrap();
    let stamp = logseal::timestamp::verify_response(&token, text.as_bytes(), None, &[ca]).unwrap();
    assert!(stamp.gen_time.abs_diff(now_secs()) < 600, "{stamp:?}");

    ok(&trust_new(d, &["--timestamp-authority", "tsa=tsa-ca.pem"]));
    let t: Value = serde_json::from_slice(&std::fs::read(d.join("trust.json")).unwrap()).unwrap();
    assert_eq!(t["timestamp_authorities"][0]["name"], "tsa");
    let report = ok(&verify(d, &[]));
    let c = codes(&report);
    assert!(
        !c.iter().any(|c| c.starts_with("checkpoint-time")),
        "{report}"
    );
    let v: Value = serde_json::from_str(&report).unwrap();
    assert!(
        v["provenance"]["trust_anchors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["role"] == "timestamp-authority" && a["name"] == "tsa"),
        "{report}"
    );

    // Served: the token is read over HTTP (checkpoints/<N>.tsr), as `watch` reads it.
    {
        let served = common::served::Served::start(d, "log");
        let out = logseal(
            &["verify", &served.url, "--trust", "trust.json", "--json"],
            d,
            None,
        );
        let report = ok(&out);
        assert!(
            !codes(&report)
                .iter()
                .any(|c| c.starts_with("checkpoint-time")),
            "{report}"
        );
    }

    // The same tree signed again two hours on (the log's clock, or a later signing): the
    // token was obtained for the tree's first signing, and a token covers a tree, not a
    // signing, so it never moves the published checkpoint's time (which could hide what fell
    // due in between). It is said, and the log's time stands.
    let later = now_secs() + 7200;
    {
        let mut log = logseal::log::Log::open(&d.join("log")).unwrap();
        log.checkpoint(later).unwrap();
    }
    let at = rfc3339(now_secs() + 3 * 3600);
    let out = verify(d, &["--at", &at, "--state", "state"]);
    let report = ok(&out);
    let f: Vec<Value> = findings(&report)
        .into_iter()
        .filter(|f| f["code"] == "checkpoint-timestamp-earlier-signing")
        .collect();
    assert_eq!(f.len(), 1, "{report}");
    assert_eq!(f[0]["verdict"], "notice", "{report}");
    assert!(
        !codes(&report)
            .iter()
            .any(|c| c == "checkpoint-time-stamped"),
        "{report}"
    );
    let state: Value =
        serde_json::from_slice(&std::fs::read(d.join("state/state.json")).unwrap()).unwrap();
    assert_eq!(state["checkpoints"][0]["log_time"], later, "{state}");
    let _ = stamp;

    // A flipped byte of the token: a violation of check 1.
    let mut bad = token.clone();
    let n = bad.len();
    bad[n - 1] ^= 1;
    std::fs::write(&token_path, &bad).unwrap();
    let out = verify(d, &["--at", &at]);
    fails(&out, 1);
    let report = common::text(&out.stdout);
    let f: Vec<Value> = findings(&report)
        .into_iter()
        .filter(|f| f["code"] == "checkpoint-timestamp-invalid")
        .collect();
    assert_eq!(f.len(), 1, "{report}");
    assert_eq!(f[0]["verdict"], "violated");
    assert!(
        f[0]["message"]
            .as_str()
            .unwrap()
            .contains("the token's signature does not verify"),
        "{report}"
    );
    std::fs::write(&token_path, &token).unwrap();

    // A TSA that is down: the checkpoint is published without a token, and said so.
    ok(&logseal(
        &["keygen", "--name", "notifier", "--out", "nt"],
        d,
        None,
    ));
    let reg = registration("notifier", &d.join("nt.pub"), &["data-access"]);
    ok(&logseal(
        &["append", "log", "--in", "-", "--producer-key", "ra.key"],
        d,
        Some(&lines([reg])),
    ));
    let down = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/tsa", l.local_addr().unwrap())
    };
    let out = logseal(
        &[
            "checkpoint",
            "log",
            "--tsa",
            &down,
            "--tsa-cert",
            "tsa-ca.pem",
        ],
        d,
        None,
    );
    ok(&out);
    assert!(common::text(&out.stderr).contains("NOT TIMESTAMPED"));
    assert!(!d.join("log/public").join(timestamp_key(2)).exists());
    let report = ok(&verify(d, &[]));
    let f: Vec<Value> = findings(&report)
        .into_iter()
        .filter(|f| f["code"] == "checkpoint-timestamp-missing")
        .collect();
    assert_eq!(f.len(), 1, "{report}");
    assert_eq!(f[0]["verdict"], "notice");

    // The token of an earlier checkpoint of the history (size 1) is judged too.
    std::fs::write(&token_path, &bad).unwrap();
    let out = verify(d, &[]);
    fails(&out, 1);
    let report = common::text(&out.stdout);
    let f: Vec<Value> = findings(&report)
        .into_iter()
        .filter(|f| f["code"] == "checkpoint-timestamp-invalid")
        .collect();
    assert_eq!(f.len(), 1, "{report}");
    assert!(
        f[0]["message"].as_str().unwrap().contains("size 1"),
        "{report}"
    );
    std::fs::write(&token_path, &token).unwrap();

    // `serve --tsa`: the checkpoint it publishes for the grown log (size 3) is time-stamped.
    ok(&logseal(
        &["keygen", "--name", "case-tracker", "--out", "ct"],
        d,
        None,
    ));
    let reg = registration("case-tracker", &d.join("ct.pub"), &["data-access"]);
    ok(&logseal(
        &["append", "log", "--in", "-", "--producer-key", "ra.key"],
        d,
        Some(&lines([reg])),
    ));
    let served = common::served::Served::start_args(
        d,
        "log",
        &[],
        &["--tsa", &tsa.url, "--tsa-cert", "tsa-ca.pem"],
    );
    let stamped = d.join("log/public").join(timestamp_key(3));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !stamped.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(stamped.exists(), "serve --tsa kept no token of size 3");
    let report = ok(&logseal(
        &["verify", &served.url, "--trust", "trust.json", "--json"],
        d,
        None,
    ));
    assert!(
        !codes(&report)
            .iter()
            .any(|c| c.starts_with("checkpoint-time")),
        "{report}"
    );
}

/// A bundle carries the token over each of its checkpoints (key 16), and `bundle verify`
/// judges it by the same rule: the valid bundle vector, its newest checkpoint stamped by the
/// local TSA, verifies; a flipped token byte is `checkpoint-timestamp-invalid`.
#[test]
fn bundle_verify_checks_the_token_of_its_checkpoint() {
    let Some(tsa) =
        common::tsa::Tsa::start_or_notice("bundle_verify_checks_the_token_of_its_checkpoint")
    else {
        return;
    };
    let vectors = Path::new(env!("CARGO_MANIFEST_DIR")).join("testvectors");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut bundle =
        logseal::bundle::Bundle::decode(&std::fs::read(vectors.join("bundle-valid.cbor")).unwrap())
            .unwrap();
    let ca_pem = std::fs::read_to_string(&tsa.ca_pem).unwrap();
    let ca = logseal::timestamp::Authority::from_pem("tsa", &ca_pem).unwrap();
    let newest = bundle.checkpoints.last().unwrap().to_vec();
    let text = logseal::note::parse_note(&newest).unwrap().text;
    let nonce = [0x42; 8];
    let req = logseal::timestamp::request(text.as_bytes(), &nonce).unwrap();
    let token =
        logseal::client::request_timestamp(&tsa.url, &req, std::time::Duration::from_secs(10))
            .unwrap();
    logseal::timestamp::verify_response(&token, text.as_bytes(), Some(&nonce), &[ca]).unwrap();
    let mut stamps = vec![minicbor::bytes::ByteVec::from(Vec::new()); bundle.checkpoints.len()];
    *stamps.last_mut().unwrap() = minicbor::bytes::ByteVec::from(token.clone());
    bundle.timestamps = Some(stamps);
    let mut trust: Value =
        serde_json::from_slice(&std::fs::read(vectors.join("bundle-trust.json")).unwrap()).unwrap();
    trust["timestamp_authorities"] = serde_json::json!([{"name": "tsa", "certificate": ca_pem}]);
    std::fs::write(d.join("trust.json"), serde_json::to_vec(&trust).unwrap()).unwrap();
    let run = |b: &logseal::bundle::Bundle| {
        std::fs::write(d.join("b.lsb"), b.encode()).unwrap();
        logseal(
            &[
                "bundle",
                "verify",
                "b.lsb",
                "--trust",
                "trust.json",
                "--json",
            ],
            d,
            None,
        )
    };
    let report = ok(&run(&bundle));
    assert!(
        !codes(&report)
            .iter()
            .any(|c| c.starts_with("checkpoint-timestamp")),
        "{report}"
    );
    let mut bad = token;
    let n = bad.len();
    bad[n - 1] ^= 1;
    bundle
        .timestamps
        .as_mut()
        .unwrap()
        .last_mut()
        .unwrap()
        .clone_from(&minicbor::bytes::ByteVec::from(bad));
    let out = run(&bundle);
    fails(&out, 1);
    let report = common::text(&out.stdout);
    assert!(
        codes(&report).contains(&"checkpoint-timestamp-invalid".to_string()),
        "{report}"
    );
    // Without the token: said, not a violation.
    bundle.timestamps = None;
    let report = ok(&run(&bundle));
    assert!(
        codes(&report).contains(&"checkpoint-timestamp-missing".to_string()),
        "{report}"
    );
}
