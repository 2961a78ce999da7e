//! [`EtcdClient`]: a blocking client of etcd v3 through its JSON gateway (etcd 3.4: `POST
//! /v3/kv/range`, `/v3/kv/put`, `/v3/kv/txn`, `/v3/kv/deleterange`, `/v3/lease/grant`,
//! `/v3/lease/keepalive`, `/v3/lease/revoke`, `/v3/lease/leases`).
//!
//! The gateway speaks the protobuf messages of `etcdserverpb` as JSON with their original
//! field names: bytes (keys, values) are base64, 64-bit integers are strings, and a field
//! at its zero value is left out (an absent `value` is the empty value, an absent
//! `create_revision` is 0, an absent `succeeded` is false). The requests are built and the
//! answers read by pure functions ([`encode_txn`], [`decode_range`], [`decode_txn`], …),
//! tested without a server; the client only moves the bytes. Plain HTTP: the client is
//! built without TLS (an etcd behind TLS needs the `ureq` TLS feature).
//!
//! Owns no policy: the sequencer lease and the fencing token are in [`super`].

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};

use super::CoordError;

/// Largest answer read from the gateway (a range of the largest values fits).
const MAX_ANSWER: u64 = 8 << 20;

/// The time one request may take unless the caller says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// One key as etcd keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KeyValue {
    pub key: Vec<u8>,
    pub value: Vec<u8>,
    /// The revision at which the key was created (0: it does not exist).
    pub create_revision: i64,
    /// The revision of its last change.
    pub mod_revision: i64,
    /// How many times it was written since it was created.
    pub version: i64,
    /// The lease it is attached to (0: none).
    pub lease: i64,
}

/// The answer to a range request: the store's revision when it was read, and the keys.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Range {
    pub revision: i64,
    pub kvs: Vec<KeyValue>,
}

/// A condition of a transaction, on one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Compare {
    /// The key's create revision equals this (0: the key does not exist).
    CreateRevision { key: Vec<u8>, equals: i64 },
    /// The key's version equals this (0: the key does not exist).
    Version { key: Vec<u8>, equals: i64 },
    /// The key exists and its value equals this (etcd fails a value compare on a missing key).
    Value { key: Vec<u8>, equals: Vec<u8> },
}

/// An operation of a transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// Write `value` at `key`, attached to `lease` (0: none).
    Put {
        key: Vec<u8>,
        value: Vec<u8>,
        lease: i64,
    },
    /// Read one key.
    Get { key: Vec<u8> },
}

/// A transaction: if every compare holds, `success` is applied, else `failure`, atomically.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Txn {
    pub compare: Vec<Compare>,
    pub success: Vec<Op>,
    pub failure: Vec<Op>,
}

/// The answer to one operation of a transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpResponse {
    /// A put was applied.
    Put,
    /// The keys a `Get` found (none: the key does not exist).
    Range(Vec<KeyValue>),
}

/// The answer to a transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxnResponse {
    /// The store's revision after the transaction.
    pub revision: i64,
    /// Whether every compare held (and `success` was applied).
    pub succeeded: bool,
    /// One answer per operation of the branch that was applied, in order.
    pub responses: Vec<OpResponse>,
}

/// A client of one etcd endpoint (`http://127.0.0.1:2379`).
#[derive(Debug, Clone)]
pub struct EtcdClient {
    endpoint: String,
    agent: ureq::Agent,
}

impl EtcdClient {
    /// A client of the etcd gateway at `endpoint`, each request bounded by
    /// [`DEFAULT_TIMEOUT`]. Only `http://` endpoints are accepted.
    pub fn new(endpoint: &str) -> Result<EtcdClient, CoordError> {
        EtcdClient::with_timeout(endpoint, DEFAULT_TIMEOUT)
    }

    /// As [`EtcdClient::new`], each request bounded by `timeout`.
    pub fn with_timeout(endpoint: &str, timeout: Duration) -> Result<EtcdClient, CoordError> {
        let endpoint = endpoint.trim_end_matches('/');
        let host = endpoint.strip_prefix("http://").unwrap_or("");
        if host.is_empty() || host.contains(['/', '?', '#']) {
            return Err(CoordError::Endpoint {
                endpoint: endpoint.to_string(),
                reason: "expected http://HOST:PORT (the client speaks plain HTTP)".into(),
            });
        }
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(timeout))
            .build();
        Ok(EtcdClient {
            endpoint: endpoint.to_string(),
            agent: config.into(),
        })
    }

    /// The endpoint, as errors name it.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Read one key (an empty `kvs` when it does not exist).
    pub fn get(&self, key: &[u8]) -> Result<Range, CoordError> {
        let op = "range";
        let answer = self.call(op, "/v3/kv/range", &json!({ "key": b64(key) }))?;
        decode_range(&answer).map_err(|reason| self.answer(op, reason))
    }

    /// Read every key that starts with `prefix`, in key order.
    pub fn get_prefix(&self, prefix: &[u8]) -> Result<Range, CoordError> {
        let op = "range";
        let body = json!({ "key": b64(prefix), "range_end": b64(&prefix_end(prefix)) });
        let answer = self.call(op, "/v3/kv/range", &body)?;
        decode_range(&answer).map_err(|reason| self.answer(op, reason))
    }

    /// Write `value` at `key` unconditionally, attached to `lease` (0: none); returns the
    /// store's revision after the write.
    pub fn put(&self, key: &[u8], value: &[u8], lease: i64) -> Result<i64, CoordError> {
        let op = "put";
        let answer = self.call(op, "/v3/kv/put", &encode_put(key, value, lease))?;
        header_revision(&answer).map_err(|reason| self.answer(op, reason))
    }

    /// Delete `key`; returns how many keys were deleted (0 or 1).
    pub fn delete(&self, key: &[u8]) -> Result<i64, CoordError> {
        let op = "deleterange";
        let answer = self.call(op, "/v3/kv/deleterange", &json!({ "key": b64(key) }))?;
        int64(&answer, "deleted").map_err(|reason| self.answer(op, reason))
    }

    /// Apply a transaction.
    pub fn txn(&self, txn: &Txn) -> Result<TxnResponse, CoordError> {
        let op = "txn";
        let answer = self.call(op, "/v3/kv/txn", &encode_txn(txn))?;
        decode_txn(&answer).map_err(|reason| self.answer(op, reason))
    }

    /// Grant a lease of `ttl_seconds`; returns its id and the TTL granted.
    pub fn lease_grant(&self, ttl_seconds: i64) -> Result<(i64, i64), CoordError> {
        let op = "lease grant";
        let body = json!({ "TTL": ttl_seconds.to_string(), "ID": "0" });
        let answer = self.call(op, "/v3/lease/grant", &body)?;
        decode_lease_grant(&answer).map_err(|reason| self.answer(op, reason))
    }

    /// Renew lease `id`; returns its TTL in seconds, 0 when the lease no longer exists
    /// (expired or revoked: it cannot be renewed).
    pub fn lease_keepalive(&self, id: i64) -> Result<i64, CoordError> {
        let op = "lease keepalive";
        let answer = self.call(op, "/v3/lease/keepalive", &json!({ "ID": id.to_string() }))?;
        decode_keepalive(&answer).map_err(|reason| self.answer(op, reason))
    }

    /// Revoke lease `id`, deleting every key attached to it; `false` when there was no such
    /// lease (it had expired or was revoked already).
    pub fn lease_revoke(&self, id: i64) -> Result<bool, CoordError> {
        let op = "lease revoke";
        match self.call(op, "/v3/lease/revoke", &json!({ "ID": id.to_string() })) {
            Ok(_) => Ok(true),
            Err(CoordError::Status { status: 404, .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// The ids of every lease etcd holds, in ascending order.
    pub fn leases(&self) -> Result<Vec<i64>, CoordError> {
        let op = "lease leases";
        let answer = self.call(op, "/v3/lease/leases", &json!({}))?;
        decode_leases(&answer).map_err(|reason| self.answer(op, reason))
    }

    /// POST `body` to `path`; the answer's JSON, or the gateway's refusal.
    fn call(&self, op: &'static str, path: &str, body: &Value) -> Result<Value, CoordError> {
        let url = format!("{}{path}", self.endpoint);
        let transport = |e: ureq::Error| CoordError::Transport {
            endpoint: self.endpoint.clone(),
            op,
            reason: e.to_string(),
        };
        let bytes = serde_json::to_vec(body).map_err(|e| self.answer(op, e.to_string()))?;
        let mut answer = self
            .agent
            .post(&url)
            .header("content-type", "application/json")
            .send(&bytes[..])
            .map_err(transport)?;
        let status = answer.status().as_u16();
        let body = answer
            .body_mut()
            .with_config()
            .limit(MAX_ANSWER)
            .read_to_vec()
            .map_err(transport)?;
        if status != 200 {
            return Err(CoordError::Status {
                endpoint: self.endpoint.clone(),
                op,
                status,
                message: error_message(&body),
            });
        }
        let value: Value =
            serde_json::from_slice(&body).map_err(|e| self.answer(op, e.to_string()))?;
        // A streaming endpoint (keepalive) wraps its answer as `{"result": …}` or
        // `{"error": …}` on a 200.
        if let Some(err) = value.get("error") {
            return Err(CoordError::Status {
                endpoint: self.endpoint.clone(),
                op,
                status,
                message: err
                    .get("message")
                    .and_then(Value::as_str)
                    .map_or_else(|| err.to_string(), str::to_string),
            });
        }
        Ok(value)
    }

    fn answer(&self, op: &'static str, reason: String) -> CoordError {
        CoordError::Answer {
            endpoint: self.endpoint.clone(),
            op,
            reason,
        }
    }
}

/// Base64 (standard, padded) as the gateway expects bytes.
pub fn b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// The first key after every key that starts with `prefix` (etcd's `range_end` for a prefix
/// read); `[0]` (every key) for an empty prefix or one of only `0xff` bytes.
pub fn prefix_end(prefix: &[u8]) -> Vec<u8> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return end;
        }
    }
    vec![0]
}

/// The JSON of a put request.
pub fn encode_put(key: &[u8], value: &[u8], lease: i64) -> Value {
    let mut put = Map::new();
    put.insert("key".into(), b64(key).into());
    put.insert("value".into(), b64(value).into());
    if lease != 0 {
        put.insert("lease".into(), lease.to_string().into());
    }
    Value::Object(put)
}

/// The JSON of a transaction request.
pub fn encode_txn(txn: &Txn) -> Value {
    let compare: Vec<Value> = txn.compare.iter().map(encode_compare).collect();
    let ops = |ops: &[Op]| -> Vec<Value> { ops.iter().map(encode_op).collect() };
    json!({
        "compare": compare,
        "success": ops(&txn.success),
        "failure": ops(&txn.failure),
    })
}

fn encode_compare(c: &Compare) -> Value {
    match c {
        Compare::CreateRevision { key, equals } => json!({
            "target": "CREATE", "result": "EQUAL", "key": b64(key),
            "create_revision": equals.to_string(),
        }),
        Compare::Version { key, equals } => json!({
            "target": "VERSION", "result": "EQUAL", "key": b64(key),
            "version": equals.to_string(),
        }),
        Compare::Value { key, equals } => json!({
            "target": "VALUE", "result": "EQUAL", "key": b64(key),
            "value": b64(equals),
        }),
    }
}

fn encode_op(op: &Op) -> Value {
    match op {
        Op::Put { key, value, lease } => json!({ "request_put": encode_put(key, value, *lease) }),
        Op::Get { key } => json!({ "request_range": { "key": b64(key) } }),
    }
}

/// A 64-bit integer field: a JSON string of digits (or a number), absent meaning 0.
pub fn int64(object: &Value, field: &str) -> Result<i64, String> {
    match object.get(field) {
        None | Some(Value::Null) => Ok(0),
        Some(Value::String(s)) => s
            .parse()
            .map_err(|_| format!("{field}: {s:?} is not a 64-bit integer")),
        Some(Value::Number(n)) => n
            .as_i64()
            .ok_or_else(|| format!("{field}: {n} is not a 64-bit integer")),
        Some(other) => Err(format!("{field}: expected an integer, found {other}")),
    }
}

/// A bytes field: base64, absent meaning empty.
pub fn bytes(object: &Value, field: &str) -> Result<Vec<u8>, String> {
    match object.get(field) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) => STANDARD
            .decode(s)
            .map_err(|e| format!("{field}: not base64: {e}")),
        Some(other) => Err(format!("{field}: expected base64, found {other}")),
    }
}

/// A boolean field, absent meaning false.
fn boolean(object: &Value, field: &str) -> Result<bool, String> {
    match object.get(field) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => Err(format!("{field}: expected true or false, found {other}")),
    }
}

/// An array field, absent meaning empty.
fn array<'a>(object: &'a Value, field: &str) -> Result<&'a [Value], String> {
    match object.get(field) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(a)) => Ok(a),
        Some(other) => Err(format!("{field}: expected an array, found {other}")),
    }
}

/// The store's revision in an answer's `header`.
pub fn header_revision(answer: &Value) -> Result<i64, String> {
    let header = answer
        .get("header")
        .ok_or_else(|| "no header in the answer".to_string())?;
    int64(header, "revision").map_err(|e| format!("header.{e}"))
}

/// One key of a range answer.
pub fn decode_kv(kv: &Value) -> Result<KeyValue, String> {
    if !kv.is_object() {
        return Err(format!("expected a key-value object, found {kv}"));
    }
    Ok(KeyValue {
        key: bytes(kv, "key")?,
        value: bytes(kv, "value")?,
        create_revision: int64(kv, "create_revision")?,
        mod_revision: int64(kv, "mod_revision")?,
        version: int64(kv, "version")?,
        lease: int64(kv, "lease")?,
    })
}

fn decode_kvs(range: &Value) -> Result<Vec<KeyValue>, String> {
    (array(range, "kvs")?.iter().enumerate())
        .map(|(i, kv)| decode_kv(kv).map_err(|e| format!("kvs[{i}].{e}")))
        .collect()
}

/// A range answer. The header's revision is required (every answer of etcd carries it).
pub fn decode_range(answer: &Value) -> Result<Range, String> {
    Ok(Range {
        revision: header_revision(answer)?,
        kvs: decode_kvs(answer)?,
    })
}

/// A transaction answer.
pub fn decode_txn(answer: &Value) -> Result<TxnResponse, String> {
    let mut responses = Vec::new();
    for (i, r) in array(answer, "responses")?.iter().enumerate() {
        let decoded = if let Some(range) = r.get("response_range") {
            OpResponse::Range(decode_kvs(range).map_err(|e| format!("responses[{i}].{e}"))?)
        } else if r.get("response_put").is_some() {
            OpResponse::Put
        } else {
            return Err(format!(
                "responses[{i}]: neither a put nor a range answer: {r}"
            ));
        };
        responses.push(decoded);
    }
    Ok(TxnResponse {
        revision: header_revision(answer)?,
        succeeded: boolean(answer, "succeeded")?,
        responses,
    })
}

/// A lease grant answer: the lease's id and TTL (etcd names the fields `ID` and `TTL`).
pub fn decode_lease_grant(answer: &Value) -> Result<(i64, i64), String> {
    if let Some(e) = answer
        .get("error")
        .and_then(Value::as_str)
        .filter(|e| !e.is_empty())
    {
        return Err(format!("the lease was not granted: {e}"));
    }
    let id = int64(answer, "ID")?;
    if id == 0 {
        return Err("no lease ID in the answer".into());
    }
    Ok((id, int64(answer, "TTL")?))
}

/// A keepalive answer (`{"result": {"ID": …, "TTL": …}}`): the TTL, 0 when the lease is gone.
pub fn decode_keepalive(answer: &Value) -> Result<i64, String> {
    let result = answer
        .get("result")
        .ok_or_else(|| format!("no result in the keepalive answer: {answer}"))?;
    int64(result, "TTL").map_err(|e| format!("result.{e}"))
}

/// A lease list answer (`{"leases": [{"ID": …}, …]}`): the ids, sorted.
pub fn decode_leases(answer: &Value) -> Result<Vec<i64>, String> {
    let mut ids = (array(answer, "leases")?.iter().enumerate())
        .map(|(i, l)| int64(l, "ID").map_err(|e| format!("leases[{i}].{e}")))
        .collect::<Result<Vec<_>, _>>()?;
    ids.sort_unstable();
    Ok(ids)
}

/// The message of a gateway error body (`{"error": …, "message": …, "code": …}`), or the
/// body itself.
fn error_message(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    serde_json::from_str::<Value>(&text)
        .ok()
        .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_else(|| text.trim_end().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int64_reads_strings_numbers_and_absence() {
        let v = json!({"a": "7587869745678", "b": 12, "c": "-3", "d": "x1", "e": true});
        assert_eq!(int64(&v, "a"), Ok(7_587_869_745_678));
        assert_eq!(int64(&v, "b"), Ok(12));
        assert_eq!(int64(&v, "c"), Ok(-3));
        assert_eq!(int64(&v, "missing"), Ok(0));
        assert!(int64(&v, "d").unwrap_err().contains("\"x1\""));
        assert!(int64(&v, "e").is_err());
        let too_big = json!({"a": "9223372036854775808"});
        assert!(int64(&too_big, "a").is_err());
    }

    #[test]
    fn bytes_reads_base64_and_absence() {
        let v = json!({"k": "Zm9v", "bad": "Zm9v!", "n": 3});
        assert_eq!(bytes(&v, "k").unwrap(), b"foo");
        assert_eq!(bytes(&v, "missing").unwrap(), b"");
        assert!(bytes(&v, "bad").unwrap_err().starts_with("bad: not base64"));
        assert!(bytes(&v, "n").is_err());
    }

    #[test]
    fn prefix_end_is_the_next_key_after_the_prefix() {
        assert_eq!(prefix_end(b"log/"), b"log0");
        assert_eq!(prefix_end(b"a\xff"), b"b");
        assert_eq!(prefix_end(b"\xff\xff"), b"\0");
        assert_eq!(prefix_end(b""), b"\0");
    }

    #[test]
    fn a_put_leaves_out_a_zero_lease_and_encodes_bytes_as_base64() {
        assert_eq!(
            encode_put(b"k", b"", 0),
            json!({"key": "aw==", "value": ""})
        );
        assert_eq!(
            encode_put(b"k", b"v", 7_587_869_745_678),
            json!({"key": "aw==", "value": "dg==", "lease": "7587869745678"})
        );
    }

    #[test]
    fn a_txn_is_encoded_as_the_gateway_expects() {
        let txn = Txn {
            compare: vec![
                Compare::CreateRevision {
                    key: b"p/sequencer".to_vec(),
                    equals: 42,
                },
                Compare::Version {
                    key: b"p/a".to_vec(),
                    equals: 0,
                },
                Compare::Value {
                    key: b"p/b".to_vec(),
                    equals: b"old".to_vec(),
                },
            ],
            success: vec![Op::Put {
                key: b"p/a".to_vec(),
                value: b"new".to_vec(),
                lease: 0,
            }],
            failure: vec![Op::Get {
                key: b"p/sequencer".to_vec(),
            }],
        };
        assert_eq!(
            encode_txn(&txn),
            json!({
                "compare": [
                    {"target": "CREATE", "result": "EQUAL", "key": b64(b"p/sequencer"),
                     "create_revision": "42"},
                    {"target": "VERSION", "result": "EQUAL", "key": b64(b"p/a"), "version": "0"},
                    {"target": "VALUE", "result": "EQUAL", "key": b64(b"p/b"),
                     "value": b64(b"old")},
                ],
                "success": [{"request_put": {"key": b64(b"p/a"), "value": b64(b"new")}}],
                "failure": [{"request_range": {"key": b64(b"p/sequencer")}}],
            })
        );
    }

    /// Answers as etcd 3.4's gateway wrote them (zero fields left out, integers as strings).
    #[test]
    fn a_range_answer_decodes_with_zero_fields_left_out() {
        let answer = json!({
            "header": {"cluster_id": "15118495548433857066", "member_id": "13668033151171901709",
                       "revision": "3", "raft_term": "2"},
            "kvs": [
                {"key": "Zm9v", "create_revision": "2", "mod_revision": "2", "version": "1",
                 "value": "YmFy", "lease": "4111120503712770565"},
                {"key": "ZW1wdHk=", "create_revision": "3", "mod_revision": "3", "version": "1"},
            ],
            "count": "2",
        });
        let range = decode_range(&answer).unwrap();
        assert_eq!(range.revision, 3);
        assert_eq!(
            range.kvs,
            vec![
                KeyValue {
                    key: b"foo".to_vec(),
                    value: b"bar".to_vec(),
                    create_revision: 2,
                    mod_revision: 2,
                    version: 1,
                    lease: 4_111_120_503_712_770_565,
                },
                KeyValue {
                    key: b"empty".to_vec(),
                    value: Vec::new(),
                    create_revision: 3,
                    mod_revision: 3,
                    version: 1,
                    lease: 0,
                },
            ]
        );
        let none = json!({"header": {"revision": "1"}});
        assert_eq!(decode_range(&none).unwrap().kvs, vec![]);
        let headless = json!({"kvs": []});
        assert_eq!(
            decode_range(&headless).unwrap_err(),
            "no header in the answer"
        );
        let bad = json!({"header": {"revision": "1"}, "kvs": [{"key": "Zm9v", "version": "x"}]});
        assert!(
            decode_range(&bad)
                .unwrap_err()
                .starts_with("kvs[0].version:")
        );
    }

    #[test]
    fn txn_answers_decode_on_success_and_failure() {
        let ok = json!({
            "header": {"revision": "2"}, "succeeded": true,
            "responses": [{"response_put": {"header": {"revision": "2"}}}],
        });
        assert_eq!(
            decode_txn(&ok).unwrap(),
            TxnResponse {
                revision: 2,
                succeeded: true,
                responses: vec![OpResponse::Put],
            }
        );
        // A failed txn leaves `succeeded` out; an empty range leaves `kvs` out.
        let failed = json!({
            "header": {"revision": "9"},
            "responses": [
                {"response_range": {"header": {"revision": "9"}, "kvs": [
                    {"key": "Zm9v", "create_revision": "2", "mod_revision": "5",
                     "version": "3", "value": "YmFy"}], "count": "1"}},
                {"response_range": {"header": {"revision": "9"}}},
            ],
        });
        let decoded = decode_txn(&failed).unwrap();
        assert!(!decoded.succeeded);
        assert_eq!(decoded.revision, 9);
        assert_eq!(decoded.responses.len(), 2);
        assert!(matches!(&decoded.responses[0], OpResponse::Range(kvs) if kvs[0].value == b"bar"));
        assert_eq!(decoded.responses[1], OpResponse::Range(vec![]));
        let odd =
            json!({"header": {"revision": "9"}, "responses": [{"response_delete_range": {}}]});
        assert!(
            decode_txn(&odd)
                .unwrap_err()
                .starts_with("responses[0]: neither")
        );
    }

    #[test]
    fn lease_answers_decode() {
        let granted = json!({"header": {"revision": "1"}, "ID": "4111120503712770565", "TTL": "5"});
        assert_eq!(
            decode_lease_grant(&granted),
            Ok((4_111_120_503_712_770_565, 5))
        );
        assert!(decode_lease_grant(&json!({"header": {}})).is_err());
        assert!(decode_lease_grant(&json!({"ID": "1", "error": "too many leases"})).is_err());
        let alive = json!({"result": {"header": {"revision": "2"}, "ID": "7", "TTL": "10"}});
        assert_eq!(decode_keepalive(&alive), Ok(10));
        // etcd answers a keepalive of a lease it no longer has with its TTL left out.
        let gone = json!({"result": {"header": {"revision": "2"}, "ID": "7"}});
        assert_eq!(decode_keepalive(&gone), Ok(0));
        assert!(decode_keepalive(&json!({"header": {}})).is_err());
        let leases = json!({"header": {"revision": "1"},
                            "leases": [{"ID": "4111120504497360135"}, {"ID": "4111120504497360133"}]});
        assert_eq!(
            decode_leases(&leases),
            Ok(vec![4_111_120_504_497_360_133, 4_111_120_504_497_360_135])
        );
        assert_eq!(
            decode_leases(&json!({"header": {"revision": "1"}})),
            Ok(vec![])
        );
        assert!(
            decode_leases(&json!({"leases": [{"ID": "x"}]}))
                .unwrap_err()
                .starts_with("leases[0].ID")
        );
    }

    #[test]
    fn a_gateway_error_body_gives_its_message() {
        let body = br#"{"error":"etcdserver: request is too large","message":"etcdserver: request is too large","code":3}"#;
        assert_eq!(error_message(body), "etcdserver: request is too large");
        assert_eq!(error_message(b"not json\n"), "not json");
    }

    #[test]
    fn only_plain_http_endpoints_are_accepted() {
        assert!(EtcdClient::new("http://127.0.0.1:2379/").is_ok());
        assert_eq!(
            EtcdClient::new("http://127.0.0.1:2379/")
                .unwrap()
                .endpoint(),
            "http://127.0.0.1:2379"
        );
        for bad in [
            "https://etcd:2379",
            "127.0.0.1:2379",
            "http://",
            "http://h:1/v3",
        ] {
            let e = EtcdClient::new(bad).unwrap_err();
            assert!(matches!(e, CoordError::Endpoint { .. }), "{bad}: {e}");
            assert!(e.to_string().contains(bad.trim_end_matches('/')), "{e}");
        }
    }
}
