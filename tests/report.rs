//! `logseal report` on the shared demo: the supervisory statistics (text snapshot, JSON and
//! CSV shapes), the DSA Transparency Database export validated against
//! `schemas/dsa-tdb-statement.schema.json`, and the reconciliation of a submitted file with
//! the log. Records are named by their role in the scenario (shared/scenario.md), found
//! through the log, never by leaf number.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{fails, logseal, ok, shared_demo, text};
use serde_json::{Map, Value, json};

fn demo() -> &'static Path {
    shared_demo()
}

fn trust() -> String {
    demo().join("demo/auditor/trust.json").display().to_string()
}

fn honest() -> String {
    demo().join("demo/honest").display().to_string()
}

fn report(extra: &[&str]) -> Output {
    let (log, trust) = (honest(), trust());
    let mut args = vec!["report", log.as_str(), "--trust", trust.as_str()];
    args.extend_from_slice(extra);
    logseal(&args, demo(), None)
}

fn json_of(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", text(&o.stdout), text(&o.stderr)))
}

/// The export case of scenario B (shared/scenario.md): the sanction the demo exported as
/// evidence, read from its exported record.
fn export_case_puid() -> String {
    let args = [
        "record",
        "show",
        "demo/export/sanction.cose",
        "--key",
        "demo/keys/trust-and-safety.pub",
        "--origin",
        "demo.logseal.example/log",
        "--json",
    ];
    let v: Value = serde_json::from_str(&ok(&logseal(&args, demo(), None))).unwrap();
    assert_eq!(v["valid"], true);
    v["body"]["puid"].as_str().unwrap().to_string()
}

#[test]
fn text_report_of_the_demo() {
    // The demo's keys are new on every build, so its root is too: the snapshot names it.
    let root = json_of(&report(&["--json"]))["coverage"]["checkpoint"]["root"]
        .as_str()
        .unwrap()
        .to_string();
    let out = ok(&report(&[]));
    assert!(out.contains(&root));
    insta::assert_snapshot!(out.replace(&root, "[root]"));
}

#[test]
fn json_report_states_its_coverage_and_counts() {
    let v = json_of(&report(&["--json"]));
    assert_eq!(v["format"], 1);
    let c = &v["coverage"];
    let info: Value =
        serde_json::from_str(&ok(&logseal(&["info", &honest(), "--json"], demo(), None))).unwrap();
    assert_eq!(c["checkpoint"]["size"], info["size"]);
    assert_eq!(c["records_counted"], info["size"], "every record counted");
    assert_eq!(c["time_zone"], "UTC");
    let checks: Vec<u64> = c["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["check"].as_u64().unwrap())
        .collect();
    assert_eq!(checks, (1..=checks.len() as u64).collect::<Vec<_>>());
    assert!(checks.len() >= 7, "{checks:?}");
    // The unlogged query (scenario A): the query front-end's chain is reported as short.
    assert_eq!(
        c["broken_chains"][0]["findings"]["heartbeat-counter-mismatch"], 1,
        "{c}"
    );
    assert_eq!(c["broken_chains"][0]["producer"], "query-frontend");

    // The official who queried after his authorisation was revoked: denied, logged as such.
    let a = &v["accesses"];
    assert_eq!(a["denied"], 1);
    let attempt = &a["denied_attempts"][0];
    assert!(
        attempt["check6"]
            .as_str()
            .unwrap()
            .contains("revoked at leaf"),
        "{attempt}"
    );
    let sum = |m: &Value| {
        m.as_object()
            .unwrap()
            .values()
            .map(|n| n.as_u64().unwrap())
            .sum::<u64>()
    };
    for table in [
        "by_organisation",
        "by_role",
        "by_legal_basis",
        "by_purpose",
        "by_month",
    ] {
        assert_eq!(sum(&a[table]), a["total"].as_u64().unwrap(), "{table}");
    }
    assert_eq!(
        a["authorisations"]["used_after_revocation"]["status"],
        "determined"
    );

    // Scenario B: the export case has no statement of reasons and a decided appeal.
    let s = &v["sanctions"];
    assert_eq!(s["by_statement"]["none logged"], 1);
    assert_eq!(
        s["without_statement"][0]["puid"],
        export_case_puid().as_str()
    );
    assert_eq!(s["appeal_decisions_by_review"]["no human review"], 1);
    assert_eq!(sum(&s["by_ground"]), s["total"].as_u64().unwrap());
    let t = &s["time_to_appeal_decision"];
    assert_eq!(t["relative_error"], 0.01);
    assert!(t["max_ms"].as_u64().unwrap() >= t["median_ms"].as_u64().unwrap());
}

#[test]
fn without_a_trust_file_the_verifier_does_not_run_and_says_so() {
    let log = honest();
    let v = json_of(&logseal(&["report", &log, "--json"], demo(), None));
    let c = &v["coverage"];
    assert!(c["checks"].as_array().unwrap().is_empty());
    assert!(
        c["verification_not_run"]
            .as_str()
            .unwrap()
            .starts_with("no --trust"),
        "{c}"
    );
    assert_eq!(
        v["accesses"]["authorisations"]["used_after_revocation"]["status"],
        "not-determined"
    );
}

#[test]
fn csv_rows_are_tables_of_counts() {
    let out = ok(&report(&["--csv"]));
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("table,key,value"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert!(rows.iter().all(|r| r.len() == 3), "{out}");
    let get = |t: &str, k: &str| {
        rows.iter()
            .find(|r| r[0] == t && r[1] == k)
            .unwrap_or_else(|| panic!("no row {t},{k}"))[2]
            .to_string()
    };
    assert_eq!(get("coverage", "check_2"), "holds");
    let total: u64 = get("accesses", "total").parse().unwrap();
    let by_basis: u64 = rows
        .iter()
        .filter(|r| r[0] == "accesses.by_legal_basis")
        .map(|r| r[2].parse::<u64>().unwrap())
        .sum();
    assert_eq!(by_basis, total);
    assert_eq!(get("sanctions.by_statement", "none logged"), "1");
}

/// A JSON Schema validator for the keywords `schemas/dsa-tdb-statement.schema.json` uses
/// (draft 2020-12): type, enum, const, minLength, maxLength, pattern, required, properties,
/// additionalProperties, items, minItems, uniqueItems, contains, anyOf, allOf, not,
/// if/then/else. An unknown keyword fails, so the schema cannot outgrow the validator.
fn validate(schema: &Value, v: &Value, at: &str, errors: &mut Vec<String>) {
    let Value::Object(s) = schema else { return };
    let valid = |sub: &Value, v: &Value| {
        let mut e = Vec::new();
        validate(sub, v, at, &mut e);
        e.is_empty()
    };
    for (k, x) in s {
        match k.as_str() {
            "$schema" | "$id" | "title" | "description" => {}
            "type" => {
                let types: Vec<&str> = match x {
                    Value::Array(a) => a.iter().map(|t| t.as_str().unwrap()).collect(),
                    t => vec![t.as_str().unwrap()],
                };
                let ok = types.iter().any(|t| match *t {
                    "object" => v.is_object(),
                    "array" => v.is_array(),
                    "string" => v.is_string(),
                    "null" => v.is_null(),
                    other => panic!("type {other}"),
                });
                if !ok {
                    errors.push(format!("{at}: not {types:?}"));
                }
            }
            "enum" if !x.as_array().unwrap().contains(v) => {
                errors.push(format!("{at}: {v} not in enum"))
            }
            "const" if x != v => errors.push(format!("{at}: {v} is not {x}")),
            "minLength" | "maxLength" => {
                if let Some(t) = v.as_str() {
                    let n = t.chars().count() as u64;
                    let lim = x.as_u64().unwrap();
                    if (k == "minLength" && n < lim) || (k == "maxLength" && n > lim) {
                        errors.push(format!("{at}: length {n} breaks {k} {lim}"));
                    }
                }
            }
            "pattern" => {
                if let Some(t) = v.as_str()
                    && !regex::Regex::new(x.as_str().unwrap()).unwrap().is_match(t)
                {
                    errors.push(format!("{at}: {t:?} does not match {x}"));
                }
            }
            "required" => {
                if let Some(o) = v.as_object() {
                    for f in x.as_array().unwrap() {
                        if !o.contains_key(f.as_str().unwrap()) {
                            errors.push(format!("required {}", f.as_str().unwrap()));
                        }
                    }
                }
            }
            "properties" => {
                if let Some(o) = v.as_object() {
                    for (f, sub) in x.as_object().unwrap() {
                        if let Some(fv) = o.get(f) {
                            validate(sub, fv, &format!("{at}/{f}"), errors);
                        }
                    }
                }
            }
            "additionalProperties" => {
                let known = s["properties"].as_object().unwrap();
                if let (Some(o), Value::Bool(false)) = (v.as_object(), x) {
                    for f in o.keys().filter(|f| !known.contains_key(*f)) {
                        errors.push(format!("{at}/{f}: not allowed"));
                    }
                }
            }
            "items" => {
                for (i, item) in v.as_array().into_iter().flatten().enumerate() {
                    validate(x, item, &format!("{at}/{i}"), errors);
                }
            }
            "minItems" => {
                if v.as_array()
                    .is_some_and(|a| (a.len() as u64) < x.as_u64().unwrap())
                {
                    errors.push(format!("{at}: fewer than {x} items"));
                }
            }
            "uniqueItems" => {
                if let Some(a) = v.as_array() {
                    let set: std::collections::BTreeSet<String> =
                        a.iter().map(|i| i.to_string()).collect();
                    if set.len() != a.len() {
                        errors.push(format!("{at}: items not unique"));
                    }
                }
            }
            "contains" => {
                if v.as_array().is_some_and(|a| !a.iter().any(|i| valid(x, i))) {
                    errors.push(format!("{at}: contains nothing matching {x}"));
                }
            }
            "anyOf" => {
                if !x.as_array().unwrap().iter().any(|sub| valid(sub, v)) {
                    errors.push(format!("{at}: none of anyOf holds"));
                }
            }
            "allOf" => {
                for sub in x.as_array().unwrap() {
                    validate(sub, v, at, errors);
                }
            }
            "not" if valid(x, v) => errors.push(format!("{at}: matches not {x}")),
            "if" => {
                let branch = if valid(x, v) {
                    s.get("then")
                } else {
                    s.get("else")
                };
                if let Some(b) = branch {
                    validate(b, v, at, errors);
                }
            }
            "then" | "else" | "enum" | "const" | "not" => {}
            other => panic!("the validator does not know {other}"),
        }
    }
}

fn schema() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/dsa-tdb-statement.schema.json");
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn errors_of(v: &Value) -> Vec<String> {
    let mut e = Vec::new();
    validate(&schema(), v, "", &mut e);
    e.sort();
    e
}

/// The field a "cannot export" problem names.
fn missing_field(problem: &str) -> Option<&str> {
    problem.split_once(" missing").map(|(f, _)| f)
}

/// `logseal report --tdb OUT --json` on the demo: (the file written, the JSON printed).
fn tdb_export(dir: &Path) -> (Value, Value) {
    let out = dir.join("statements.json");
    let o = report(&["--tdb", out.to_str().unwrap(), "--json"]);
    let printed = json_of(&o);
    let written: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    (written, printed)
}

#[test]
fn tdb_export_validates_against_the_schema_and_names_what_is_missing() {
    let tmp = tempfile::tempdir().unwrap();
    let (written, printed) = tdb_export(tmp.path());
    let statements = written["statements"].as_array().unwrap();
    for s in statements {
        assert_eq!(errors_of(s), Vec::<String>::new(), "{s}");
    }
    let not = printed["not_exported"].as_array().unwrap();
    assert_eq!(
        statements.len() + not.len(),
        240,
        "every sanction of the demo"
    );
    assert_eq!(printed["statements"], statements.len());
    for n in not {
        // What the schema finds wrong with the fields the log holds is exactly what the
        // export said was missing.
        let problems: Vec<&str> = n["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap())
            .collect();
        let mut named: Vec<String> = problems
            .iter()
            .filter_map(|p| missing_field(p))
            .map(|f| format!("required {f}"))
            .collect();
        named.sort();
        assert_eq!(errors_of(&n["fields"]), named, "{n}");
    }
    // No sealed value of the export case leaves the log (DSA 24(5)).
    let all = serde_json::to_string(&printed).unwrap();
    for sealed in [
        "account_id",
        "explanation\":",
        "matched_hash_value",
        "reviewer\"",
    ] {
        assert!(!all.contains(sealed), "{sealed}");
    }
}

#[test]
fn tdb_export_exit_status_and_text() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("s.json");
    let o = report(&["--tdb", out.to_str().unwrap()]);
    // Every demo sanction carries the database's required public fields (content_date,
    // decision_facts, ground_explanation): all are written, exit 0. (A sanction lacking one
    // is named per puid with exit 1: src/report/tdb.rs unit tests.)
    let stdout = ok(&o);
    assert!(stdout.contains("wrote 240 statement(s)"), "{stdout}");
    let written: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let case = export_case_puid();
    let s = written["statements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["puid"] == case.as_str())
        .unwrap_or_else(|| panic!("{case} not exported"));
    assert!(s["incompatible_content_explanation"].is_string(), "{s}");
}

#[test]
fn the_schema_rejects_what_the_database_rejects() {
    let good = json!({
        "decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT",
        "incompatible_content_ground": "terms-4.2",
        "incompatible_content_explanation": "Prohibited by clause 4.2.",
        "decision_account": "DECISION_ACCOUNT_TERMINATED",
        "category": "STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
        "content_type": ["CONTENT_TYPE_IMAGE"],
        "content_date": "2026-03-01",
        "application_date": "2026-03-03",
        "decision_facts": "A stored image matched a hash list.",
        "source_type": "SOURCE_VOLUNTARY",
        "automated_detection": "Yes",
        "automated_decision": "AUTOMATED_DECISION_FULLY",
        "puid": "sor-1",
        "territorial_scope": ["NL", "DE"]
    });
    assert_eq!(errors_of(&good), Vec::<String>::new());
    let bad = |edit: &dyn Fn(&mut Map<String, Value>)| {
        let mut v = good.as_object().unwrap().clone();
        edit(&mut v);
        errors_of(&Value::Object(v))
    };
    assert_eq!(
        bad(&|v| {
            v.remove("decision_account");
        }),
        vec![": none of anyOf holds"]
    );
    assert_eq!(
        bad(&|v| {
            v.insert("puid".into(), json!("sor 1"));
        }),
        vec!["/puid: \"sor 1\" does not match \"^[a-zA-Z0-9_-]+$\""]
    );
    assert_eq!(
        bad(&|v| {
            v.insert(
                "category".into(),
                json!("STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE"),
            );
        }),
        vec!["/category: \"STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE\" not in enum"]
    );
    assert_eq!(
        bad(&|v| {
            v.insert("illegal_content_legal_ground".into(), json!("x"));
        }),
        vec![": matches not {\"required\":[\"illegal_content_legal_ground\"]}"]
    );
    assert_eq!(
        bad(&|v| {
            v.insert("source_identity".into(), json!("a flagger"));
        }),
        vec![": matches not {\"required\":[\"source_identity\"]}"]
    );
    assert_eq!(
        bad(&|v| {
            v.insert("application_date".into(), json!("2019-12-31"));
        })
        .len(),
        1
    );
    assert_eq!(
        bad(&|v| {
            v.insert("decision_facts".into(), json!("x".repeat(5001)));
        }),
        vec!["/decision_facts: length 5001 breaks maxLength 5000"]
    );
    assert_eq!(
        bad(&|v| {
            v.insert("content_type".into(), json!(["CONTENT_TYPE_OTHER"]));
        }),
        vec!["required content_type_other"]
    );
}

/// The statements a platform submitted, built from the export: each sanction's fields as
/// the log holds them, with the explanation the platform wrote (the log has none public).
fn submitted_from_export(dir: &Path) -> Vec<Map<String, Value>> {
    let (written, printed) = tdb_export(dir);
    let mut all: Vec<Map<String, Value>> = written["statements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_object().unwrap().clone())
        .collect();
    for n in printed["not_exported"].as_array().unwrap() {
        let mut s = n["fields"].as_object().unwrap().clone();
        s.insert(
            "incompatible_content_explanation".into(),
            json!("Prohibited by the terms, clause 4.2."),
        );
        all.push(s);
    }
    all
}

#[test]
fn reconciliation_of_a_submission_lacking_one_statement_and_altering_another() {
    let tmp = tempfile::tempdir().unwrap();
    let mut submitted = submitted_from_export(tmp.path());
    let case = export_case_puid();
    // The platform never submitted the export case, and submitted another sanction as
    // decided without automation.
    submitted.retain(|s| s["puid"] != case.as_str());
    let altered = submitted
        .iter_mut()
        .find(|s| s["automated_decision"] == "AUTOMATED_DECISION_PARTIALLY")
        .unwrap();
    altered.insert(
        "automated_decision".into(),
        json!("AUTOMATED_DECISION_NOT_AUTOMATED"),
    );
    let altered_puid = altered["puid"].as_str().unwrap().to_string();
    let file = tmp.path().join("submitted.json");
    std::fs::write(
        &file,
        serde_json::to_vec(&json!({ "statements": submitted })).unwrap(),
    )
    .unwrap();

    let o = report(&["--tdb-reconcile", file.to_str().unwrap()]);
    let err = fails(&o, 1);
    assert!(
        err.contains(
            "the submission differs from the log: 1 missing, 0 extra, 1 differing, 0 duplicate(s)"
        ),
        "{err}"
    );
    let v = json_of(&report(&[
        "--tdb-reconcile",
        file.to_str().unwrap(),
        "--json",
    ]));
    // The sanction's leaf, found by its puid through `logseal grep`.
    let leaf_of = |puid: &str| -> u64 {
        let found = json_of(&logseal(&["grep", &honest(), puid, "--json"], demo(), None));
        let hits: Vec<&Value> = found["records"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["kind"] == "account-sanction")
            .collect();
        assert_eq!(hits.len(), 1, "{puid}: {found}");
        hits[0]["leaf"].as_u64().unwrap()
    };
    let (case_leaf, altered_leaf) = (leaf_of(&case), leaf_of(&altered_puid));
    assert_eq!(v["sanctions"], 240);
    assert_eq!(v["submitted"], 239);
    assert_eq!(v["matched"], 239);
    assert_eq!(v["missing"], json!([{ "leaf": case_leaf, "puid": case }]));
    assert_eq!(v["extra"], json!([]));
    assert_eq!(
        v["differing"],
        json!([{
            "puid": altered_puid,
            "leaf": altered_leaf,
            "fields": [{
                "field": "automated_decision",
                "log": "AUTOMATED_DECISION_PARTIALLY",
                "submitted": "AUTOMATED_DECISION_NOT_AUTOMATED"
            }]
        }])
    );
    let expected = format!(
        "Transparency Database reconciliation, by puid: 240 sanction(s) in the log, 239 \
         statement(s) submitted, 239 matched\n\
         missing (in the log, not submitted): 1\n  {case} (leaf {case_leaf})\n\
         extra (submitted, not in the log): 0\n\
         differing: 1\n  {altered_puid} (leaf {altered_leaf})\n    \
         automated_decision: log \"AUTOMATED_DECISION_PARTIALLY\", submitted \
         \"AUTOMATED_DECISION_NOT_AUTOMATED\"\n\
         not compared (the log holds no public value): incompatible_content_illegal, \
         decision_visibility_other, decision_monetary_other, content_type_other, \
         source_identity, category_specification_other, category_addition, content_language, \
         decision_ground_reference_url, content_id, content_id_ean\n"
    );
    assert_eq!(text(&o.stdout), expected);
}

#[test]
fn a_submission_equal_to_the_log_agrees() {
    let tmp = tempfile::tempdir().unwrap();
    let submitted = submitted_from_export(tmp.path());
    let file: PathBuf = tmp.path().join("submitted.json");
    // The database's own list form, with its own fields (ignored).
    let list: Vec<Value> = submitted
        .into_iter()
        .map(|mut s| {
            s.insert("uuid".into(), json!("6f1c…"));
            Value::Object(s)
        })
        .collect();
    std::fs::write(&file, serde_json::to_vec(&list).unwrap()).unwrap();
    let out = ok(&report(&["--tdb-reconcile", file.to_str().unwrap()]));
    assert!(
        out.contains("240 matched\nmissing (in the log, not submitted): 0\n"),
        "{out}"
    );
}

#[test]
fn a_submitted_file_that_is_not_a_list_of_statements_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("bad.json");
    std::fs::write(&file, br#"{"statements":[{"puid":"a"},{"uuid":"b"}]}"#).unwrap();
    let err = fails(&report(&["--tdb-reconcile", file.to_str().unwrap()]), 1);
    assert!(
        err.contains("bad.json: statements.1: no puid (a string)"),
        "{err}"
    );
}

/// A data access forged with a key nobody registered — a break-glass use, to inflate what
/// the report shows — is not counted: the coverage names it as not authentic, and its
/// producer's chain as broken.
#[test]
fn records_that_are_not_authentic_are_left_out_and_named() {
    use common::tamper::{self, LATE, resign_with, write_public};
    use logseal::inspect::{Anchors, IndexHome, Inspector};
    use logseal::record::kinds::Body;
    use logseal::report::coverage::Excluded;
    use logseal::report::{SupervisoryReport, Verification, supervise};
    use logseal::store::FsStore;

    fn supervise_dir(dir: &Path) -> SupervisoryReport {
        let trust = tamper::trust();
        let o = tamper::run(dir, &trust, &tamper::fresh_state());
        let store = FsStore::open(dir.join("public")).unwrap();
        let ins = Inspector::open(&store, Anchors::from_trust(&trust), IndexHome::Memory).unwrap();
        supervise(&ins, &Verification::Ran(&o.report))
    }

    let dir = tempfile::tempdir().unwrap();
    tamper::honest_log(dir.path(), None);
    let honest = supervise_dir(dir.path());
    let mut e = tamper::entries(dir.path());
    let is_query = |b: &Vec<u8>| {
        let r = tamper::decode(b);
        r.payload().producer.as_str() == "query-frontend"
            && matches!(&r.payload().body, Body::DataAccess(d) if !d.actor.break_glass)
    };
    let forged = e.iter().position(is_query).unwrap() + 3;
    assert!(is_query(&e[forged]));
    e[forged] = resign_with(&e[forged], Some("intruder"), None, |p| {
        if let Body::DataAccess(d) = &mut p.body {
            d.actor.break_glass = true;
        }
    });
    tamper::relink(&mut e);
    write_public(dir.path(), &e, LATE);
    let r = supervise_dir(dir.path());

    let c = &r.coverage;
    assert_eq!((c.not_authentic, c.refused), (1, 0));
    assert_eq!(
        c.excluded,
        vec![Excluded {
            leaf: forged as u64,
            code: "record-unregistered-key".into()
        }]
    );
    assert_eq!(c.records_counted, e.len() as u64 - 1);
    assert_eq!(r.accesses.total, honest.accesses.total - 1);
    assert_eq!(r.accesses.break_glass, honest.accesses.break_glass);
    let chain = c
        .broken_chains
        .iter()
        .find(|b| b.producer == "query-frontend")
        .unwrap();
    assert_eq!(chain.findings.get("chain-seq-gap"), Some(&1), "{chain:?}");
}

/// An access made under an authorisation after its revocation (status ok: not denied) is
/// listed as used after revocation, as check 6 judged it.
#[test]
fn an_authorisation_used_after_its_revocation_is_listed() {
    use common::tamper::{self, LATE, resign, write_public};
    use logseal::inspect::{Anchors, IndexHome, Inspector};
    use logseal::record::kinds::Body;
    use logseal::record::kinds::authorisation::AuthorisationAction;
    use logseal::record::text::Ident;
    use logseal::report::accesses::UsedAfterRevocation;
    use logseal::report::{Verification, supervise};
    use logseal::store::FsStore;

    let dir = tempfile::tempdir().unwrap();
    tamper::honest_log(dir.path(), None);
    let mut e = tamper::entries(dir.path());
    // The revocation of scenario A, and a later lawful query by another official.
    let (revoked_at, id) = e
        .iter()
        .enumerate()
        .find_map(|(l, b)| match &tamper::decode(b).payload().body {
            Body::Authorisation(a) if a.action == AuthorisationAction::Revoke => {
                Some((l, a.authorisation_id.to_string()))
            }
            _ => None,
        })
        .unwrap();
    let later = (revoked_at + 1..e.len())
        .find(|&l| {
            let r = tamper::decode(&e[l]);
            matches!(&r.payload().body, Body::DataAccess(d)
                if d.actor.authorisation_id.is_some()
                    && r.payload().status == logseal::record::Status::Ok)
        })
        .unwrap();
    e[later] = resign(&e[later], |p| {
        if let Body::DataAccess(d) = &mut p.body {
            d.actor.authorisation_id = Some(Ident::new(id.clone()).unwrap());
        }
    });
    tamper::relink(&mut e);
    write_public(dir.path(), &e, LATE);

    let trust = tamper::trust();
    let o = tamper::run(dir.path(), &trust, &tamper::fresh_state());
    let store = FsStore::open(dir.path().join("public")).unwrap();
    let ins = Inspector::open(&store, Anchors::from_trust(&trust), IndexHome::Memory).unwrap();
    let r = supervise(&ins, &Verification::Ran(&o.report));
    let UsedAfterRevocation::Determined { accesses, unlisted } =
        &r.accesses.authorisations.used_after_revocation
    else {
        panic!("check 6 ran")
    };
    assert_eq!(*unlisted, 0);
    let listed: Vec<(&str, u64)> = accesses
        .iter()
        .map(|a| (a.authorisation_id.as_str(), a.at.leaf))
        .collect();
    assert_eq!(listed, vec![(id.as_str(), later as u64)]);
}

/// `report --sealed actor.user` on a copy of the honest log with a registered inspector:
/// `extra` arguments added.
fn sealed_report(d: &Path, extra: &[&str]) -> Output {
    std::fs::write(d.join("case"), "AP-2026-0042\n").unwrap();
    let mut args = vec![
        "report",
        "log",
        "--sealed",
        "actor.user",
        "--inspector-key",
        "insp.key",
        "--purpose",
        "supervision",
        "--legal-basis",
        "avg-art-58",
        "--case-ref-file",
        "case",
        "--organisation",
        "autoriteit-persoonsgegevens",
    ];
    args.extend_from_slice(extra);
    logseal(&args, d, None)
}

fn log_size(d: &Path) -> u64 {
    logseal::log::Log::open_read_only(&d.join("log"))
        .unwrap()
        .size()
}

#[test]
fn sealed_statistics_are_logged_first_and_count_each_official() {
    let tmp = common::inspector_copy(true);
    let d = tmp.path();
    let before = log_size(d);
    let v = json_of(&sealed_report(d, &["--json"]));
    let counted_up_to = v["coverage"]["checkpoint"]["size"].as_u64().unwrap();
    // The access record is appended after the counted checkpoint, and published.
    let logged = &v["sealed"]["logged"];
    assert_eq!(logged["leaf"].as_u64(), Some(before), "{logged}");
    assert!(before >= counted_up_to);
    assert_eq!(logged["producer"], "auditor-inspector");
    assert_eq!(logged["checkpoint_size"].as_u64(), Some(before + 1));
    assert_eq!(log_size(d), before + 1);
    let leaf = before.to_string();
    let shown = json_of(&logseal(&["show", "log", &leaf, "--json"], d, None));
    let body = &shown["record"]["body"];
    assert_eq!(body["purpose"], "supervision", "{body}");
    assert_eq!(body["legal_basis"], "avg-art-58");
    assert_eq!(
        body["revealed_ranges"],
        json!([{"first": 0, "last": counted_up_to - 1, "field": "actor.user"}])
    );
    // Every data access carries actor.user: each is counted or named as not counted.
    let f = &v["sealed"]["fields"][0];
    assert_eq!(f["field"], "actor.user");
    let per_value = f["per_value"].as_array().unwrap();
    let sum: u64 = per_value.iter().map(|p| p[1].as_u64().unwrap()).sum();
    assert_eq!(f["counted"].as_u64(), Some(sum));
    let records = f["records"].as_u64().unwrap();
    let not_stored = f["not_stored"].as_u64().unwrap();
    assert_eq!(sum + not_stored, records, "{f}");
    assert_eq!(f["mismatched"], json!([]));
    assert!(
        per_value.len() > 10 && per_value.iter().any(|p| p[0] == "auditor-inspector"),
        "the officials and the demo's own inspection: {per_value:?}"
    );
    // The counts agree with the public part: one actor.user per data access, any status.
    let a = &v["accesses"];
    let public = ["total", "denied", "errors"].map(|k| a[k].as_u64().unwrap());
    assert_eq!(public.iter().sum::<u64>(), records, "{a}");
}

#[test]
fn sealed_statistics_text_names_the_logged_access() {
    let tmp = common::inspector_copy(true);
    let d = tmp.path();
    let out = ok(&sealed_report(d, &[]));
    let at = out.find("sealed fields (on site; this inspection is logged: leaf ");
    assert!(at.is_some(), "{out}");
    assert!(out.contains("accesses per actor.user: "), "{out}");
    assert!(out.contains("distinct value(s)"), "{out}");
}

#[test]
fn sealed_statistics_read_nothing_when_the_access_cannot_be_logged() {
    // The inspector's key is not registered: the access record is refused.
    let tmp = common::inspector_copy(false);
    let d = tmp.path();
    let before = log_size(d);
    let o = sealed_report(d, &["--json"]);
    let err = fails(&o, 1);
    assert!(err.contains("nothing is revealed"), "{err}");
    assert!(o.stdout.is_empty(), "no count printed: {}", text(&o.stdout));
    assert_eq!(log_size(d), before);
}

#[test]
fn sealed_statistics_refuse_fields_they_cannot_count_by() {
    let tmp = common::inspector_copy(true);
    let d = tmp.path();
    let before = log_size(d);
    std::fs::write(d.join("case"), "AP-1\n").unwrap();
    let o = logseal(
        &[
            "report",
            "log",
            "--sealed",
            "subjects",
            "--inspector-key",
            "insp.key",
            "--purpose",
            "supervision",
            "--legal-basis",
            "avg-art-58",
            "--case-ref-file",
            "case",
        ],
        d,
        None,
    );
    let err = fails(&o, 1);
    assert!(err.contains("--sealed subjects"), "{err}");
    assert_eq!(log_size(d), before);
    // --sealed without the inspector's reasons is a usage error.
    let o = logseal(&["report", "log", "--sealed", "actor.user"], d, None);
    let err = fails(&o, 2);
    assert!(err.contains("--inspector-key"), "{err}");
}
