//! Which request is which: a pure function of the method, the raw (still percent-encoded)
//! path and the query. Public objects are named by an allow-list of canonical forms
//! (`checkpoint`, C2SP tile and entry-bundle paths, the checkpoint history), so no path
//! reaches anything else: `..`, `%2e%2e`, double encoding, backslashes, absolute paths and
//! `private/` are not canonical tile paths and are not found. The object is then read through
//! the log's public store, which in a directory refuses a symbolic link anywhere below
//! `public/` and anything but a regular file (served as not found).

use crate::log::history;
use crate::record::text::ProducerId;
use crate::tiles::{TilePath, parse_tile_path};

/// How a public object is served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// `checkpoint`: the latest checkpoint, replaced by every publication.
    Checkpoint,
    /// A full tile or entry bundle: never changes.
    Full,
    /// A partial tile or entry bundle: its bytes never change, but the log deletes it once the
    /// full one exists (clients then read the full one's prefix).
    Partial,
    /// `checkpoints/<N>`: the checkpoint history, write-once.
    History,
    /// `checkpoints/<N>.tsr`: an RFC 3161 time-stamp response over a checkpoint, write-once
    /// (docs/FORMAT.md §11.3.3).
    Timestamp,
}

impl Class {
    /// `(Content-Type, Cache-Control)`.
    pub fn headers(self) -> (&'static str, &'static str) {
        const TEXT: &str = "text/plain; charset=utf-8";
        const BYTES: &str = "application/octet-stream";
        const FOREVER: &str = "public, max-age=31536000, immutable";
        match self {
            Class::Checkpoint => (TEXT, "no-cache"),
            Class::Full => (BYTES, FOREVER),
            Class::Partial => (BYTES, "public, max-age=3600"),
            Class::History => (TEXT, FOREVER),
            Class::Timestamp => ("application/timestamp-reply", FOREVER),
        }
    }
}

/// A request the server answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// GET a file of `public/`: its canonical path relative to `public/`.
    Public { path: String, class: Class },
    /// POST `/add`: append a record.
    Add,
    /// POST `/checkpoint`: publish a checkpoint of the current size now.
    PublishCheckpoint,
    /// GET `/proof/inclusion?index=I[&size=N]`.
    Inclusion { index: u64, size: Option<u64> },
    /// GET `/proof/consistency?old=M[&new=N]`.
    Consistency { old: u64, new: Option<u64> },
    /// GET `/head/<producer>`: the producer's chain head in the sequencer's state.
    Head { producer: ProducerId },
    /// POST `/sweep/plan`: the unsigned records of a retention sweep.
    SweepPlan,
    /// POST `/sweep/commit`: carry out a planned sweep, its records signed.
    SweepCommit,
    /// GET `/checkpoints/`: the keys of the checkpoint history, one per line (what a reader
    /// over HTTP cannot list otherwise).
    HistoryList,
}

/// Why a request has no route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteError {
    /// 404: no such object or endpoint.
    NotFound,
    /// 405: the path exists for other methods (the `Allow` header's value).
    MethodNotAllowed(&'static str),
    /// 400: a query the endpoint does not accept.
    BadQuery(String),
}

/// The route of `method path?query`.
pub fn route(method: &str, path: &str, query: Option<&str>) -> Result<Route, RouteError> {
    let Some(rel) = path.strip_prefix('/') else {
        return Err(RouteError::NotFound);
    };
    match (method, rel) {
        ("GET" | "HEAD", "checkpoint") => public(rel, Class::Checkpoint, query),
        ("POST", "checkpoint") => no_query(query).map(|_| Route::PublishCheckpoint),
        (_, "checkpoint") => Err(RouteError::MethodNotAllowed("GET, HEAD, POST")),
        ("POST", "add") => no_query(query).map(|_| Route::Add),
        ("GET", "checkpoints/") => no_query(query).map(|_| Route::HistoryList),
        (_, "checkpoints/") => Err(RouteError::MethodNotAllowed("GET")),
        (_, "add") => Err(RouteError::MethodNotAllowed("POST")),
        ("POST", "sweep/plan") => no_query(query).map(|_| Route::SweepPlan),
        ("POST", "sweep/commit") => no_query(query).map(|_| Route::SweepCommit),
        (_, "sweep/plan" | "sweep/commit") => Err(RouteError::MethodNotAllowed("POST")),
        ("GET", "proof/inclusion") => {
            let [index, size] = params(query, ["index", "size"])?;
            let index = index.ok_or_else(|| missing("index"))?;
            Ok(Route::Inclusion { index, size })
        }
        ("GET", "proof/consistency") => {
            let [old, new] = params(query, ["old", "new"])?;
            let old = old.ok_or_else(|| missing("old"))?;
            Ok(Route::Consistency { old, new })
        }
        (_, "proof/inclusion" | "proof/consistency") => Err(RouteError::MethodNotAllowed("GET")),
        (m, _) if rel.starts_with("head/") => {
            let id = rel
                .strip_prefix("head/")
                .and_then(|id| ProducerId::new(id).ok());
            let producer = id.ok_or(RouteError::NotFound)?;
            match m {
                "GET" => no_query(query).map(|_| Route::Head { producer }),
                _ => Err(RouteError::MethodNotAllowed("GET")),
            }
        }
        (m, _) => {
            let class = object_class(rel).ok_or(RouteError::NotFound)?;
            match m {
                "GET" | "HEAD" => public(rel, class, query),
                _ => Err(RouteError::MethodNotAllowed("GET, HEAD")),
            }
        }
    }
}

/// The class of a canonical tile, entry-bundle or history path; `None` for anything else.
pub fn object_class(rel: &str) -> Option<Class> {
    if history::parse_key(rel).is_some() {
        return Some(Class::History);
    }
    if history::parse_timestamp_key(rel).is_some() {
        return Some(Class::Timestamp);
    }
    let full = match parse_tile_path(rel).ok()? {
        TilePath::Hash(t) => t.is_full(),
        TilePath::Entries(b) => b.is_full(),
    };
    Some(if full { Class::Full } else { Class::Partial })
}

fn public(rel: &str, class: Class, query: Option<&str>) -> Result<Route, RouteError> {
    no_query(query)?;
    Ok(Route::Public {
        path: rel.to_string(),
        class,
    })
}

fn no_query(query: Option<&str>) -> Result<(), RouteError> {
    match query {
        None | Some("") => Ok(()),
        Some(q) => Err(RouteError::BadQuery(format!(
            "this endpoint takes no query (got {q:?})"
        ))),
    }
}

fn missing(name: &str) -> RouteError {
    RouteError::BadQuery(format!("the query must give {name}=<decimal>"))
}

/// The values of `names` in `query` (`a=1&b=2`): each at most once, decimal without sign or
/// leading zeros; any other name is refused.
fn params<const N: usize>(
    query: Option<&str>,
    names: [&str; N],
) -> Result<[Option<u64>; N], RouteError> {
    let mut out = [None; N];
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let Some(i) = names.iter().position(|n| *n == name) else {
            return Err(RouteError::BadQuery(format!(
                "unknown query parameter {name:?} (accepted: {})",
                names.join(", ")
            )));
        };
        if out[i].is_some() {
            return Err(RouteError::BadQuery(format!("{name} given twice")));
        }
        out[i] = Some(decimal(value).ok_or_else(|| {
            RouteError::BadQuery(format!(
                "{name}={value:?} is not a decimal number without sign or leading zeros"
            ))
        })?);
    }
    Ok(out)
}

fn decimal(s: &str) -> Option<u64> {
    let digits = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (digits && (s == "0" || !s.starts_with('0'))).then(|| s.parse().ok())?
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(path: &str) -> Result<Route, RouteError> {
        route("GET", path, None)
    }

    #[test]
    fn public_objects_by_canonical_path() {
        assert_eq!(
            get("/checkpoint"),
            Ok(Route::Public {
                path: "checkpoint".into(),
                class: Class::Checkpoint
            })
        );
        let class = |p: &str| match get(p) {
            Ok(Route::Public { class, .. }) => Some(class),
            _ => None,
        };
        assert_eq!(class("/tile/0/000"), Some(Class::Full));
        assert_eq!(class("/tile/1/x001/234"), Some(Class::Full));
        assert_eq!(class("/tile/0/000.p/7"), Some(Class::Partial));
        assert_eq!(class("/tile/entries/000"), Some(Class::Full));
        assert_eq!(class("/tile/entries/001.p/255"), Some(Class::Partial));
        assert_eq!(class("/checkpoints/012"), Some(Class::History));
        assert_eq!(class("/checkpoints/012.tsr"), Some(Class::Timestamp));
    }

    #[test]
    fn anything_else_is_not_found() {
        for p in [
            "/",
            "",
            "checkpoint",
            "/private/log.key",
            "/private/state",
            "/../private/log.key",
            "/tile/../private/log.key",
            "/tile/0/../../private/log.key",
            "/tile/%2e%2e/private/log.key",
            "/tile/%2E%2E/%2e%2e/private/state",
            "/tile/%252e%252e/private/state",
            "/tile/0/000/..",
            "/tile\\..\\private\\log.key",
            "/tile/0/000%00",
            "//etc/passwd",
            "/tile/0/00",
            "/tile/0/0000",
            "/tile/00/000",
            "/tile/0/x000/001",
            "/tile/0/000.p/256",
            "/tile/0/000.p/0",
            "/tile/0/000.p/07",
            "/tile/64/000",
            "/checkpoint/",
            "/checkpoints/12",
            "/public/checkpoint",
            "/tile/entries/000/",
            "/tile/./0/000",
        ] {
            assert_eq!(get(p), Err(RouteError::NotFound), "{p}");
        }
    }

    #[test]
    fn endpoints_and_methods() {
        assert_eq!(route("POST", "/add", None), Ok(Route::Add));
        assert_eq!(
            route("POST", "/checkpoint", None),
            Ok(Route::PublishCheckpoint)
        );
        assert_eq!(get("/add"), Err(RouteError::MethodNotAllowed("POST")));
        assert_eq!(route("POST", "/sweep/plan", None), Ok(Route::SweepPlan));
        assert_eq!(route("POST", "/sweep/commit", None), Ok(Route::SweepCommit));
        assert_eq!(
            get("/sweep/commit"),
            Err(RouteError::MethodNotAllowed("POST"))
        );
        assert_eq!(route("POST", "/sweep/", None), Err(RouteError::NotFound));
        assert_eq!(
            route("PUT", "/tile/0/000", None),
            Err(RouteError::MethodNotAllowed("GET, HEAD"))
        );
        assert_eq!(
            route("POST", "/private/state", None),
            Err(RouteError::NotFound)
        );
    }

    #[test]
    fn proof_queries() {
        assert_eq!(
            route("GET", "/proof/inclusion", Some("index=3")),
            Ok(Route::Inclusion {
                index: 3,
                size: None
            })
        );
        assert_eq!(
            route("GET", "/proof/inclusion", Some("size=10&index=0")),
            Ok(Route::Inclusion {
                index: 0,
                size: Some(10)
            })
        );
        assert_eq!(
            route("GET", "/proof/consistency", Some("old=2&new=5")),
            Ok(Route::Consistency {
                old: 2,
                new: Some(5)
            })
        );
        for q in [
            "",
            "index=",
            "index=01",
            "index=-1",
            "index=1&index=2",
            "leaf=1",
            "index=%31",
        ] {
            assert!(
                matches!(
                    route("GET", "/proof/inclusion", Some(q)),
                    Err(RouteError::BadQuery(_))
                ),
                "{q}"
            );
        }
        assert!(matches!(
            route("GET", "/checkpoint", Some("x=1")),
            Err(RouteError::BadQuery(_))
        ));
    }
}
