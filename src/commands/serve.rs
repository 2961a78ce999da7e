//! `logseal serve`: the log over HTTP (docs/SERVE.md). This file holds what needs the
//! network, the clock and the signals: the tokio runtime and axum server, the sequencer
//! thread that owns the [`Log`] (group commit across requests, checkpoints on a schedule, on
//! demand and at shutdown), and graceful shutdown. What a request is, how a refusal maps to a
//! status, the per-key rate and the group append are pure functions in `logseal::serve`.

use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::serve::ListenerExt;
use logseal::cli::ServeArgs;
use logseal::log::{AppendItem, Log, Receipt};
use logseal::record::Record;
use logseal::record::text::ProducerId;
use logseal::serve::body::decode_add;
use logseal::serve::error::refused;
use logseal::serve::group::append_group;
use logseal::serve::rate::RateLimiter;
use logseal::serve::route::{Class, Route, RouteError, route};
use logseal::serve::sweep::{SweepCommit, SweepOutcome, SweepPlan, SweepRequest};
use logseal::serve::{AddReceipt, HttpError, ProducerHead, proofs};
use logseal::tree::TreeHashAlg;
use tokio::signal::unix::Signal;
use tokio::sync::{Semaphore, oneshot};

use super::log::{log_err, now_secs};

/// At most this many records are appended as one group...
const MAX_GROUP: usize = 1024;
/// ...and at most about this many bytes of them.
const MAX_GROUP_BYTES: usize = 32 << 20;

/// What the sequencer thread is asked to do.
enum Job {
    Add(AppendItem, oneshot::Sender<Result<Receipt, HttpError>>),
    Checkpoint(oneshot::Sender<Result<Vec<u8>, HttpError>>),
    Head(ProducerId, oneshot::Sender<ProducerHead>),
    /// A retention sweep's two steps (`super::sweep`).
    SweepPlan(SweepRequest, oneshot::Sender<Result<SweepPlan, HttpError>>),
    SweepCommit(
        SweepCommit,
        oneshot::Sender<Result<SweepOutcome, HttpError>>,
    ),
    /// Finish what was sent before, publish a checkpoint, stop.
    Stop,
}

/// What every request handler shares.
struct App {
    jobs: mpsc::Sender<Job>,
    /// The public part: `DIR/public`, or the bucket the log's config names (read through
    /// the store: a directory's reads refuse links and non-regular files).
    public: Arc<dyn logseal::store::ObjectStore>,
    alg: TreeHashAlg,
    max_body: usize,
    slots: Arc<Semaphore>,
    rate: Option<Mutex<RateLimiter>>,
    started: Instant,
    stopping: AtomicBool,
    /// The log directory (where the server says it listens, `private/serving`).
    dir: std::path::PathBuf,
}

pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    let size = serve_until(args, Until::Signal, None)?;
    println!("stopped; published the checkpoint of size {size}");
    Ok(())
}

/// When the server stops.
enum Until {
    /// SIGINT or SIGTERM (`logseal serve`).
    Signal,
    /// This sender is used or dropped (a server inside this process: the demo).
    Told(oneshot::Receiver<()>),
}

/// `logseal serve` on its own thread of this process (the demo), listening on `args.listen`
/// (port 0: any free one); returns once it accepts connections. Stopping it is as SIGTERM:
/// what is in flight is answered, a checkpoint published if the log grew; it returns the
/// size of the last checkpoint published.
pub(crate) fn start_in_background(
    args: ServeArgs,
) -> anyhow::Result<super::background::Background<u64>> {
    super::background::Background::start("server", move |until, ready| {
        serve_until(args, Until::Told(until), Some(ready))
    })
}

/// Serve until told to stop; the size of the last checkpoint published.
fn serve_until(
    args: ServeArgs,
    until: Until,
    ready: Option<mpsc::Sender<std::net::SocketAddr>>,
) -> anyhow::Result<u64> {
    let log = Log::open(&args.dir).map_err(log_err)?;
    // The public part wherever the config puts it: DIR/public, or a bucket.
    let public: Arc<dyn logseal::store::ObjectStore> =
        Arc::from(logseal::log::public_store(&args.dir).map_err(log_err)?);
    let alg = log.alg();
    let (jobs, rx) = mpsc::channel();
    let (dir, every) = (args.dir.clone(), args.checkpoint_interval);
    let mut witnessing = match &args.witnesses {
        Some(p) => Some(Witnessing {
            policy: super::log::read_witness_policy(p)?,
            sizes: Default::default(),
        }),
        None => None,
    };
    let tsa = match (&args.tsa, &args.tsa_cert) {
        (Some(url), Some(cert)) => Some((url.clone(), super::log::read_tsa_cert(url, cert)?)),
        _ => None,
    };
    let sequencer = std::thread::spawn(move || {
        TSA.with(|t| *t.borrow_mut() = tsa);
        sequence(log, &dir, rx, every, &mut witnessing)
    });
    let app = Arc::new(App {
        jobs: jobs.clone(),
        public,
        alg,
        max_body: args.max_body,
        slots: Arc::new(Semaphore::new(args.max_concurrent as usize)),
        rate: args.rate.map(|r| Mutex::new(RateLimiter::new(r))),
        started: Instant::now(),
        stopping: AtomicBool::new(false),
        dir: args.dir.clone(),
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the server's runtime")?;
    let served = runtime.block_on(serve(app, args.listen, until, ready));
    // Every request is answered (graceful shutdown waited for them): stop the sequencer.
    let _ = jobs.send(Job::Stop);
    let size = sequencer
        .join()
        .map_err(|_| anyhow::anyhow!("the sequencer thread panicked"))??;
    runtime.shutdown_timeout(Duration::from_secs(1));
    served?;
    Ok(size)
}

async fn serve(
    app: Arc<App>,
    addr: std::net::SocketAddr,
    until: Until,
    ready: Option<mpsc::Sender<std::net::SocketAddr>>,
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let bound = listener.local_addr()?;
    // Handlers in place before anyone is told the address, so a signal never kills it.
    use tokio::signal::unix::{SignalKind, signal};
    let stop = match until {
        Until::Signal => Stop::Signals(
            signal(SignalKind::interrupt()).context("SIGINT handler")?,
            signal(SignalKind::terminate()).context("SIGTERM handler")?,
        ),
        Until::Told(rx) => Stop::Told(rx),
    };
    // Said before anyone is told the address; removed once the last request is answered.
    let _advert = super::served::advertise(&app.dir, bound)?;
    match ready {
        Some(ready) => {
            let _ = ready.send(bound);
        }
        None => {
            let mut out = std::io::stdout().lock();
            writeln!(out, "listening on http://{bound}")?;
            out.flush()?;
        }
    }
    let router = axum::Router::new().fallback(handle).with_state(app.clone());
    // Answers are small and awaited one by one: no Nagle delay on them.
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, router)
        .with_graceful_shutdown(stop_signal(app, stop))
        .await
        .context("the server failed")
}

/// What ends [`serve`], once it listens.
enum Stop {
    Signals(Signal, Signal),
    Told(oneshot::Receiver<()>),
}

/// Resolves on SIGINT or SIGTERM (or when told), after refusing new appends.
async fn stop_signal(app: Arc<App>, stop: Stop) {
    match stop {
        Stop::Signals(mut int, mut term) => {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
            eprintln!(
                "logseal serve: stopping: answering the requests in flight, then publishing a \
                 checkpoint"
            );
        }
        Stop::Told(rx) => {
            let _ = rx.await;
        }
    }
    app.stopping.store(true, Ordering::SeqCst);
}

async fn handle(State(app): State<Arc<App>>, req: Request) -> Response {
    let Ok(_slot) = app.slots.clone().try_acquire_owned() else {
        let mut r = answer(&HttpError::new(
            503,
            "busy: too many requests in progress; retry",
        ));
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return r;
    };
    let method = req.method().as_str().to_string();
    let found = route(&method, req.uri().path(), req.uri().query());
    match found {
        Ok(Route::Public { path, class }) => public(&app, path, class, method == "HEAD").await,
        Ok(Route::Add) => add(&app, req).await,
        Ok(Route::PublishCheckpoint) => publish(&app).await,
        Ok(Route::Head { producer }) => head(&app, producer).await,
        Ok(Route::SweepPlan) => sweep_plan(&app, req).await,
        Ok(Route::SweepCommit) => sweep_commit(&app, req).await,
        Ok(Route::HistoryList) => {
            let store = app.public.clone();
            blocking(move || {
                let sizes = logseal::log::history::sizes(store.as_ref())
                    .map_err(|e| HttpError::new(500, e.to_string()))?;
                let mut body = String::new();
                for n in sizes {
                    body.push_str(&logseal::log::history::key(n));
                    body.push('\n');
                }
                Ok(text(body.into_bytes()))
            })
            .await
        }
        Ok(Route::Inclusion { index, size }) => {
            let (p, alg) = (app.public.clone(), app.alg);
            blocking(move || proofs::inclusion(p.as_ref(), alg, index, size).map(json)).await
        }
        Ok(Route::Consistency { old, new }) => {
            let (p, alg) = (app.public.clone(), app.alg);
            blocking(move || proofs::consistency(p.as_ref(), alg, old, new).map(json)).await
        }
        Err(RouteError::NotFound) => answer(&HttpError::new(404, "not found")),
        Err(RouteError::BadQuery(m)) => answer(&HttpError::new(400, m)),
        Err(RouteError::MethodNotAllowed(allow)) => {
            let mut r = answer(&HttpError::new(405, "method not allowed"));
            r.headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static(allow));
            r
        }
    }
}

/// A file of `public/`, with its content type and cache policy.
async fn public(app: &App, path: String, class: Class, head: bool) -> Response {
    let store = app.public.clone();
    blocking(move || {
        // Absent, not a regular file, or under a link (refused by the store): not found.
        let bytes = match store.get(&path) {
            Ok(Some(b)) => b,
            Ok(None) | Err(logseal::store::StoreError::NotRegular { .. }) => {
                return Err(HttpError::new(404, "not found"));
            }
            // The detail (a path, a bucket URL) is for the operator's log, not the client.
            Err(e) => {
                eprintln!("logseal serve: reading {path}: {e}");
                return Err(HttpError::new(503, "the log's storage cannot be read now"));
            }
        };
        let (content_type, cache) = class.headers();
        let len = bytes.len();
        let body = if head {
            Body::empty()
        } else {
            Body::from(bytes)
        };
        let mut r = Response::new(body);
        let h = r.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
        h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
        Ok(r)
    })
    .await
}

/// `POST /add`: check the body, the record's form and the key's rate here; the sequencer
/// admits it and answers once it is durable.
async fn add(app: &App, req: Request) -> Response {
    match add_record(app, req).await {
        Ok(receipt) => json(AddReceipt::from(&receipt)),
        Err(e) => answer(&e),
    }
}

async fn add_record(app: &App, req: Request) -> Result<Receipt, HttpError> {
    if app.stopping.load(Ordering::SeqCst) {
        return Err(HttpError::new(503, "shutting down: no new appends"));
    }
    let too_large = || {
        HttpError::new(
            413,
            format!(
                "the request body is larger than {} bytes (--max-body)",
                app.max_body
            ),
        )
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > app.max_body as u64) {
        return Err(too_large());
    }
    let bytes = axum::body::to_bytes(req.into_body(), app.max_body)
        .await
        .map_err(|_| too_large())?;
    let item = decode_add(&bytes).map_err(|m| HttpError::new(400, m))?;
    let record =
        Record::decode(&item.record).map_err(|e| refused(&logseal::log::Refusal::Malformed(e)))?;
    if let Some(rate) = &app.rate {
        let now = app.started.elapsed();
        if !rate.lock().expect("rate lock").allow(*record.kid(), now) {
            return Err(HttpError::new(
                429,
                format!(
                    "key {} is over its rate of records per second (--rate); retry later",
                    hex::encode(record.kid())
                ),
            ));
        }
    }
    let (tx, rx) = oneshot::channel();
    let stopped = || HttpError::new(503, "the sequencer has stopped");
    app.jobs.send(Job::Add(item, tx)).map_err(|_| stopped())?;
    rx.await.map_err(|_| stopped())?
}

/// `POST /checkpoint`: publish one now if the log grew since the last; answer the latest.
async fn publish(app: &App) -> Response {
    let (tx, rx) = oneshot::channel();
    let stopped = HttpError::new(503, "the sequencer has stopped");
    if app.jobs.send(Job::Checkpoint(tx)).is_err() {
        return answer(&stopped);
    }
    match rx.await {
        Ok(Ok(note)) => text(note),
        Ok(Err(e)) => answer(&e),
        Err(_) => answer(&stopped),
    }
}

/// `GET /head/<producer>`: the producer's head, from the sequencer.
async fn head(app: &App, producer: ProducerId) -> Response {
    let (tx, rx) = oneshot::channel();
    if app.jobs.send(Job::Head(producer, tx)).is_err() {
        return answer(&HttpError::new(503, "the sequencer has stopped"));
    }
    match rx.await {
        Ok(h) => json(h),
        Err(_) => answer(&HttpError::new(503, "the sequencer has stopped")),
    }
}

async fn blocking(f: impl FnOnce() -> Result<Response, HttpError> + Send + 'static) -> Response {
    match tokio::task::spawn_blocking(f).await {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => answer(&e),
        Err(e) => answer(&HttpError::new(500, format!("the request failed: {e}"))),
    }
}

fn answer(e: &HttpError) -> Response {
    let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, format!("{}\n", e.message)).into_response()
}

fn json<T: serde::Serialize>(value: T) -> Response {
    let body = serde_json::to_vec(&value).expect("answers serialise");
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn text(note: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], note).into_response()
}

// ---------------------------------------------------------------------------------------------
// The sequencer thread
// ---------------------------------------------------------------------------------------------

/// Own the log: append groups, publish checkpoints every `every` when the log grew, on
/// demand, at start (when the log is ahead of its checkpoint: acknowledged before a crash)
/// and at the end. Returns the size of the last checkpoint published.
fn sequence(
    mut log: Log,
    dir: &Path,
    rx: mpsc::Receiver<Job>,
    every: Duration,
    w: &mut Option<Witnessing>,
) -> anyhow::Result<u64> {
    let mut published = published_size(&log)?;
    publish_if_grown(&mut log, &mut published, w).map_err(|e| anyhow::anyhow!(e.message))?;
    let mut next = Instant::now() + every;
    let mut backlog: Option<Job> = None;
    let mut plans = PlanCache::default();
    loop {
        let job = match backlog.take() {
            Some(job) => job,
            None => match rx.recv_timeout(next.saturating_duration_since(Instant::now())) {
                Ok(job) => job,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if let Err(e) = publish_if_grown(&mut log, &mut published, w) {
                        eprintln!("logseal serve: scheduled checkpoint: {}", e.message);
                    }
                    next = Instant::now() + every;
                    continue;
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            },
        };
        match job {
            Job::Stop => break,
            Job::Checkpoint(reply) => {
                let _ = reply.send(checkpoint_now(&mut log, &mut published, w));
            }
            Job::Head(producer, reply) => {
                let (next_seq, head) = log
                    .state()
                    .producer(&producer)
                    .map_or((0, [0; 32]), |h| (h.next_seq, h.head.0));
                let _ = reply.send(ProducerHead {
                    producer: producer.as_str().to_string(),
                    next_seq,
                    head: hex::encode(head),
                });
            }
            Job::SweepPlan(request, reply) => {
                let _ = reply.send(plan_cached(&log, request, &mut plans));
            }
            Job::SweepCommit(commit, reply) => {
                let (answer, reopen) = sweep_now(&mut log, &commit, &mut published, w);
                let _ = reply.send(answer);
                if reopen {
                    drop(log);
                    log = Log::open(dir).map_err(log_err)?;
                }
            }
            Job::Add(item, reply) => {
                let (items, replies) = gather(&rx, item, reply, &mut backlog);
                let outcome = append_group(&mut log, items);
                for (reply, result) in replies.into_iter().zip(outcome.results) {
                    let _ = reply.send(result);
                }
                if outcome.reopen {
                    drop(log);
                    log = Log::open(dir).map_err(log_err)?;
                }
            }
        }
    }
    publish_if_grown(&mut log, &mut published, w).map_err(|e| anyhow::anyhow!(e.message))?;
    Ok(published)
}

type Replies = Vec<oneshot::Sender<Result<Receipt, HttpError>>>;

/// The records waiting now (up to the group's bounds), starting with `first`; a job that is
/// not an append ends the group and is kept in `backlog`.
fn gather(
    rx: &mpsc::Receiver<Job>,
    first: AppendItem,
    reply: oneshot::Sender<Result<Receipt, HttpError>>,
    backlog: &mut Option<Job>,
) -> (Vec<AppendItem>, Replies) {
    let mut bytes = first.record.len();
    let (mut items, mut replies) = (vec![first], vec![reply]);
    while items.len() < MAX_GROUP && bytes < MAX_GROUP_BYTES {
        match rx.try_recv() {
            Ok(Job::Add(item, reply)) => {
                bytes += item.record.len();
                items.push(item);
                replies.push(reply);
            }
            Ok(other) => {
                *backlog = Some(other);
                break;
            }
            Err(_) => break,
        }
    }
    (items, replies)
}

/// The size of the log's published checkpoint.
fn published_size(log: &Log) -> anyhow::Result<u64> {
    let note = log
        .reader()
        .checkpoint()?
        .context("the log has no published checkpoint")?;
    let n = logseal::note::parse_note(&note)?;
    Ok(logseal::checkpoint::Checkpoint::parse(&n.text)?.size)
}

fn publish_if_grown(
    log: &mut Log,
    published: &mut u64,
    w: &mut Option<Witnessing>,
) -> Result<(), HttpError> {
    if log.size() > *published {
        checkpoint_now(log, published, w)?;
    }
    Ok(())
}

thread_local! {
    /// The time-stamping authority (`--tsa`, `--tsa-cert`) asked to stamp every checkpoint
    /// published, as `checkpoint --tsa` does: set in each server's own sequencer thread (two
    /// servers in one process each keep theirs).
    static TSA: std::cell::RefCell<Option<(String, logseal::timestamp::Authority)>> =
        const { std::cell::RefCell::new(None) };
}

/// The witnesses the log asks before publishing (`--witnesses`), and the size each one
/// last cosigned, as far as this process learnt it.
struct Witnessing {
    policy: logseal::serve::witness::WitnessPolicy,
    sizes: std::collections::BTreeMap<String, u64>,
}

/// A checkpoint of the current size: signed now if the log grew (cosigned by the policy's
/// witnesses that answer), else the published one.
fn checkpoint_now(
    log: &mut Log,
    published: &mut u64,
    w: &mut Option<Witnessing>,
) -> Result<Vec<u8>, HttpError> {
    let failed = |e: logseal::log::LogError| HttpError::new(500, format!("checkpoint: {e}"));
    if log.size() == *published
        && let Some(note) = log.reader().checkpoint().map_err(|e| failed(e.into()))?
    {
        return Ok(note);
    }
    let note = match w {
        None => log.checkpoint(now_secs()).map_err(failed)?,
        Some(w) => {
            let mut outcomes = Vec::new();
            let note = log
                .checkpoint_witnessed(now_secs(), &mut |note, proofs| {
                    let (sigs, o) = logseal::client::collect_cosignatures(
                        &w.policy,
                        note,
                        proofs,
                        &mut w.sizes,
                        super::log::WITNESS_TIMEOUT,
                    );
                    outcomes = o;
                    sigs
                })
                .map_err(failed)?;
            for line in super::log::witness_summary(&w.policy, &outcomes).lines() {
                eprintln!("logseal serve: {line}");
            }
            note
        }
    };
    if let Some((url, authority)) = TSA.with(|t| t.borrow().clone()) {
        let line = super::log::timestamp_checkpoint(log, &note, &url, &authority);
        eprintln!("logseal serve: {line}");
    }
    *published = log.size();
    Ok(note)
}

// ---------------------------------------------------------------------------------------------
// Retention sweeps through the server (docs/SERVE.md, "Retention sweeps")
// ---------------------------------------------------------------------------------------------

/// The largest `POST /sweep/commit` body: the signed records of a large sweep, in hex.
const MAX_SWEEP_BODY: usize = 64 << 20;

/// `POST /sweep/plan`.
async fn sweep_plan(app: &App, req: Request) -> Response {
    let request: SweepRequest = match sweep_body(app, req, app.max_body).await {
        Ok(r) => r,
        Err(e) => return answer(&e),
    };
    let (tx, rx) = oneshot::channel();
    sequenced(app, Job::SweepPlan(request, tx), rx).await
}

/// `POST /sweep/commit`.
async fn sweep_commit(app: &App, req: Request) -> Response {
    let commit: SweepCommit = match sweep_body(app, req, MAX_SWEEP_BODY.max(app.max_body)).await {
        Ok(c) => c,
        Err(e) => return answer(&e),
    };
    let (tx, rx) = oneshot::channel();
    sequenced(app, Job::SweepCommit(commit, tx), rx).await
}

/// The JSON body of a sweep request, at most `max` bytes; refused while shutting down.
async fn sweep_body<T: serde::de::DeserializeOwned>(
    app: &App,
    req: Request,
    max: usize,
) -> Result<T, HttpError> {
    if app.stopping.load(Ordering::SeqCst) {
        return Err(HttpError::new(503, "shutting down: no new sweeps"));
    }
    let too_large = || HttpError::new(413, format!("the request body is larger than {max} bytes"));
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(too_large());
    }
    let bytes = axum::body::to_bytes(req.into_body(), max)
        .await
        .map_err(|_| too_large())?;
    serde_json::from_slice(&bytes)
        .map_err(|e| HttpError::new(400, format!("the body is not the JSON expected: {e}")))
}

/// Hand `job` to the sequencer and answer what it replies on `rx`, as JSON.
async fn sequenced<T: serde::Serialize>(
    app: &App,
    job: Job,
    rx: oneshot::Receiver<Result<T, HttpError>>,
) -> Response {
    let stopped = HttpError::new(503, "the sequencer has stopped");
    if app.jobs.send(job).is_err() {
        return answer(&stopped);
    }
    match rx.await {
        Ok(Ok(v)) => json(v),
        Ok(Err(e)) => answer(&e),
        Err(_) => answer(&stopped),
    }
}

/// The last plan answered, and the log's size then: asked again with the same request on a
/// log that has not grown since, it is answered without walking the log again (a plan costs
/// one walk of the log in the sequencer, at most once per growth per request).
#[derive(Default)]
struct PlanCache(Option<(u64, SweepPlan)>);

fn plan_cached(
    log: &Log,
    request: SweepRequest,
    cache: &mut PlanCache,
) -> Result<SweepPlan, HttpError> {
    if let Some((size, plan)) = &cache.0
        && *size == log.size()
        && plan.request == request
    {
        return Ok(plan.clone());
    }
    let plan = super::sweep::plan_served(log, &request)?;
    cache.0 = Some((log.size(), plan.clone()));
    Ok(plan)
}

/// Carry out a signed sweep, then publish a checkpoint covering its records (check 7 sees
/// them with the erasure). The answer, and whether the log must be reopened.
fn sweep_now(
    log: &mut Log,
    commit: &SweepCommit,
    published: &mut u64,
    w: &mut Option<Witnessing>,
) -> (Result<SweepOutcome, HttpError>, bool) {
    let mut done = match super::sweep::commit_served(log, commit) {
        Ok(d) => d,
        Err(f) => return (Err(f.error), f.reopen),
    };
    match checkpoint_now(log, published, w) {
        Ok(_) => {
            done.checkpoint_size = *published;
            (Ok(done), false)
        }
        Err(e) => (
            Err(HttpError::new(
                500,
                format!(
                    "the erasure is committed (its records at leaves {:?}), but no checkpoint \
                     covers them yet: {}",
                    done.leaves, e.message
                ),
            )),
            false,
        ),
    }
}
